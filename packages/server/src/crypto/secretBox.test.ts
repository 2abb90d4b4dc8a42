import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  createSecretBox,
  deriveSecretKey,
  mask,
  SecretBoxError,
  secretBoxFromEnv,
  secretKeyId,
} from './secretBox'

const keyA = randomBytes(32).toString('base64')
const keyB = randomBytes(32).toString('hex')
const secret = 'sk-secret-0123456789abcdefXYZ'

function flip(envelope: string, partIndex: number): string {
  const parts = envelope.split('.')
  const buf = Buffer.from(parts[partIndex] ?? '', 'base64url')
  buf[0] = (buf[0] ?? 0) ^ 0x01
  parts[partIndex] = buf.toString('base64url')
  return parts.join('.')
}

describe('secretBox', () => {
  it('round-trips and never leaves the plaintext in the envelope', () => {
    const box = createSecretBox({ current: keyA })
    const sealed = box.encrypt(secret)
    expect(sealed.keyId).toBe(box.currentKeyId)
    expect(sealed.ciphertext.startsWith(`rl1.${sealed.keyId}.`)).toBe(true)
    expect(sealed.ciphertext).not.toContain(secret)
    expect(sealed.ciphertext).not.toContain(Buffer.from(secret).toString('base64'))
    expect(box.decrypt(sealed.ciphertext)).toBe(secret)
  })

  it('uses a fresh IV each time', () => {
    const box = createSecretBox({ current: keyA })
    expect(box.encrypt(secret).ciphertext).not.toBe(box.encrypt(secret).ciphertext)
  })

  it('detects tampering with the data, the tag, the IV and the key id', () => {
    const box = createSecretBox({ current: { id: 'k1', key: keyA }, previous: [{ id: 'k0', key: keyB }] })
    const { ciphertext } = box.encrypt(secret)
    for (const part of [2, 3, 4]) {
      expect(() => box.decrypt(flip(ciphertext, part))).toThrowError(SecretBoxError)
    }
    // Same bytes presented under another key id of the ring fail authentication.
    const swapped = ciphertext.replace('rl1.k1.', 'rl1.k0.')
    expect(() => box.decrypt(swapped)).toThrowError(/failed authentication/)
    expect(() => box.decrypt('not-an-envelope')).toThrowError(/not a Ringline secret envelope/)
  })

  it('binds the context: a ciphertext of one tenant does not open for another', () => {
    const box = createSecretBox({ current: keyA })
    const { ciphertext } = box.encrypt(secret, 'twilio:tenant-a')
    expect(box.decrypt(ciphertext, 'twilio:tenant-a')).toBe(secret)
    expect(() => box.decrypt(ciphertext, 'twilio:tenant-b')).toThrowError(SecretBoxError)
    expect(() => box.decrypt(ciphertext)).toThrowError(SecretBoxError)
  })

  it('rotates: old ciphertexts decrypt with the previous key and re-encrypt under the new one', () => {
    const oldBox = createSecretBox({ current: keyA })
    const old = oldBox.encrypt(secret, 'ctx')
    const newBox = createSecretBox({ current: keyB, previous: [keyA] })
    expect(newBox.currentKeyId).not.toBe(oldBox.currentKeyId)
    expect(newBox.needsRotation(old.ciphertext)).toBe(true)
    expect(newBox.decrypt(old.ciphertext, 'ctx')).toBe(secret)
    const rotated = newBox.rotate(old.ciphertext, 'ctx')
    expect(rotated.keyId).toBe(newBox.currentKeyId)
    expect(newBox.needsRotation(rotated.ciphertext)).toBe(false)
    // A box without the old key says what to do.
    const onlyNew = createSecretBox({ current: keyB })
    expect(() => onlyNew.decrypt(old.ciphertext, 'ctx')).toThrowError(/RINGLINE_SECRET_KEY_PREVIOUS/)
    expect(onlyNew.decrypt(rotated.ciphertext, 'ctx')).toBe(secret)
  })

  it('derives keys from base64, hex, prefixed forms and passphrases', () => {
    const raw = randomBytes(32)
    expect(deriveSecretKey(raw.toString('base64')).equals(raw)).toBe(true)
    expect(deriveSecretKey(raw.toString('hex')).equals(raw)).toBe(true)
    expect(deriveSecretKey(`base64:${raw.toString('base64')}`).equals(raw)).toBe(true)
    expect(deriveSecretKey(`hex:${raw.toString('hex')}`).equals(raw)).toBe(true)
    const p1 = deriveSecretKey('correct horse battery staple')
    expect(p1.byteLength).toBe(32)
    expect(deriveSecretKey('correct horse battery staple').equals(p1)).toBe(true)
    expect(deriveSecretKey('correct horse battery stapler').equals(p1)).toBe(false)
    expect(() => deriveSecretKey('short')).toThrowError(SecretBoxError)
    expect(() => deriveSecretKey('base64:AAAA')).toThrowError(/32 bytes/)
    expect(secretKeyId(raw)).toMatch(/^[0-9a-f]{16}$/)
  })

  it('refuses two different keys under one id', () => {
    expect(() =>
      createSecretBox({ current: { id: 'k', key: keyA }, previous: [{ id: 'k', key: keyB }] }),
    ).toThrowError(/share the id/)
  })

  it('builds from env and explains a missing key', () => {
    expect(() => secretBoxFromEnv({})).toThrowError(/RINGLINE_SECRET_KEY/)
    const box = secretBoxFromEnv({ RINGLINE_SECRET_KEY: keyB, RINGLINE_SECRET_KEY_PREVIOUS: ` ${keyA} ,` })
    const old = createSecretBox({ current: keyA }).encrypt(secret)
    expect(box.decrypt(old.ciphertext)).toBe(secret)
  })

  it('masks SIDs and secrets', () => {
    const sid = `SK${'0123456789abcdef'.repeat(2)}`
    expect(mask(sid)).toBe('SK…cdef')
    expect(mask(secret, { keepStart: 0 })).toBe('…fXYZ')
    expect(mask('short')).toBe('…')
  })
})
