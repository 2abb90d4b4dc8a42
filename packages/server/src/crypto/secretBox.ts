import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto'
import type { ErrorCode } from '@ringline/core/protocol'
import { processEnv } from '../config'

// Envelope: `rl1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id lets old ciphertexts
// be decrypted with an old key while new ones use the current key.
const ENVELOPE_VERSION = 'rl1'
const IV_BYTES = 12
const TAG_BYTES = 16
const KEY_BYTES = 32
// Fixed salt: the same passphrase must always derive the same key on every server start.
const SCRYPT_SALT = 'ringline/secret-box/v1'
const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const

/** A key given as text: `base64:…` or `hex:…` (32 bytes), a bare 64-char hex or base64 of 32 bytes, else a passphrase run through scrypt. */
export type SecretKeyInput = string | Uint8Array | { id?: string; key: string | Uint8Array }

/** Options of {@link createSecretBox}. */
export interface SecretBoxOptions {
  /** The key new secrets are encrypted with (`RINGLINE_SECRET_KEY`). */
  current: SecretKeyInput
  /** Older keys still accepted for decryption (`RINGLINE_SECRET_KEY_PREVIOUS`, comma separated). */
  previous?: SecretKeyInput[]
}

/** Result of {@link SecretBox.encrypt}: the envelope string to store and the id of the key that sealed it. */
export interface SealedSecret {
  ciphertext: string
  keyId: string
}

/** AES-256-GCM encryption of stored secrets, with a keyring so the key can rotate. */
export interface SecretBox {
  /** Id of the current key (stored beside each ciphertext). */
  readonly currentKeyId: string
  /** Encrypt a secret; `context` (e.g. `twilio:<tenantId>`) is bound as associated data and must be given again to decrypt. */
  encrypt(plaintext: string, context?: string): SealedSecret
  /** Decrypt an envelope made by any key of the ring; throws {@link SecretBoxError} on tampering or an unknown key. */
  decrypt(ciphertext: string, context?: string): string
  /** True when the envelope was sealed with a key other than the current one. */
  needsRotation(ciphertext: string): boolean
  /** Re-encrypt an envelope with the current key. */
  rotate(ciphertext: string, context?: string): SealedSecret
}

/** Error of the secret box; never carries the plaintext or key material. */
export class SecretBoxError extends Error {
  /** Stable code from the Ringline error registry. */
  readonly code: ErrorCode
  override readonly name = 'SecretBoxError'
  /** @param code stable code @param message what happened and what to do */
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

interface RingKey {
  id: string
  key: Buffer
}

function b64url(buf: Uint8Array): string {
  return Buffer.from(buf).toString('base64url')
}

/** Turn key text into 32 bytes: explicit `base64:`/`hex:` prefixes, bare 64-hex, bare base64 of 32 bytes, else scrypt(passphrase). */
export function deriveSecretKey(input: string | Uint8Array): Buffer {
  if (typeof input !== 'string') {
    if (input.byteLength !== KEY_BYTES)
      throw new SecretBoxError('NOT_CONFIGURED', `A raw secret key must be ${KEY_BYTES} bytes`)
    return Buffer.from(input)
  }
  const text = input.trim()
  if (text.length === 0)
    throw new SecretBoxError(
      'NOT_CONFIGURED',
      'RINGLINE_SECRET_KEY is empty: set it to 32 random bytes (e.g. `openssl rand -base64 32`)',
    )
  if (text.startsWith('base64:') || text.startsWith('hex:')) {
    const [kind, value = ''] = [text.slice(0, text.indexOf(':')), text.slice(text.indexOf(':') + 1)]
    const buf = Buffer.from(value, kind === 'hex' ? 'hex' : 'base64')
    if (buf.byteLength !== KEY_BYTES)
      throw new SecretBoxError(
        'NOT_CONFIGURED',
        `RINGLINE_SECRET_KEY with a ${kind}: prefix must decode to ${KEY_BYTES} bytes`,
      )
    return buf
  }
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const buf = Buffer.from(text, 'base64')
    if (buf.byteLength === KEY_BYTES) return buf
  }
  if (text.length < 16)
    throw new SecretBoxError(
      'NOT_CONFIGURED',
      'RINGLINE_SECRET_KEY passphrase is too short: use at least 16 characters or 32 random bytes in base64',
    )
  return scryptSync(text.normalize('NFKC'), SCRYPT_SALT, KEY_BYTES, SCRYPT_PARAMS)
}

/** The key id used when none is given: the first 8 bytes of a hash of the key, so it is stable and reveals nothing. */
export function secretKeyId(key: Uint8Array): string {
  return createHash('sha256').update('ringline/key-id/v1').update(key).digest('hex').slice(0, 16)
}

function toRingKey(input: SecretKeyInput): RingKey {
  const spec = typeof input === 'string' || input instanceof Uint8Array ? { key: input } : input
  const key = deriveSecretKey(spec.key)
  const id = spec.id ?? secretKeyId(key)
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id))
    throw new SecretBoxError('NOT_CONFIGURED', 'A secret key id may only use letters, digits, `_` and `-`')
  return { id, key }
}

interface Envelope {
  keyId: string
  iv: Buffer
  tag: Buffer
  data: Buffer
}

function parseEnvelope(text: string): Envelope {
  const parts = text.split('.')
  const [version, keyId, iv, tag, data] = parts
  if (
    parts.length !== 5 ||
    version !== ENVELOPE_VERSION ||
    !keyId ||
    iv === undefined ||
    tag === undefined ||
    data === undefined
  ) {
    throw new SecretBoxError(
      'INTERNAL',
      'Stored secret is not a Ringline secret envelope (rl1.<keyId>.<iv>.<tag>.<data>)',
    )
  }
  const env = {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    data: Buffer.from(data, 'base64url'),
  }
  if (env.iv.byteLength !== IV_BYTES || env.tag.byteLength !== TAG_BYTES)
    throw new SecretBoxError('INTERNAL', 'Stored secret envelope is malformed')
  return env
}

/**
 * Create an AES-256-GCM secret box over a keyring (current key + previous keys by id).
 * @example const box = createSecretBox({ current: process.env.RINGLINE_SECRET_KEY! }); const { ciphertext, keyId } = box.encrypt(secret)
 */
export function createSecretBox(options: SecretBoxOptions): SecretBox {
  const current = toRingKey(options.current)
  const ring = new Map<string, RingKey>([[current.id, current]])
  for (const old of options.previous ?? []) {
    const k = toRingKey(old)
    const existing = ring.get(k.id)
    if (existing && !timingSafeEqual(existing.key, k.key))
      throw new SecretBoxError('NOT_CONFIGURED', `Two different secret keys share the id "${k.id}"`)
    if (!existing) ring.set(k.id, k)
  }

  const encrypt = (plaintext: string, context?: string): SealedSecret => {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: TAG_BYTES })
    // The key id is authenticated too, so it cannot be swapped without detection.
    cipher.setAAD(Buffer.from(`${ENVELOPE_VERSION}.${current.id}.${context ?? ''}`))
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    const tag = cipher.getAuthTag()
    return {
      ciphertext: [ENVELOPE_VERSION, current.id, b64url(iv), b64url(tag), b64url(data)].join('.'),
      keyId: current.id,
    }
  }

  const decrypt = (ciphertext: string, context?: string): string => {
    const env = parseEnvelope(ciphertext)
    const k = ring.get(env.keyId)
    if (!k) {
      throw new SecretBoxError(
        'NOT_CONFIGURED',
        `Stored secret was encrypted with key "${env.keyId}", which is not in the keyring: add the old key to RINGLINE_SECRET_KEY_PREVIOUS`,
      )
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', k.key, env.iv, { authTagLength: TAG_BYTES })
      decipher.setAAD(Buffer.from(`${ENVELOPE_VERSION}.${env.keyId}.${context ?? ''}`))
      decipher.setAuthTag(env.tag)
      return Buffer.concat([decipher.update(env.data), decipher.final()]).toString('utf8')
    } catch {
      throw new SecretBoxError(
        'INTERNAL',
        'Stored secret failed authentication: it was altered, or belongs to another record',
      )
    }
  }

  return {
    currentKeyId: current.id,
    encrypt,
    decrypt,
    needsRotation: (ciphertext) => parseEnvelope(ciphertext).keyId !== current.id,
    rotate: (ciphertext, context) => encrypt(decrypt(ciphertext, context), context),
  }
}

/** Build a secret box from `RINGLINE_SECRET_KEY` and optional comma-separated `RINGLINE_SECRET_KEY_PREVIOUS`. */
export function secretBoxFromEnv(env: Record<string, string | undefined> = processEnv()): SecretBox {
  const current = env.RINGLINE_SECRET_KEY
  if (!current) {
    throw new SecretBoxError(
      'NOT_CONFIGURED',
      'Set RINGLINE_SECRET_KEY (32 random bytes, e.g. `openssl rand -base64 32`) to store Twilio secrets',
    )
  }
  const previous = (env.RINGLINE_SECRET_KEY_PREVIOUS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return createSecretBox({ current, previous })
}

/**
 * Mask a credential for display: `mask('SK0123…cdef')` → `SK…cdef`; secrets use `{ keepStart: 0 }` → `…cdef`.
 * Values too short to mask safely come back as `…`.
 */
export function mask(value: string, options: { keepStart?: number; keepEnd?: number } = {}): string {
  const keepStart = options.keepStart ?? 2
  const keepEnd = options.keepEnd ?? 4
  if (value.length < keepStart + keepEnd + 8) return '…'
  return `${value.slice(0, keepStart)}…${value.slice(value.length - keepEnd)}`
}
