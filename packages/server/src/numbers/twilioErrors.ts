import type { ErrorCode } from '@ringline/core/protocol'
import { HttpError } from '../http/errors'

/** Twilio facts kept on a normalized error (never credentials). */
export interface TwilioErrorInfo {
  /** HTTP status Twilio answered, if any. */
  status?: number
  /** Twilio error code (e.g. 20003), if any. */
  code?: number
  moreInfo?: string
  /** Twilio's `Twilio-Request-Id`, for Twilio support. */
  twilioRequestId?: string
  /** `POST trunking /v1/Trunks`-style description of the failed call. */
  operation?: string
}

/** A Twilio onboarding failure with a stable code and the request id to quote to support. */
export class TwilioOnboardingError extends HttpError {
  /** Id of the Ringline request that failed. */
  readonly requestId: string
  /** What Twilio said, if it was Twilio. */
  readonly twilio: TwilioErrorInfo
  /** How long Twilio asked us to wait (from `Retry-After`), for `RATE_LIMITED`. */
  readonly retryAfterMs?: number
  /** True when retrying the same call later may succeed (429, 5xx, network). */
  readonly retryable: boolean

  /** @param code stable code @param message what happened and what to do */
  constructor(
    code: ErrorCode,
    message: string,
    options: {
      requestId: string
      twilio?: TwilioErrorInfo
      retryAfterMs?: number
      retryable?: boolean
      details?: Record<string, unknown>
    },
  ) {
    const twilio = options.twilio ?? {}
    const details: Record<string, unknown> = { ...options.details }
    if (twilio.code !== undefined) details.twilioCode = twilio.code
    if (twilio.status !== undefined) details.twilioStatus = twilio.status
    if (twilio.twilioRequestId) details.twilioRequestId = twilio.twilioRequestId
    if (twilio.moreInfo) details.moreInfo = twilio.moreInfo
    const retryAfter = options.retryAfterMs
    super(code, message, {
      details: Object.keys(details).length ? details : undefined,
      headers: retryAfter !== undefined ? { 'Retry-After': String(Math.ceil(retryAfter / 1000)) } : undefined,
    })
    this.name = 'HttpError'
    this.requestId = options.requestId
    this.twilio = twilio
    this.retryAfterMs = retryAfter
    this.retryable = options.retryable ?? false
  }
}

/** Raw error of a Twilio call, thrown by Ringline's HTTP client wrapper (carries headers the SDK drops). */
export class TwilioApiError extends Error {
  override readonly name = 'TwilioApiError'
  readonly status: number
  readonly code: number | undefined
  readonly moreInfo: string | undefined
  readonly retryAfterMs: number | undefined
  readonly twilioRequestId: string | undefined
  readonly method: string
  readonly host: string
  readonly path: string

  /** @param fields what Twilio answered and to which call */
  constructor(fields: {
    status: number
    code?: number
    message?: string
    moreInfo?: string
    retryAfterMs?: number
    twilioRequestId?: string
    method: string
    host: string
    path: string
  }) {
    super(fields.message ?? `[HTTP ${fields.status}] Failed to execute request`)
    this.status = fields.status
    this.code = fields.code
    this.moreInfo = fields.moreInfo
    this.retryAfterMs = fields.retryAfterMs
    this.twilioRequestId = fields.twilioRequestId
    this.method = fields.method
    this.host = fields.host
    this.path = fields.path
  }
}

/** Transport failure talking to Twilio (no HTTP answer); holds only the system error code, never the request config. */
export class TwilioTransportError extends Error {
  override readonly name = 'TwilioTransportError'
  readonly errno: string | undefined
  readonly method: string
  readonly host: string
  readonly path: string
  /** @param fields what failed, without the request config (which holds the Authorization header) */
  constructor(fields: { errno?: string; method: string; host: string; path: string }) {
    super(`Could not reach Twilio${fields.errno ? ` (${fields.errno})` : ''}`)
    this.errno = fields.errno
    this.method = fields.method
    this.host = fields.host
    this.path = fields.path
  }
}

/** Parse a `Retry-After` header (seconds or HTTP date) into ms. */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const text = String(value).trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

interface Facts {
  status?: number
  code?: number
  message?: string
  moreInfo?: string
  retryAfterMs?: number
  twilioRequestId?: string
  host?: string
  method?: string
  path?: string
  transport?: boolean
}

function factsOf(error: unknown): Facts | null {
  if (error instanceof TwilioApiError) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      moreInfo: error.moreInfo,
      retryAfterMs: error.retryAfterMs,
      twilioRequestId: error.twilioRequestId,
      host: error.host,
      method: error.method,
      path: error.path,
    }
  }
  if (error instanceof TwilioTransportError)
    return { transport: true, host: error.host, method: error.method, path: error.path, message: error.errno }
  // twilio's RestException / TwilioServiceException, duck-typed (the latter is not exported).
  if (error && typeof error === 'object' && typeof (error as { status?: unknown }).status === 'number') {
    const e = error as { status: number; code?: unknown; message?: unknown; moreInfo?: unknown }
    return {
      status: e.status,
      code: typeof e.code === 'number' ? e.code : undefined,
      message: typeof e.message === 'string' ? e.message : undefined,
      moreInfo: typeof e.moreInfo === 'string' ? e.moreInfo : undefined,
    }
  }
  if (
    error &&
    typeof error === 'object' &&
    ('isAxiosError' in error || 'errno' in error || 'syscall' in error)
  )
    return { transport: true }
  return null
}

const isNumberPath = (path = '') => /\/IncomingPhoneNumbers\/|\/PhoneNumbers(\/|$)/.test(path)

/**
 * Map anything a Twilio call threw to a {@link TwilioOnboardingError} with a stable code
 * (reference/twilio.md §5, first match wins). `context.step` names what was being done.
 */
export function normalizeTwilioError(
  error: unknown,
  context: { requestId: string; step?: string },
): TwilioOnboardingError {
  if (error instanceof TwilioOnboardingError) return error
  const requestId = context.requestId
  const f = factsOf(error)
  const doing = context.step ? ` while ${context.step}` : ''
  if (!f) {
    return new TwilioOnboardingError('INTERNAL', `Unexpected error${doing}`, { requestId })
  }
  const twilio: TwilioErrorInfo = {
    status: f.status,
    code: f.code,
    moreInfo: f.moreInfo,
    twilioRequestId: f.twilioRequestId,
    operation: f.method && f.path ? `${f.method} ${f.host ?? ''}${f.path}` : undefined,
  }
  const opts = { requestId, twilio }
  if (f.transport) {
    return new TwilioOnboardingError(
      'NETWORK_ERROR',
      `Could not reach Twilio${doing}${f.message ? ` (${f.message})` : ''}; try again`,
      {
        ...opts,
        retryable: true,
      },
    )
  }
  const { status, code } = f
  if (status === 401 || code === 20003) {
    return new TwilioOnboardingError(
      'AUTH_INVALID',
      'Twilio rejected the credentials: check the Account SID, API Key SID and secret (the key must belong to that account and region)',
      opts,
    )
  }
  if ((status === 403 && code !== 10002) || code === 20403 || code === 70051) {
    return new TwilioOnboardingError(
      'INSUFFICIENT_PERMISSIONS',
      `The Twilio API key is not allowed to do this${doing}: use a Standard key, or give the restricted key Elastic SIP Trunking and Phone Numbers permissions`,
      opts,
    )
  }
  if (status === 429 || code === 20429) {
    return new TwilioOnboardingError(
      'RATE_LIMITED',
      `Twilio is rate limiting requests${doing}; retry in a moment`,
      {
        ...opts,
        retryAfterMs: f.retryAfterMs,
        retryable: true,
      },
    )
  }
  if (code === 20404 && isNumberPath(f.path)) {
    return new TwilioOnboardingError(
      'NUMBER_NOT_FOUND',
      'This phone number does not exist in the connected Twilio account',
      opts,
    )
  }
  if (code === 10002 || (status === 403 && f.host?.startsWith('trunking'))) {
    return new TwilioOnboardingError(
      'TRUNKING_NOT_ENABLED',
      `Elastic SIP Trunking is not available on this Twilio account (${f.message ?? 'not enabled'}): enable it in the Twilio Console (Elastic SIP Trunking), or upgrade a trial account`,
      opts,
    )
  }
  if (status === 400 && f.method === 'POST' && /\/OriginationUrls$/.test(f.path ?? '')) {
    return new TwilioOnboardingError(
      'INVALID_SIP_TARGET',
      `Twilio refused the SIP target: ${f.message ?? 'invalid SIP URI'}`,
      opts,
    )
  }
  const retryable = status === undefined || status >= 500
  return new TwilioOnboardingError(
    'UPSTREAM_ERROR',
    `Twilio answered ${status ?? 'an error'}${code ? ` (code ${code})` : ''}${doing}: ${f.message ?? 'request failed'}`,
    {
      ...opts,
      retryable,
    },
  )
}
