import { HttpError } from '../http/errors'

/** Longest client identity Ringline hands out; portable across Twilio's browser and mobile SDKs. */
export const TWILIO_IDENTITY_MAX = 121

const SAFE = /^[A-Za-z0-9]$/

/**
 * Escapes text into Twilio's portable client-name alphabet (`[A-Za-z0-9_]`): letters and digits stay,
 * every other UTF-8 byte becomes `_` + two hex digits (so `_` itself is `_5F`). Reversible by {@link unescapeIdentity}.
 */
export function escapeIdentity(text: string): string {
  let out = ''
  for (const ch of text) {
    if (SAFE.test(ch)) {
      out += ch
      continue
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `_${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** Reverses {@link escapeIdentity}; `null` for text it could not have produced. */
export function unescapeIdentity(escaped: string): string | null {
  if (!/^(?:[A-Za-z0-9]|_[0-9A-F]{2})*$/.test(escaped)) return null
  const bytes: number[] = []
  for (let i = 0; i < escaped.length; ) {
    if (escaped[i] === '_') {
      bytes.push(Number.parseInt(escaped.slice(i + 1, i + 3), 16))
      i += 3
    } else {
      bytes.push(escaped.charCodeAt(i))
      i += 1
    }
  }
  const text = Buffer.from(bytes).toString('utf8')
  // Invalid UTF-8 decodes to U+FFFD; re-escaping tells us whether it round-trips.
  return escapeIdentity(text) === escaped ? text : null
}

/** The Twilio client identity of a user: `<tenant>:<user>` escaped into `[A-Za-z0-9_]`, at most 121 characters. */
export function twilioClientIdentity(tenantId: string, userId: string): string {
  const identity = escapeIdentity(`${tenantId}:${userId}`)
  if (identity.length > TWILIO_IDENTITY_MAX) {
    throw new HttpError(
      'INVALID_REQUEST',
      `The Twilio client identity for this user would be ${identity.length} characters (max ${TWILIO_IDENTITY_MAX}); use shorter tenant or user ids.`,
    )
  }
  return identity
}

/** Tenant and user of a client identity (`alice` or `client:alice`), or `null` when it is not one of ours. */
export function parseTwilioClientIdentity(value: string): { tenantId: string; userId: string } | null {
  const raw = value.startsWith('client:') ? value.slice('client:'.length) : value
  const text = unescapeIdentity(raw)
  if (text === null) return null
  const colon = text.indexOf(':')
  if (colon <= 0 || colon === text.length - 1) return null
  return { tenantId: text.slice(0, colon), userId: text.slice(colon + 1) }
}
