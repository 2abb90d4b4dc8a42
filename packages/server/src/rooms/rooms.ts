import {
  type DispatchAgentResponse,
  type JoinRoomRequest,
  type JoinRoomResponse,
  type RoomAgentRequest,
  type RoomInfo,
  type RoomTokenResponse,
  roomNameSchema,
} from '@ringline/core/protocol'
import { afterAnswered, afterEnded } from '../calls/callMedia'
import {
  afterClose,
  closeCall,
  getOpenCallByRoom,
  getRoomOwner,
  insertCall,
  latestCallByRoom,
  listOpenInternalCalls,
} from '../calls/callRepository'
import { type CallRow, callFromJson, publicCall, type StoredCall } from '../calls/callRow'
import { CLOSE } from '../calls/lifecycle'
import {
  listParticipants,
  markParticipantLeft,
  type ParticipantListRow,
  participantFromRow,
  participantsQuery,
  recordRequestedJoinAsRead,
  type StoredParticipant,
  upsertParticipant,
} from '../calls/participantRepository'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { parse } from '../http/validate'
import { isNotFound } from '../livekit'
import { accessRevoked, assertNotRevoked } from '../revocation/revocation'
import { preparable } from '../sql/prepared'
import { json } from '../sql/rows'
import type { Queryable } from '../sql/types'
import { internalRoomName, userIdentity } from '../tokens'
import type { Principal } from '../types'
import { dispatchRoomKindAgent, inviteRoomAgent, roomKindOf, roomKindPolicy } from './roomKinds'

/** Validates a room name from a URL or body. */
export function parseRoomName(name: unknown): string {
  return parse(roomNameSchema, name, 'name')
}

/** The 403 for a room name another tenant holds (`int-<tenant>-<name>` is ambiguous when tenant ids contain '-'). */
function roomNameTaken(): HttpError {
  return new HttpError('FORBIDDEN', 'This room name is taken; choose another.', { field: 'name' })
}

/** The wire form of an internal room with its present participants. */
export async function roomInfo(q: Queryable, call: StoredCall, name?: string): Promise<RoomInfo> {
  return roomInfoOf(call, await listParticipants(q, call.id, { presentOnly: true }), name)
}

const ROOMS_PARTICIPANTS = preparable(
  participantsQuery('ANY($1::text[])', { presentOnly: true, withCallId: true }),
)

/** `roomInfo` of several rooms (each `call` with its `name`), their present participants read in one statement. */
export async function roomInfos(
  q: Queryable,
  rooms: ReadonlyArray<{ call: StoredCall; name?: string }>,
): Promise<RoomInfo[]> {
  if (rooms.length === 0) return []
  const { rows } = await q.query<ParticipantListRow & { call_id: string }>(ROOMS_PARTICIPANTS, [
    rooms.map((r) => r.call.id),
  ])
  return roomInfosOfRows(rooms, rows)
}

/**
 * The statement `roomInfosFromRead` takes (with `roomsParticipantsByName`'s parameters): for each LiveKit room named,
 * its call (the open one, else the last) with each present participant, or one row without an identity when it has
 * none. One statement text whatever the rooms (their names are one JSON parameter): prepared once.
 */
export const ROOMS_PARTICIPANTS_BY_NAME = preparable(
  `SELECT c.id AS call_id, p.identity, p.kind, p.name, p.user_id, p.joined_at, p.left_at, p.muted
     FROM jsonb_array_elements_text($1::jsonb) AS r(name)
     CROSS JOIN LATERAL (${latestCallByRoom('r.name')}) AS c
     LEFT JOIN LATERAL (${participantsQuery('c.id', { presentOnly: true })}) AS p ON true
     ORDER BY p.joined_at ASC, p.identity ASC`,
)

/** `ROOMS_PARTICIPANTS_BY_NAME`'s statement and parameters for the LiveKit rooms `roomNames`. */
export function roomsParticipantsByName(roomNames: readonly string[]): { sql: string; params: unknown[] } {
  return { sql: ROOMS_PARTICIPANTS_BY_NAME, params: [JSON.stringify(roomNames)] }
}

/** `roomInfos` from the rows of `roomsParticipantsByName`, or null when one of the calls is not among them. */
export function roomInfosFromRead(
  rooms: ReadonlyArray<{ call: StoredCall; name?: string }>,
  rows: ReadonlyArray<Record<string, unknown>>,
): RoomInfo[] | null {
  const read = rows as unknown as ReadonlyArray<
    ParticipantListRow & { call_id: string; identity: string | null }
  >
  const calls = new Set(read.map((r) => r.call_id))
  if (!rooms.every((r) => calls.has(r.call.id))) return null
  return roomInfosOfRows(
    rooms,
    read.filter((r) => r.identity !== null),
  )
}

/** `roomInfo` of each of `rooms` from its call's present participants among `rows` (in their order). */
function roomInfosOfRows(
  rooms: ReadonlyArray<{ call: StoredCall; name?: string }>,
  rows: ReadonlyArray<ParticipantListRow & { call_id: string }>,
): RoomInfo[] {
  const now = Date.now()
  const byCall = new Map<string, Awaited<ReturnType<typeof listParticipants>>>()
  for (const row of rows) {
    const list = byCall.get(row.call_id) ?? []
    if (list.length === 0) byCall.set(row.call_id, list)
    list.push(participantFromRow(row, now))
  }
  return rooms.map((r) => roomInfoOf(r.call, byCall.get(r.call.id) ?? [], r.name))
}

/** `roomInfo` from participants already read. */
function roomInfoOf(
  call: StoredCall,
  participants: Awaited<ReturnType<typeof listParticipants>>,
  name?: string,
): RoomInfo {
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
    kind: roomKindOf(call),
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

/**
 * Joins (and on first join creates) an internal room; returns the room and a token for it alone. `kind` names a
 * room kind of `rooms.kinds` and applies when this join creates the room: its agent is dispatched once per room
 * (`agentSpawned`), and the first join starts recording and transcripts by policy, as an answer does for phone calls.
 */
export async function joinRoom(
  ctx: RinglineContext,
  principal: Principal,
  rawName: string,
  body: JoinRoomRequest = {},
  options: { checkRevoked?: boolean } = {},
): Promise<JoinRoomResponse & { callId: string }> {
  const name = parseRoomName(rawName)
  if (body.kind !== undefined) roomKindPolicy(ctx, body.kind)
  const roomName = internalRoomName(principal.tenantId, name)
  const identity = userIdentity(principal.tenantId, principal.userId)
  const displayName = body.displayName ?? principal.name ?? null
  ctx.livekit()
  let created: StoredCall | null = null
  const participant = {
    identity,
    kind: 'user' as const,
    name: displayName,
    userId: principal.userId,
  }
  const joined =
    (await joinOpenRoom(ctx, principal, roomName, name, participant, options)) ?? (await joinInTransaction())
  async function joinInTransaction(): Promise<{ room: RoomInfo; call: StoredCall; changed: boolean }> {
    if (options.checkRevoked) await assertNotRevoked(ctx, principal.tenantId, principal.userId)
    return ctx.store.transaction(async (tx) => {
      // `int-<tenant>-<name>` can be ambiguous when tenant ids contain '-': the first tenant to use a room name owns it.
      const owner = await getRoomOwner(tx, roomName)
      if (owner !== null && owner !== principal.tenantId) {
        throw roomNameTaken()
      }
      let call = await getOpenCallByRoom(tx, roomName)
      if (!call) {
        created = await insertCall(tx, {
          id: crypto.randomUUID(),
          tenantId: principal.tenantId,
          direction: 'internal',
          status: 'in-progress',
          roomName,
          createdBy: principal.userId,
          answeredAt: 'now',
          ...(body.kind ? { roomKind: body.kind } : {}),
        })
        // Another server created it at the same moment: its row is committed once our insert returned.
        call = created ?? (await getOpenCallByRoom(tx, roomName))
        if (!call)
          throw new HttpError('CALL_NOT_ACTIVE', 'The room was created at the same moment; try again.')
      }
      await upsertParticipant(tx, { callId: call.id, ...participant })
      return { room: await roomInfo(tx, call, name), call, changed: true }
    })
  }
  const { room, call } = joined
  const connection = await ctx.connect(
    { ...principal, ...(displayName ? { name: displayName } : {}) },
    roomName,
  )
  // A join that changed nothing (the user's earlier join is still open) changed no one's view of the room.
  if (joined.changed) publishRoom(ctx, principal.tenantId, name, room)
  // The room started: recording and transcripts by policy, as when a phone call is answered.
  if (created) afterAnswered(ctx, created)
  const agentSpawned = await dispatchRoomKindAgent(ctx, call)
  return {
    room,
    connection,
    canEnd: mayEndRoom(principal, room.createdBy),
    callId: call.id,
    ...(agentSpawned === undefined ? {} : { agentSpawned }),
  }
}

/** What `joinOpenRoom` reads in one statement: the open call (null when none) and the rest. */
interface OpenRoomRow {
  call: CallRow | string | null
  owner: string | null
  revoked: boolean
  me_sessions: StoredParticipant['sessions']
  me_kind: string | null
  me_name: string | null
  me_user_id: string | null
  me_joined_at: Date | string | null
  me_left_at: Date | string | null
  present: ParticipantListRow[] | string
}

/**
 * The statement of `joinOpenRoom`, with or without the revocation check. Prepared on PostgreSQL (it runs on every
 * `POST /token`): the call comes as one JSON value, so its result type stays the same when a migration adds a column.
 */
const openRoomStatement = (checkRevoked: boolean): string =>
  preparable(`SELECT to_jsonb(c) AS call, o.owner,
       ${checkRevoked ? 'EXISTS (SELECT 1 FROM ringline_revoked_users WHERE tenant_id = $3 AND user_id = $4)' : 'false'} AS revoked,
       me.sessions AS me_sessions, me.kind AS me_kind, me.name AS me_name, me.user_id AS me_user_id,
       me.joined_at AS me_joined_at, me.left_at AS me_left_at,
       (SELECT COALESCE(json_agg(p ORDER BY p.joined_at ASC, p.identity ASC), '[]'::json)
          FROM (${participantsQuery('c.id', { presentOnly: true })}) p) AS present
     FROM (SELECT (SELECT tenant_id FROM ringline_calls WHERE room_name = $1 ORDER BY started_at ASC LIMIT 1) AS owner) o
     LEFT JOIN ringline_calls c ON c.room_name = $1 AND c.ended_at IS NULL
     LEFT JOIN ringline_call_participants me ON me.call_id = c.id AND me.identity = $2`)
const OPEN_ROOM = openRoomStatement(false)
const OPEN_ROOM_CHECKING_REVOKED = openRoomStatement(true)

/**
 * The join of a room that is open already, without a transaction: one statement reads the room's owner, its open
 * call, the joiner's row, the present participants (and whether the user is revoked); the joiner's row is then
 * written only when the join changes it, conditionally on it being as read. Null when the transactional join must
 * do it: no open call yet, or the row changed between the read and the write.
 */
async function joinOpenRoom(
  ctx: RinglineContext,
  principal: Principal,
  roomName: string,
  name: string,
  participant: { identity: string; kind: 'user'; name: string | null; userId: string },
  options: { checkRevoked?: boolean },
): Promise<{ room: RoomInfo; call: StoredCall; changed: boolean } | null> {
  const { rows } = await ctx.store.query<OpenRoomRow>(
    options.checkRevoked ? OPEN_ROOM_CHECKING_REVOKED : OPEN_ROOM,
    options.checkRevoked
      ? [roomName, participant.identity, principal.tenantId, principal.userId]
      : [roomName, participant.identity],
  )
  const row = rows[0]
  if (!row) return null
  if (row.revoked) throw accessRevoked()
  if (row.owner !== null && row.owner !== principal.tenantId) {
    throw roomNameTaken()
  }
  const call = callFromJson(row.call)
  if (call === null) return null
  const stored: StoredParticipant | null =
    row.me_kind === null
      ? null
      : {
          sessions: row.me_sessions,
          kind: row.me_kind,
          name: row.me_name,
          user_id: row.me_user_id,
          joined_at: row.me_joined_at,
          left_at: row.me_left_at,
        }
  const outcome = await recordRequestedJoinAsRead(ctx.store, { callId: call.id, ...participant }, stored)
  if (outcome === 'conflict') return null
  if (outcome === 'written') return { room: await roomInfo(ctx.store, call, name), call, changed: true }
  const now = Date.now()
  const present = json<ParticipantListRow[]>(row.present).map((p) => participantFromRow(p, now))
  return { room: roomInfoOf(call, present, name), call, changed: false }
}

/** `POST /token` for a room: the connection plus the room's call id, kind and whether its kind's agent is in it. */
export async function roomToken(
  ctx: RinglineContext,
  principal: Principal,
  body: { room: string; displayName?: string | undefined; kind?: string | undefined },
  options: { checkRevoked?: boolean } = {},
): Promise<RoomTokenResponse> {
  const joined = await joinRoom(
    ctx,
    principal,
    body.room,
    {
      ...(body.displayName ? { displayName: body.displayName } : {}),
      ...(body.kind ? { kind: body.kind } : {}),
    },
    options,
  )
  return {
    ...joined.connection,
    callId: joined.callId,
    kind: joined.room.kind ?? null,
    ...(joined.agentSpawned === undefined ? {} : { agentSpawned: joined.agentSpawned }),
  }
}

/** Invites an agent into an open room of the caller's tenant (`POST /rooms/:name/agent`), once per agent name. */
export async function inviteAgentToRoom(
  ctx: RinglineContext,
  principal: Principal,
  rawName: string,
  body: RoomAgentRequest,
): Promise<DispatchAgentResponse> {
  const { call } = await openRoom(ctx, principal, rawName)
  return inviteRoomAgent(ctx, call, body)
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
  const ended = await closeCall(ctx.store, call.id, CLOSE.completed)
  if (ended) afterEnded(ctx, ended)
  const closed = await afterClose(ctx.store, call, ended)
  publishRoom(ctx, principal.tenantId, name, null)
  return { call: publicCall(closed, ctx.config.basePath) }
}
