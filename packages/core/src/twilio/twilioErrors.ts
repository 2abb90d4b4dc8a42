import type { ErrorCode } from '../protocol'
import { RinglineError } from '../ringlineError'

// Twilio Voice SDK error codes (`TwilioError.code`) and the Ringline code each one becomes.
const CODES: Record<number, [ErrorCode, string]> = {
  20101: ['AUTH_INVALID', 'Twilio rejected the access token; check the Twilio Voice settings.'],
  20104: ['AUTH_INVALID', 'The Twilio access token expired.'],
  20151: ['AUTH_INVALID', 'Twilio could not authenticate this browser.'],
  31201: ['AUTH_INVALID', 'Twilio refused this browser (authorization error).'],
  31202: ['AUTH_INVALID', 'Twilio could not validate the access token signature.'],
  31204: ['AUTH_INVALID', 'Twilio rejected the access token.'],
  31205: ['AUTH_INVALID', 'The Twilio access token expired.'],
  31207: ['AUTH_INVALID', 'The Twilio access token lives longer than Twilio allows (24 h).'],
  31206: ['RATE_LIMITED', 'Twilio is rate limiting this browser; try again shortly.'],
  31401: ['MICROPHONE_PERMISSION_DENIED', 'Allow microphone access to make and take calls.'],
  31208: ['MICROPHONE_PERMISSION_DENIED', 'Allow microphone access to make and take calls.'],
  31402: ['MICROPHONE_NOT_FOUND', 'No microphone could be opened; connect one and try again.'],
  31486: ['SIP_BUSY', 'The line is busy.'],
  31480: ['SIP_NO_ANSWER', 'Nobody answered.'],
  31603: ['SIP_DECLINED', 'The call was declined.'],
  31404: ['SIP_FAILED', 'The number could not be reached.'],
  31002: ['SIP_DECLINED', 'The call was declined.'],
  31003: ['CONNECTION_FAILED', 'The call timed out while connecting.'],
  31005: ['CONNECTION_FAILED', 'The connection to Twilio failed.'],
  31009: ['CONNECTION_FAILED', 'The connection to Twilio failed.'],
  53000: ['CONNECTION_FAILED', 'The signaling connection to Twilio failed.'],
  53405: ['CONNECTION_FAILED', 'The media connection failed (check the network or firewall).'],
}

/** Maps a Twilio Voice SDK error (`TwilioError` with a numeric `code`) or a DOM media error to a `RinglineError`. */
export function twilioErrorToRinglineError(
  error: unknown,
  fallback: ErrorCode = 'CONNECTION_FAILED',
): RinglineError {
  if (error instanceof RinglineError) return error
  const e = (error ?? {}) as { code?: unknown; name?: unknown; message?: unknown }
  const code = typeof e.code === 'number' ? e.code : undefined
  const known = code !== undefined ? CODES[code] : undefined
  if (known) return new RinglineError(known[0], known[1], { cause: error })
  if (e.name === 'NotAllowedError') {
    return new RinglineError(
      'MICROPHONE_PERMISSION_DENIED',
      'Allow microphone access to make and take calls.',
      {
        cause: error,
      },
    )
  }
  if (e.name === 'NotFoundError') {
    return new RinglineError(
      'MICROPHONE_NOT_FOUND',
      'No microphone could be opened; connect one and try again.',
      {
        cause: error,
      },
    )
  }
  const message = typeof e.message === 'string' && e.message ? e.message : 'Twilio Voice failed.'
  return new RinglineError(fallback, code ? `${message} (Twilio ${code})` : message, { cause: error })
}
