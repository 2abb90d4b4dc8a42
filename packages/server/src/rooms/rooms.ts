import {
  type JoinRoomRequest,
  type JoinRoomResponse,
  type RoomInfo,
  roomNameSchema,
} from '@ringline/core/protocol'
import {
  closeCall,
  getOpenCallByRoom,
  getRoomOwner,
  insertCall,
  listOpenInternalCalls,
} from '../calls/callRepository'
import { publicCall, type StoredCall } from '../calls/callRow'
import { CLOSE } from '../calls/lifecycle'
import { listParticipants, markParticipantLeft, upsertParticipant } from '../calls/participantRepository'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { parse } from '../http/validate'
import { isNotFound } from '../livekit'
import type { Queryable } from '../sql/types'
import { internalRoomName, userIdentity } from '../tokens'
import type { Principal } from '../types'

/** Validates a room name from a URL or body. */
export function parseRoomName(name: unknown): string {
  return parse(roomNameSchema, name, 'name')
}

/** The wire form of an internal room with its present participants. */
export async function roomInfo(q: Queryable, call: StoredCall, name?: string): Promise<RoomInfo> {
  const participants = await listParticipants(q, call.id, { presentOnly: true })
  const prefix = `int-${call.tenantId}-`
  return {
    name: name ?? (call.roomName.startsWith(prefix) ? call.roomName.slice(prefix.length) : call.roomName),
    roomName: call.roomName,
    callId: call.id,
    createdBy: call.createdBy,
    startedAt: call.startedAt,
    participants: participants.map((p) => ({
      identity: p.identity,
      userId: p.userId ?? p.identity,
      name: p.name,
      joinedAt: p.joinedAt,
    })),
  }
}

/** Publishes `room.updated` for an internal room (`room: null` once it ended). */
export function publishRoom(
  ctx: RinglineContext,
  tenantId: string,
  name: string,
  room: RoomInfo | null,
): void {
  ctx.hub.publish(tenantId, { type: 'room.updated', name, room })
}

/** Joins (and on first join creates) an internal room; returns the room and a token for it alone. */
export async function joinRoom(
  ctx: RinglineContext,
  principal: Principal,
  rawName: string,
  body: JoinRoomRequest = {},
): Promise<JoinRoomResponse> {
  const name = parseRoomName(rawName)
  const roomName = internalRoomName(principal.tenantId, name)
  const identity = userIdentity(principal.tenantId, principal.userId)
  const displayName = body.displayName ?? principal.name ?? null
  ctx.livekit()
  const room = await ctx.store.transaction(async (tx) => {
    // `int-<tenant>-<name>` can be ambiguous when tenant ids contain '-': the first tenant to use a room name owns it.
    const owner = await getRoomOwner(tx, roomName)
    if (owner !== null && owner !== principal.tenantId) {
      throw new HttpError('FORBIDDEN', 'This room name is taken; choose another.', { field: 'name' })
    }
    let call = await getOpenCallByRoom(tx, roomName)
    if (!call) {
      call = await insertCall(tx, {
        id: crypto.randomUUID(),
        tenantId: principal.tenantId,
        direction: 'internal',
        status: 'in-progress',
        roomName,
        createdBy: principal.userId,
        answeredAt: 'now',
      })
      if (!call) throw new HttpError('CALL_NOT_ACTIVE', 'The room was created at the same moment; try again.')
    }
    await upsertParticipant(tx, {
      callId: call.id,
      identity,
      kind: 'user',
      name: displayName,
      userId: principal.userId,
    })
    return roomInfo(tx, call, name)
  })
  const connection = await ctx.connect(
    { ...principal, ...(displayName ? { name: displayName } : {}) },
    roomName,
  )
  publishRoom(ctx, principal.tenantId, name, room)
  return { room, connection, canEnd: mayEndRoom(principal, room.createdBy) }
}

/** The room's creator and admins may end it for everyone. */
function mayEndRoom(principal: Principal, createdBy: string | null): boolean {
  return createdBy === principal.userId || principal.role === 'admin'
}

/** The tenant's active internal rooms with their participants. */
export async function listRooms(ctx: RinglineContext, principal: Principal): Promise<{ rooms: RoomInfo[] }> {
  const calls = await listOpenInternalCalls(ctx.store, principal.tenantId)
  const rooms: RoomInfo[] = []
  for (const call of calls) rooms.push(await roomInfo(ctx.store, call))
  return { rooms }
}

async function openRoom(ctx: RinglineContext, principal: Principal, rawName: string) {
  const name = parseRoomName(rawName)
  const call = await getOpenCallByRoom(ctx.store, internalRoomName(principal.tenantId, name))
  if (!call || call.tenantId !== principal.tenantId || call.direction !== 'internal') {
    throw new HttpError('ROOM_NOT_FOUND', `No active room named "${name}".`)
  }
  return { name, call }
}

/** Records the caller leaving an internal room. */
export async function leaveRoom(
  ctx: RinglineContext,
  principal: Principal,
  rawName: string,
): Promise<{ room: RoomInfo }> {
  const { name, call } = await openRoom(ctx, principal, rawName)
  await markParticipantLeft(ctx.store, call.id, userIdentity(principal.tenantId, principal.userId))
  const room = await roomInfo(ctx.store, call, name)
  publishRoom(ctx, principal.tenantId, name, room)
  return { room }
}

/** Ends an internal room for everyone (its creator or an admin only): deletes the LiveKit room and closes the record. */
export async function endRoom(
  ctx: RinglineContext,
  principal: Principal,
  rawName: string,
): Promise<{ call: ReturnType<typeof publicCall> }> {
  const { name, call } = await openRoom(ctx, principal, rawName)
  if (!mayEndRoom(principal, call.createdBy)) {
    throw new HttpError('FORBIDDEN', 'Only the person who started the room or an admin can end it.')
  }
  try {
    await ctx.livekit().room.deleteRoom(call.roomName)
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
  const closed = (await closeCall(ctx.store, call.id, CLOSE.completed)) ?? call
  publishRoom(ctx, principal.tenantId, name, null)
  return { call: publicCall(closed, ctx.config.basePath) }
}
