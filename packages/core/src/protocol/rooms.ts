import { z } from 'zod'
import { connectionSchema } from './calls'
import { ROOM_NAME_PATTERN } from './constants'

/** A team-room name as users type it: 1–48 chars of lowercase letters, digits, `-` and `_`, starting with a letter or digit. */
export const roomNameSchema = z
  .string()
  .min(1)
  .max(48)
  .regex(ROOM_NAME_PATTERN, 'use lowercase letters, digits, "-" and "_", starting with a letter or digit')

/**
 * A room kind (`support`, `conference`, …): 1–32 lowercase letters, digits, `-` or `_`, starting with a letter. The
 * server's `rooms.kinds` option names the kinds it accepts and their policies (agent, recording).
 */
export const roomKindSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'use 1–32 lowercase letters, digits, "-" and "_", starting with a letter')
/** A room kind. */
export type RoomKind = z.infer<typeof roomKindSchema>

/** `POST /rooms/:name/join` body; `kind` applies when this join creates the room. */
export const joinRoomRequestSchema = z.object({
  displayName: z.string().trim().min(1).max(64).optional(),
  kind: roomKindSchema.optional(),
})
/** `POST /rooms/:name/join` body. */
export type JoinRoomRequest = z.infer<typeof joinRoomRequestSchema>

/** A participant of an internal room. */
export const roomParticipantSchema = z.object({
  identity: z.string(),
  userId: z.string(),
  name: z.string().nullable(),
  joinedAt: z.string().nullable(),
})
/** A participant of an internal room. */
export type RoomParticipant = z.infer<typeof roomParticipantSchema>

/** An active internal room of the caller's tenant. */
export const roomInfoSchema = z.object({
  name: z.string(),
  roomName: z.string(),
  callId: z.string(),
  createdBy: z.string().nullable(),
  startedAt: z.string(),
  participants: z.array(roomParticipantSchema),
  /** The room's kind, fixed by the join that created it; null for plain team rooms. */
  kind: z.string().nullable().optional(),
})
/** An active internal room. */
export type RoomInfo = z.infer<typeof roomInfoSchema>

/** `POST /rooms/:name/join` response. */
export const joinRoomResponseSchema = z.object({
  room: roomInfoSchema,
  connection: connectionSchema,
  /** Whether the caller may end the room for everyone (its creator or an admin). */
  canEnd: z.boolean().optional(),
  /** Whether the room kind's agent is in the room (dispatched by this join or an earlier one); absent without one. */
  agentSpawned: z.boolean().optional(),
})
/** `POST /rooms/:name/join` response. */
export type JoinRoomResponse = z.infer<typeof joinRoomResponseSchema>

/** `GET /rooms` response. */
export const listRoomsResponseSchema = z.object({ rooms: z.array(roomInfoSchema) })
/** `GET /rooms` response. */
export type ListRoomsResponse = z.infer<typeof listRoomsResponseSchema>

/** `POST /token` body: a token for an internal room. */
export const tokenRequestSchema = z.object({
  room: roomNameSchema,
  displayName: z.string().trim().min(1).max(64).optional(),
  kind: roomKindSchema.optional(),
  transport: z.enum(['livekit', 'twilio']).optional(),
})
/** `POST /token` body. */
export type TokenRequest = z.infer<typeof tokenRequestSchema>

/** `POST /token` response for a room: the connection plus the room's call id and whether its kind's agent joined. */
export const roomTokenResponseSchema = connectionSchema.extend({
  callId: z.string().optional(),
  kind: z.string().nullable().optional(),
  agentSpawned: z.boolean().optional(),
})
/** `POST /token` response for a room. */
export type RoomTokenResponse = z.infer<typeof roomTokenResponseSchema>

/**
 * `POST /ready-check` response: a short-lived token for a private test room of its own (`rc-…`) that no call record,
 * event, recording or agent ever sees, for the ready check's connection test.
 */
export const readyCheckConnectionSchema = z.object({
  connection: connectionSchema,
  roomName: z.string(),
})
/** `POST /ready-check` response. */
export type ReadyCheckConnection = z.infer<typeof readyCheckConnectionSchema>

/**
 * `POST /rooms/:name/agent` body: the agent to dispatch (default: the room kind's agent) and free-form options
 * (`voice`, `prompt`, …) handed to it as JSON job metadata.
 */
export const roomAgentRequestSchema = z.object({
  agentName: z.string().min(1).max(128).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
})
/** `POST /rooms/:name/agent` body. */
export type RoomAgentRequest = z.infer<typeof roomAgentRequestSchema>
