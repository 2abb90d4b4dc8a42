// Protocol constants without any schema library: the browser client imports these (and types) only, so zod stays
// out of what a host app ships. The zod schemas in the sibling modules are built from the same constants.
import type { CallStatus } from './calls'

/** Every stable error code Ringline returns, on the wire and in `RinglineError.code`. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'ACCESS_REVOKED',
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
  'CONNECTION_LOST',
  'INTERNAL',
] as const

/** Every status of a call record, in lifecycle order. */
export const CALL_STATUSES = [
  'initiated',
  'ringing',
  'in-progress',
  'completed',
  'busy',
  'no-answer',
  'canceled',
  'failed',
  'declined',
  'missed',
] as const

/** Statuses after which a call never changes again: `completed` and every one after it in `CALL_STATUSES`. */
export const FINAL_CALL_STATUSES: readonly CallStatus[] = CALL_STATUSES.slice(
  CALL_STATUSES.indexOf('completed'),
)

/** Names of the events on `GET /events`. */
export const EVENT_TYPES = ['call.incoming', 'call.updated', 'call.ended', 'room.updated'] as const

/** Topic of the text streams LiveKit Agents publish transcriptions on. */
export const TRANSCRIPTION_TOPIC = 'lk.transcription'

/** Attributes LiveKit sets on a transcription text stream. */
export const TRANSCRIPTION_ATTRIBUTES = {
  /** Track whose audio was transcribed (its owner is the speaker). */
  trackId: 'lk.transcribed_track_id',
  /** Segment id: interim versions and the final one share it. */
  segmentId: 'lk.segment_id',
  /** `'true'` on the final version of a segment. */
  final: 'lk.transcription_final',
} as const

/** The custom parameter carrying Ringline's call id between the browser, TwiML and `<Client>` invites. */
export const TWILIO_CALL_ID_PARAM = 'ringlineCallId'

/** A team-room name: lowercase letters, digits, `-` and `_`, starting with a letter or digit (1–48 chars). */
export const ROOM_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/
/** A Twilio Account SID. */
export const TWILIO_ACCOUNT_SID_PATTERN = /^AC[0-9a-fA-F]{32}$/
/** A Twilio API Key SID. */
export const TWILIO_API_KEY_SID_PATTERN = /^SK[0-9a-fA-F]{32}$/

/**
 * The identity prefix of a consulted phone's SIP participant (`consult-phone-<call id>`) in a call's room during a warm
 * transfer to a phone number: not the call's own phone leg.
 */
export const CONSULT_PHONE_IDENTITY_PREFIX = 'consult-phone-'
