import { z } from 'zod'
import { CALL_STATUSES } from './constants'
import { agentDispatchSchema, recordingInfoSchema, speakerKindSchema } from './media'

/** Where a call goes: to a phone, from a phone, or between team members. */
export const callDirectionSchema = z.enum(['outbound', 'inbound', 'internal'])
/** Where a call goes. */
export type CallDirection = z.infer<typeof callDirectionSchema>

/** Call status: Twilio's words plus `declined` and `missed`. */
export const callStatusSchema = z.enum(CALL_STATUSES)
/** Call status. */
export type CallStatus = z.infer<typeof callStatusSchema>

/** Why a call record was closed. */
export const callEndReasonSchema = z.enum([
  'completed',
  'canceled',
  'busy',
  'no-answer',
  'declined',
  'failed',
  'missed',
  'rejected',
  'stale',
  'transferred',
])
/** Why a call record was closed. */
export type CallEndReason = z.infer<typeof callEndReasonSchema>

export { CONSULT_PHONE_IDENTITY_PREFIX } from './constants'

/** An E.164 phone number, e.g. `+14155550123`. */
export const e164Schema = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550123')

/** One participant of a call as recorded by the server. */
export const callParticipantSchema = z.object({
  identity: z.string(),
  kind: z.enum(['user', 'sip', 'agent', 'other']),
  name: z.string().nullable(),
  joinedAt: z.string().nullable(),
  leftAt: z.string().nullable(),
  /** Seconds present: from `joinedAt` to `leftAt`, or to now while present; null before joining. */
  durationSeconds: z.number().int().nullable().optional(),
  /** The microphone's last known mute state (at leaving, once gone); null when unknown. */
  muted: z.boolean().nullable().optional(),
})
/** One participant of a call. */
export type CallParticipant = z.infer<typeof callParticipantSchema>

/** How the phone side of a call was handed on: where to, when, by whom (`blind`: SIP REFER; `warm`: after a consult). */
export const callTransferSchema = z.object({
  kind: z.enum(['blind', 'warm']),
  /** The target: a `tel:` / `sip:` URI (phone), or `user:<userId>` (a colleague, warm transfers). */
  to: z.string(),
  at: z.string(),
  /** The user who transferred the call. */
  by: z.string().nullable(),
})
/** How the phone side of a call was handed on. */
export type CallTransferInfo = z.infer<typeof callTransferSchema>

/**
 * A colleague or a phone number consulted while the caller is on hold (warm transfer), on the call record while it is
 * open: `ringing` until they join (answer), then `connected` until the call is handed over (`transfer`) or the consult
 * is cancelled; a consulted phone that hangs up, or does not answer, leaves it `ended` (cancel goes back to the caller).
 */
export const callConsultSchema = z.object({
  /** The colleague consulted (absent when a phone number is). */
  userId: z.string().optional(),
  /** The phone number consulted, as a `tel:` URI (absent when a colleague is). */
  to: z.string().optional(),
  /** The user on the call who asked. */
  by: z.string(),
  state: z.enum(['ringing', 'connected', 'ended']),
  /** Why a consulted phone left (`state: 'ended'`): it hung up, was busy, did not answer, declined, or the call failed. */
  endReason: z.enum(['hangup', 'busy', 'no-answer', 'declined', 'failed']).optional(),
  startedAt: z.string(),
})
/** A colleague or phone number consulted while the caller is on hold. */
export type CallConsult = z.infer<typeof callConsultSchema>

/**
 * `POST /calls/:id/consult` body: the colleague (`userId`, a user id of the tenant) or the phone number (`to`, E.164
 * or national, checked like `POST /calls`) to consult; exactly one of them.
 */
export const startConsultRequestSchema = z
  .object({ userId: z.string().min(1).max(128).optional(), to: z.string().min(1).max(64).optional() })
  .refine((b) => (b.userId === undefined) !== (b.to === undefined), {
    message: 'give either userId (a colleague) or to (a phone number)',
    path: ['userId'],
  })
/** `POST /calls/:id/consult` body. */
export type StartConsultRequest = z.infer<typeof startConsultRequestSchema>

/** A call record as the API returns it. Timestamps are ISO 8601 strings. */
export const callRecordSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  direction: callDirectionSchema,
  status: callStatusSchema,
  roomName: z.string(),
  fromNumber: z.string().nullable(),
  toNumber: z.string().nullable(),
  contactId: z.string().nullable(),
  createdBy: z.string().nullable(),
  answeredBy: z.string().nullable(),
  sipCallId: z.string().nullable(),
  sipStatusCode: z.number().int().nullable().optional(),
  startedAt: z.string(),
  answeredAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationSeconds: z.number().int().nullable(),
  endReason: callEndReasonSchema.nullable(),
  recordingUrl: z.string().nullable().optional(),
  /** Set once the phone side was transferred (the call then ends with `endReason: 'transferred'`). */
  transfer: callTransferSchema.nullable().optional(),
  /** An open consult (warm transfer in progress); absent or null otherwise. */
  consult: callConsultSchema.nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  /** The kind of a browser room (`support`, …) as the join that created it asked; null otherwise. */
  roomKind: z.string().nullable().optional(),
})
/** A call record as the API returns it. */
export type CallRecord = z.infer<typeof callRecordSchema>

/** What a browser needs to join a LiveKit room. */
export const connectionSchema = z.object({
  serverUrl: z.string(),
  token: z.string(),
  roomName: z.string(),
  identity: z.string().optional(),
  expiresAt: z.string().optional(),
})
/** What a browser needs to join a LiveKit room. */
export type Connection = z.infer<typeof connectionSchema>

/** `POST /calls` body. */
export const createCallRequestSchema = z.object({
  to: z.string().min(1).max(64),
  contactId: z.string().min(1).max(128).optional(),
  callerId: z.string().max(32).optional(),
  /** A LiveKit room the caller already joined (the app's own): the phone is placed there (server: `calls.roomAccess`). */
  room: z.string().min(1).max(128).optional(),
})
/** `POST /calls` body. */
export type CreateCallRequest = z.infer<typeof createCallRequestSchema>

/** `POST /calls` and `POST /calls/:id/answer` response. */
export const callWithConnectionSchema = z.object({ call: callRecordSchema, connection: connectionSchema })
/** `POST /calls` and `POST /calls/:id/answer` response. */
export type CallWithConnection = z.infer<typeof callWithConnectionSchema>

/** `POST /calls/:id/decline` body: `reject` ends the call for everyone. */
export const declineCallRequestSchema = z.object({ reject: z.boolean().optional() })
/** `POST /calls/:id/decline` body. */
export type DeclineCallRequest = z.infer<typeof declineCallRequestSchema>

/** `POST /calls/:id/mute` body: the caller's microphone is now muted (or not). */
export const reportMuteRequestSchema = z.object({ muted: z.boolean() })
/** `POST /calls/:id/mute` body. */
export type ReportMuteRequest = z.infer<typeof reportMuteRequestSchema>
/** `POST /calls/:id/mute` answer: the caller's mute state as recorded (a later fact may have won). */
export interface ReportMuteResponse {
  muted: boolean | null
}

/** `POST /calls/:id/transfer` body: a phone number or a `tel:` / `sip:` URI. */
export const transferCallRequestSchema = z.object({ to: z.string().min(1).max(256) })
/** `POST /calls/:id/transfer` body. */
export type TransferCallRequest = z.infer<typeof transferCallRequestSchema>

/** `POST /calls/:id/agent` body. */
export const dispatchAgentRequestSchema = z.object({
  agentName: z.string().min(1).max(128),
  metadata: z.string().max(16_384).optional(),
})
/** `POST /calls/:id/agent` body. */
export type DispatchAgentRequest = z.infer<typeof dispatchAgentRequestSchema>

/** `GET /calls` query. */
export const listCallsQuerySchema = z.object({
  direction: callDirectionSchema.optional(),
  status: callStatusSchema.optional(),
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
  q: z.string().max(64).optional(),
  contactId: z.string().max(128).optional(),
  userId: z.string().max(128).optional(),
  /** Browser rooms of one kind (`support`, …). */
  roomKind: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,31}$/)
    .optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  stats: z.enum(['0', '1', 'true', 'false']).optional(),
})
/** `GET /calls` query. */
export type ListCallsQuery = z.infer<typeof listCallsQuerySchema>

/** Aggregates returned by `GET /calls?stats=1`. */
export const callStatsSchema = z.object({
  total: z.number().int(),
  byStatus: z.record(z.string(), z.number().int()),
  byDirection: z.record(z.string(), z.number().int()),
  answerRate: z.number().nullable(),
  averageDurationSeconds: z.number().nullable(),
  totalDurationSeconds: z.number().int(),
  byUser: z
    .array(z.object({ userId: z.string(), calls: z.number().int(), totalDurationSeconds: z.number().int() }))
    .optional(),
})
/** Aggregates returned by `GET /calls?stats=1`. */
export type CallStats = z.infer<typeof callStatsSchema>

/** `GET /calls` response. */
export const listCallsResponseSchema = z.object({
  calls: z.array(callRecordSchema),
  nextCursor: z.string().nullable(),
  stats: callStatsSchema.optional(),
})
/** `GET /calls` response. */
export type ListCallsResponse = z.infer<typeof listCallsResponseSchema>

/** `GET /calls/:id` response. */
export const callDetailSchema = z.object({
  call: callRecordSchema,
  participants: z.array(callParticipantSchema),
  timeline: z.array(z.object({ at: z.string(), type: z.string(), detail: z.string().nullable() })).optional(),
  transcript: z
    .array(
      z.object({
        at: z.string(),
        speaker: z.string(),
        text: z.string(),
        final: z.boolean(),
        /** Segment id (LiveKit `lk.segment_id`). */
        id: z.string().optional(),
        speakerKind: speakerKindSchema.optional(),
      }),
    )
    .optional(),
  /** The call's recording, when one was ever started (play it through `call.recordingUrl`). */
  recording: recordingInfoSchema.nullable().optional(),
  /** Agents dispatched to the call. */
  agents: z.array(agentDispatchSchema).optional(),
})
/** `GET /calls/:id` response. */
export type CallDetail = z.infer<typeof callDetailSchema>
