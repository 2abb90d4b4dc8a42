import { z } from 'zod'
import { callRecordSchema } from './calls'
import type { EVENT_TYPES } from './constants'
import { roomInfoSchema } from './rooms'

/** Name of an event on `GET /events`. */
export type RinglineEventType = (typeof EVENT_TYPES)[number]

const base = { id: z.string(), at: z.string() }

/**
 * The ring of a user's browsers for an outbound call that user placed through the server (Twilio Voice,
 * `initiate: 'server'`): `callSid` is Twilio's browser leg, which the placing tab accepts itself; `answered` once a
 * browser took it. Other tabs and devices of the user list it as ringing (not theirs to answer) until then.
 */
export const serverDialRingSchema = z.object({ callSid: z.string(), answered: z.boolean() })
/** The ring of a user's browsers for a call they placed through the server. */
export type ServerDialRing = z.infer<typeof serverDialRingSchema>

/** An inbound call is ringing for the tenant's agents, or (`serverDial`) a server-placed call rings its user's browsers. */
export const callIncomingEventSchema = z.object({
  ...base,
  type: z.literal('call.incoming'),
  call: callRecordSchema,
  serverDial: serverDialRingSchema.optional(),
})
/** A call changed: status, answered by, SIP result; `serverDial` once a browser answered a server-placed call's ring. */
export const callUpdatedEventSchema = z.object({
  ...base,
  type: z.literal('call.updated'),
  call: callRecordSchema,
  serverDial: serverDialRingSchema.optional(),
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
