import { z } from 'zod'
import { callRecordSchema } from './calls'
import type { EVENT_TYPES } from './constants'
import { roomInfoSchema } from './rooms'

/** Name of an event on `GET /events`. */
export type RinglineEventType = (typeof EVENT_TYPES)[number]

const base = { id: z.string(), at: z.string() }

/** An inbound call is ringing for the tenant's agents. */
export const callIncomingEventSchema = z.object({
  ...base,
  type: z.literal('call.incoming'),
  call: callRecordSchema,
})
/** A call changed: status, answered by, SIP result. */
export const callUpdatedEventSchema = z.object({
  ...base,
  type: z.literal('call.updated'),
  call: callRecordSchema,
})
/** A call reached a final status. */
export const callEndedEventSchema = z.object({
  ...base,
  type: z.literal('call.ended'),
  call: callRecordSchema,
})
/** An internal room changed (participants joined or left, ended). `room` is null once it ended. */
export const roomUpdatedEventSchema = z.object({
  ...base,
  type: z.literal('room.updated'),
  name: z.string(),
  room: roomInfoSchema.nullable(),
})

/** Any event on `GET /events`, discriminated by `type`. */
export const ringlineEventSchema = z.discriminatedUnion('type', [
  callIncomingEventSchema,
  callUpdatedEventSchema,
  callEndedEventSchema,
  roomUpdatedEventSchema,
])
/** Any event on `GET /events`. */
export type RinglineEvent = z.infer<typeof ringlineEventSchema>
/** The event of one type. */
export type RinglineEventOf<T extends RinglineEventType> = Extract<RinglineEvent, { type: T }>
