import { z } from 'zod'
import { connectionSchema } from './calls'
import { ROOM_NAME_PATTERN } from './constants'

/** A team-room name as users type it: 1–48 chars of lowercase letters, digits, `-` and `_`, starting with a letter or digit. */
export const roomNameSchema = z
  .string()
  .min(1)
  .max(48)
  .regex(ROOM_NAME_PATTERN, 'use lowercase letters, digits, "-" and "_", starting with a letter or digit')

/** `POST /rooms/:name/join` body. */
export const joinRoomRequestSchema = z.object({ displayName: z.string().trim().min(1).max(64).optional() })
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
})
/** An active internal room. */
export type RoomInfo = z.infer<typeof roomInfoSchema>

/** `POST /rooms/:name/join` response. */
export const joinRoomResponseSchema = z.object({
  room: roomInfoSchema,
  connection: connectionSchema,
  /** Whether the caller may end the room for everyone (its creator or an admin). */
  canEnd: z.boolean().optional(),
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
  transport: z.enum(['livekit', 'twilio']).optional(),
})
/** `POST /token` body. */
export type TokenRequest = z.infer<typeof tokenRequestSchema>
