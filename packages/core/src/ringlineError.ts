import type { ErrorCode } from './protocol'
import { errorBodyGuard, isErrorCode } from './protocol/guards'

/** Fields of a `RinglineError` besides code and message. */
export interface RinglineErrorOptions {
  status?: number
  requestId?: string
  field?: string
  details?: Record<string, unknown>
  cause?: unknown
}

/** An error with a stable `code` from the registry in `@ringline/core/protocol`; branch on `code`, never on `message`. */
export class RinglineError extends Error {
  override readonly name = 'RinglineError'
  readonly code: ErrorCode
  readonly status: number | undefined
  readonly requestId: string | undefined
  readonly field: string | undefined
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, options: RinglineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = options.status
    this.requestId = options.requestId
    this.field = options.field
    this.details = options.details
  }

  /** A plain `{ code, message }` for state and logs. */
  toJSON(): { code: ErrorCode; message: string; requestId?: string } {
    return this.requestId
      ? { code: this.code, message: this.message, requestId: this.requestId }
      : { code: this.code, message: this.message }
  }
}

/** True when `value` is a `RinglineError` (also across bundle copies). */
export function isRinglineError(value: unknown): value is RinglineError {
  return (
    value instanceof RinglineError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'RinglineError' &&
      isErrorCode((value as { code?: unknown }).code))
  )
}

const codeByStatus: Record<number, ErrorCode> = {
  400: 'INVALID_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'INVALID_REQUEST',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'INVALID_REQUEST',
  429: 'RATE_LIMITED',
  502: 'UPSTREAM_ERROR',
  503: 'LIVEKIT_UNAVAILABLE',
  504: 'UPSTREAM_ERROR',
}

/** Turn an HTTP error response body into a `RinglineError`; bodies that are not `{ error: { code, message } }` get a code from the status. */
export function errorFromResponse(status: number, body: unknown): RinglineError {
  const parsed = errorBodyGuard.safeParse(body)
  if (parsed.success) {
    const { code, message, requestId, field, details } = parsed.data.error
    return new RinglineError(code, message, { status, requestId, field, details })
  }
  const code = codeByStatus[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_REQUEST')
  return new RinglineError(code, `The server answered ${status} without a Ringline error body.`, { status })
}

/** Wrap anything thrown into a `RinglineError`, keeping Ringline errors as they are. */
export function toRinglineError(error: unknown, fallback: ErrorCode = 'INTERNAL'): RinglineError {
  if (isRinglineError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  return new RinglineError(fallback, message || 'Unknown error', { cause: error })
}
