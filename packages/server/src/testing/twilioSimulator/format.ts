import { randomBytes } from 'node:crypto'
import { HttpResponse } from 'msw'

/** A Twilio-shaped SID: two-letter prefix + 32 lowercase hex. */
export function twilioSid(prefix: string): string {
  return `${prefix}${randomBytes(16).toString('hex')}`
}

/** Trunking v1 dates: ISO 8601 without milliseconds (`2015-01-02T11:23:45Z`). */
export function isoDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** api 2010 dates: RFC 2822 with a numeric zone (`Thu, 30 Jul 2015 23:19:04 +0000`). */
export function rfc2822Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000')
}

/** Codes Twilio does not document for these cases; chosen by the simulator and kept in one place. */
export const SIM_CODES = {
  /** Generic parameter validation failure. */
  invalidParameter: 21400,
  /** A number already on another trunk, in `attachConflict: 'reject'` mode. */
  numberOnOtherTrunk: 21400,
  /** Trunking not enabled / trunk limits: answered as 403 with the "feature not available" code. */
  trunkingNotEnabled: 10002,
} as const

function requestId(): string {
  return twilioSid('RQ')
}

/** JSON response that always carries Content-Length (twilio-node hangs on keep-alive responses without it). */
export function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  const text = JSON.stringify(body)
  return new HttpResponse(text, {
    status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(text)),
      'Twilio-Request-Id': requestId(),
      ...headers,
    },
  })
}

/** 204 with no body (the one shape that needs no Content-Length). */
export function noContent(): Response {
  return new HttpResponse(null, { status: 204, headers: { 'Twilio-Request-Id': requestId() } })
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Authenticate',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
}

/** Default Twilio code for an HTTP status. */
export function defaultCode(status: number): number {
  if (status === 401) return 20003
  if (status === 403) return 20403
  if (status === 404) return 20404
  if (status === 405) return 20004
  if (status === 429) return 20429
  if (status >= 500) return 20500
  return SIM_CODES.invalidParameter
}

/** Legacy Twilio error body `{ code, message, more_info, status }`, with Content-Length. */
export function errorResponse(
  status: number,
  code: number = defaultCode(status),
  message: string = DEFAULT_MESSAGES[status] ?? 'Error',
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(
    { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
    status,
    headers,
  )
}
