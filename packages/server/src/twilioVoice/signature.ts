import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/** Form parameters of a Twilio webhook: a value, or several for a repeated key. */
export type TwilioParams = Record<string, string | readonly string[]>

/**
 * The `X-Twilio-Signature` Twilio computes: base64 HMAC-SHA1, keyed with the Auth Token, over the full URL
 * followed by every POST parameter as `name + value`, names sorted (repeated values de-duplicated and sorted).
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  let data = url
  for (const name of Object.keys(params).sort()) {
    const value = params[name]
    if (typeof value === 'string') data += name + value
    else for (const v of [...new Set(value)].sort()) data += name + v
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64')
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The URL as given, without any port, and with its port (the scheme's default when none is written). */
function portVariants(url: string): string[] {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return [url]
  }
  const port = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : ''
  // `new URL` drops a default port, so rebuild the authority by hand to keep it.
  const auth = parsed.username ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : ''
  const rest = `${parsed.pathname}${parsed.search}${parsed.hash}`
  const without = `${parsed.protocol}//${auth}${parsed.hostname}${rest}`
  const withPort = `${parsed.protocol}//${auth}${parsed.hostname}:${parsed.port || port}${rest}`
  return [...new Set([url, without, withPort])]
}

/**
 * True when `signature` is Twilio's signature of a form-encoded webhook. Like Twilio's own helper it accepts
 * the URL with or without the default port (Twilio signs what it requested, which proxies may rewrite).
 */
export function validateTwilioSignature(
  authToken: string,
  signature: string | null | undefined,
  url: string,
  params: TwilioParams = {},
): boolean {
  if (!signature || !authToken) return false
  let ok = false
  // Compare against every variant (no early exit), so timing says nothing about which one matched.
  for (const candidate of portVariants(url)) {
    if (safeEqual(twilioSignature(authToken, candidate, params), signature)) ok = true
  }
  return ok
}

/**
 * True for a webhook with a JSON (non-form) body: the signature covers the URL alone, and the URL's
 * `bodySHA256` query parameter must be the hex SHA-256 of the raw body.
 */
export function validateTwilioBodySignature(
  authToken: string,
  signature: string | null | undefined,
  url: string,
  rawBody: string,
): boolean {
  let expected: string | null
  try {
    expected = new URL(url).searchParams.get('bodySHA256')
  } catch {
    return false
  }
  if (!expected) return false
  const actual = createHash('sha256').update(Buffer.from(rawBody, 'utf8')).digest('hex')
  const bodyOk = safeEqual(actual, expected.toLowerCase())
  return validateTwilioSignature(authToken, signature, url, {}) && bodyOk
}

/** Parses a form body into Twilio params (repeated keys become arrays). */
export function formParams(rawBody: string): TwilioParams {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of new URLSearchParams(rawBody)) {
    const prev = out[k]
    if (prev === undefined) out[k] = v
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  return out
}
