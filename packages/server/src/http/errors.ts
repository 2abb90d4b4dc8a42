import type { ErrorBody, ErrorCode } from '@ringline/core/protocol'

/** The HTTP status each error code answers with. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ACCESS_REVOKED: 403,
  NOT_FOUND: 404,
  INVALID_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_PHONE_NUMBER: 400,
  NOT_CONFIGURED: 503,
  CALL_NOT_FOUND: 404,
  CALL_ALREADY_ANSWERED: 409,
  CALL_NOT_ACTIVE: 409,
  ROOM_NOT_FOUND: 404,
  SIP_BUSY: 409,
  SIP_NO_ANSWER: 409,
  SIP_DECLINED: 409,
  SIP_FAILED: 502,
  TRANSFER_FAILED: 502,
  DESTINATION_NOT_ALLOWED: 403,
  CALL_LIMIT_REACHED: 429,
  WEBHOOK_SIGNATURE_INVALID: 401,
  AUTH_INVALID: 400,
  INSUFFICIENT_PERMISSIONS: 403,
  NUMBER_NOT_FOUND: 404,
  NUMBER_IN_USE: 409,
  TRUNKING_NOT_ENABLED: 409,
  INVALID_SIP_TARGET: 400,
  RATE_LIMITED: 429,
  TOO_MANY_CONNECTIONS: 429,
  LIVEKIT_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  UPSTREAM_ERROR: 502,
  NETWORK_ERROR: 503,
  MICROPHONE_PERMISSION_DENIED: 400,
  MICROPHONE_NOT_FOUND: 400,
  CONNECTION_FAILED: 503,
  CONNECTION_LOST: 503,
  INTERNAL: 500,
}

/** Options of an `HttpError` beyond its code and message. */
export interface HttpErrorOptions {
  /** Overrides the status of the code. */
  status?: number
  /** The request field at fault, e.g. `to`. */
  field?: string
  /** Extra, non-secret details for the client. */
  details?: Record<string, unknown>
  /** Response headers, e.g. `Retry-After`. */
  headers?: Record<string, string>
  cause?: unknown
}

/** An error with a stable code that the router turns into `{ error: { code, message, requestId } }`. */
export class HttpError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly field?: string
  readonly details?: Record<string, unknown>
  readonly headers?: Record<string, string>

  constructor(code: ErrorCode, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'HttpError'
    this.code = code
    this.status = options.status ?? ERROR_STATUS[code]
    this.field = options.field
    this.details = options.details
    this.headers = options.headers
  }

  /** The JSON body of this error for a request. */
  toBody(requestId: string): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        requestId,
        ...(this.field === undefined ? {} : { field: this.field }),
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    }
  }
}

/** True for an `HttpError`, also across bundle copies. */
export function isHttpError(error: unknown): error is HttpError {
  return (
    error instanceof HttpError || (error instanceof Error && error.name === 'HttpError' && 'code' in error)
  )
}
