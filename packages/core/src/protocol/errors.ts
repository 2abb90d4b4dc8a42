import { z } from 'zod'

/** Every stable error code Ringline returns, on the wire and in `RinglineError.code`. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_PHONE_NUMBER',
  'NOT_CONFIGURED',
  'CALL_NOT_FOUND',
  'CALL_ALREADY_ANSWERED',
  'CALL_NOT_ACTIVE',
  'ROOM_NOT_FOUND',
  'SIP_BUSY',
  'SIP_NO_ANSWER',
  'SIP_DECLINED',
  'SIP_FAILED',
  'TRANSFER_FAILED',
  'DESTINATION_NOT_ALLOWED',
  'CALL_LIMIT_REACHED',
  'WEBHOOK_SIGNATURE_INVALID',
  'AUTH_INVALID',
  'INSUFFICIENT_PERMISSIONS',
  'NUMBER_NOT_FOUND',
  'NUMBER_IN_USE',
  'TRUNKING_NOT_ENABLED',
  'INVALID_SIP_TARGET',
  'RATE_LIMITED',
  'TOO_MANY_CONNECTIONS',
  'LIVEKIT_UNAVAILABLE',
  'STORE_UNAVAILABLE',
  'UPSTREAM_ERROR',
  'NETWORK_ERROR',
  'MICROPHONE_PERMISSION_DENIED',
  'MICROPHONE_NOT_FOUND',
  'CONNECTION_FAILED',
  'INTERNAL',
] as const

/** A stable error code. */
export type ErrorCode = (typeof ERROR_CODES)[number]

/** Zod schema of an error code. */
export const errorCodeSchema = z.enum(ERROR_CODES)

/** The body of every error response: `{ error: { code, message, requestId } }`. */
export const errorBodySchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    requestId: z.string(),
    field: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
})

/** The body of every error response. */
export type ErrorBody = z.infer<typeof errorBodySchema>
