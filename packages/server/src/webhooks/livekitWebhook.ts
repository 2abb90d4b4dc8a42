import { DisconnectReason, ParticipantInfo_Kind, TrackSource, TrackType } from '@livekit/protocol'
import type { RoomInfo } from '@ringline/core/protocol'
import type { ParticipantInfo, TrackInfo, WebhookEvent } from 'livekit-server-sdk'
import { publishCall } from '../calls/callEvents'
import { afterAnswered, afterEnded } from '../calls/callMedia'
import {
  answerMissedCall,
  claimCall,
  closeCall,
  firstAgentJoin,
  getCallById,
  getLatestCallByRoom,
  hasLeftRoom,
  insertCall,
  listMicrophoneEvents,
  pruneWebhookEvents,
  type RecordedWithFact,
  recordWebhookEvent,
  recordWebhookEventReadingCall,
  recordWebhookEventsWithFacts,
  recordWebhookEventWithFact,
  roomHasOtherWebhooks,
  setInboundLeg,
  updateInternals,
  type WebhookEventRecord,
  type WebhookFact,
} from '../calls/callRepository'
import type { CallInternals, StoredCall } from '../calls/callRow'
import {
  consultPhoneIdentity,
  consultPhoneLeft,
  consultVoiceIdentity,
  handedToPhone,
  isPhoneConsult,
} from '../calls/consultPhone'
import { closeOnPhoneLegLost, closeOnRoomFinished, closeOnRoomLeft } from '../calls/lifecycle'
import {
  listParticipants,
  type MuteFact,
  type ParticipantRow,
  recordMuteFact,
  recordParticipantFact,
} from '../calls/participantRepository'
import type { SessionFact } from '../calls/presence'
import { endCallRoom } from '../calls/sharedRoom'
import type { RinglineContext } from '../context'
import { pruneEventLog } from '../events/eventHub'
import { HttpError } from '../http/errors'
import { isNotFound } from '../livekit'
import { getNumberConnection, type NumberConnectionRow } from '../numbers/numberRepository'
import { publishRoom, roomInfos, roomInfosFromRead, roomsParticipantsByName } from '../rooms/rooms'
import { deferOrQuery, quoteLiteral } from '../sql/prepared'
import type { EachOptions, Queryable, Transaction } from '../sql/types'
import {
  inboundRoomCaller,
  inboundRoomPrefix,
  readInboundRoomMetadata,
  TENANT_ID_PATTERN,
  userIdentity,
} from '../tokens'

/** How a phone leg leaves when it was lost rather than hung up (LiveKit's `disconnectReason`). */
const LOST_LEG = new Set<DisconnectReason>([
  DisconnectReason.CONNECTION_TIMEOUT,
  DisconnectReason.SIGNAL_CLOSE,
  DisconnectReason.STATE_MISMATCH,
  DisconnectReason.JOIN_FAILURE,
  DisconnectReason.SERVER_SHUTDOWN,
  DisconnectReason.MEDIA_FAILURE,
  DisconnectReason.SIP_TRUNK_FAILURE,
])

/** What the webhook did with an event. */
export type WebhookOutcome = 'processed' | 'duplicate' | 'ignored'

/** Work that must only happen once the transaction committed. */
interface Effects {
  publish: Array<(() => void) | RoomRefresh>
  after: Array<() => Promise<unknown>>
}

/**
 * An internal room whose participants changed. A batch publishes each room once, with the participants as the
 * whole batch left them, at the place of its last change: one read per batch, not one per webhook, and no
 * `room.updated` that the same commit already made stale.
 */
interface RoomRefresh {
  room: StoredCall
}

function participantKind(p: ParticipantInfo): 'user' | 'sip' | 'agent' | 'other' {
  if (p.kind === ParticipantInfo_Kind.SIP) return 'sip'
  if (p.kind === ParticipantInfo_Kind.AGENT) return 'agent'
  if (p.kind === ParticipantInfo_Kind.STANDARD) return 'user'
  return 'other'
}

// `joinedAt` is a protobuf int64: a bigint of Unix seconds (0 when absent).
function joinedAt(p: ParticipantInfo): Date | undefined {
  const seconds = Number(p.joinedAt ?? 0n)
  return seconds > 0 ? new Date(seconds * 1000) : undefined
}

/** When LiveKit created the event (`createdAt`, Unix seconds); now when absent. */
function eventTime(event: WebhookEvent): Date {
  const seconds = Number(event.createdAt ?? 0n)
  return seconds > 0 ? new Date(seconds * 1000) : new Date()
}

/** The join or leave of one LiveKit session (`sid`) this event reports. */
function sessionFact(event: WebhookEvent, p: ParticipantInfo, type: SessionFact['type']): SessionFact {
  const at = type === 'joined' ? (joinedAt(p) ?? eventTime(event)) : eventTime(event)
  return { sid: p.sid || p.identity, type, at: at.toISOString() }
}

function participantRow(call: StoredCall, p: ParticipantInfo): ParticipantRow {
  return {
    callId: call.id,
    identity: p.identity,
    kind: participantKind(p),
    name: p.name || null,
    userId: userIdOf(p.identity, call.tenantId),
  }
}

/**
 * Whether an event belongs to `call`: a room name is reused by later internal calls, and each LiveKit room
 * instance has its own sid, so an event of another instance than the one the call first saw is an earlier call's.
 */
function belongsTo(call: StoredCall, event: WebhookEvent): boolean {
  const sid = event.room?.sid
  return !sid || !call.internals.roomSid || call.internals.roomSid === sid
}

/** The first room instance a call sees is its own (see `belongsTo`). */
async function bindRoom(tx: Queryable, call: StoredCall, event: WebhookEvent): Promise<void> {
  const sid = event.room?.sid
  if (sid && !call.internals.roomSid) await updateInternals(tx, call.id, { roomSid: sid })
}

/** `call` while it is open (the room's open call, as `getOpenCallByRoom` reads it), else `null`. */
const openOnly = (call: StoredCall | null): StoredCall | null => (call?.endedAt === null ? call : null)

function userIdOf(identity: string, tenantId: string): string | null {
  return identity.startsWith(`${tenantId}:`) ? identity.slice(tenantId.length + 1) : null
}

function internalName(call: StoredCall): string {
  return call.roomName.slice(`int-${call.tenantId}-`.length)
}

/** An inbound SIP caller whose `ringline.tenant` is missing or names another workspace: logged and hung up. */
function hangUpInvalidCaller(
  ctx: RinglineContext,
  roomName: string,
  p: ParticipantInfo,
  effects: Effects,
): void {
  ctx.logger.warn('ringline: inbound SIP call without a valid ringline.tenant attribute; hanging up', {
    roomName,
    identity: p.identity,
  })
  effects.after.push(() => ctx.livekit().room.removeParticipant(roomName, p.identity))
}

/**
 * The caller's join of an inbound room that has no call yet (its rule gave the room no metadata, or the join was
 * delivered before `room_started`): checks its workspace and number, records the call and rings it, or records it
 * missed when the caller's leave was delivered first.
 */
async function onInboundSipJoined(
  ctx: RinglineContext,
  tx: Queryable,
  event: WebhookEvent,
  roomName: string,
  p: ParticipantInfo,
  effects: Effects,
): Promise<void> {
  const attrs = p.attributes ?? {}
  const tenantId = attrs['ringline.tenant']
  const number = attrs['ringline.number'] ?? attrs['sip.trunkPhoneNumber'] ?? null
  const connection = number ? await getNumberConnection(tx, number) : null
  const valid =
    tenantId !== undefined &&
    TENANT_ID_PATTERN.test(tenantId) &&
    roomName.startsWith(`${inboundRoomPrefix(tenantId)}_`) &&
    (!connection || connection.tenantId === tenantId)
  if (!valid) {
    hangUpInvalidCaller(ctx, roomName, p, effects)
    return
  }
  // The caller's leave (or the room's end) may have been delivered before this join: then the call is recorded,
  // already missed, and nobody is rung.
  const gone = await hasLeftRoom(tx, roomName, p.identity)
  const call = await insertInboundCall(tx, connection, {
    tenantId,
    roomName,
    fromNumber: attrs['sip.phoneNumber'] ?? null,
    number,
    sipCallId: attrs['sip.callID'] ?? null,
    sipIdentity: p.identity,
  })
  if (!call) return
  const row: ParticipantRow = { ...participantRow(call, p), kind: 'sip' }
  await recordParticipantFact(tx, row, sessionFact(event, p, 'joined'))
  // The caller's microphone events delivered before this join found no call: apply them now.
  for (const m of await listMicrophoneEvents(tx, roomName, p.identity))
    await recordMuteFact(tx, row, muteFact(m.event, m.at, m.muted))
  // An agent's join delivered before this one answered the call (unless it came after the caller left).
  const agent = await firstAgentJoin(tx, roomName)
  if (agent && (!gone || agent.at <= gone)) {
    const claimed = await claimCall(tx, call.tenantId, call.id, `agent:${agent.identity}`)
    if (claimed && gone) {
      await recordParticipantFact(tx, row, { sid: p.sid || p.identity, type: 'left', at: gone.toISOString() })
      const closed = await closeCall(tx, call.id, closeOnRoomLeft(claimed))
      if (closed) effects.publish.push(() => publishCall(ctx, 'call.ended', closed))
    } else if (claimed) {
      effects.publish.push(() => publishCall(ctx, 'call.updated', claimed))
      effects.after.push(async () => afterAnswered(ctx, claimed))
    }
    return
  }
  if (gone) {
    await recordParticipantFact(tx, row, { sid: p.sid || p.identity, type: 'left', at: gone.toISOString() })
    const closed = await closeCall(tx, call.id, closeOnRoomLeft(call))
    if (closed) effects.publish.push(() => publishCall(ctx, 'call.ended', closed))
    return
  }
  ring(ctx, call, effects)
}

/** Records a ringing inbound call of a number (ringing as its connection's routing policy says). */
function insertInboundCall(
  tx: Queryable,
  connection: NumberConnectionRow | null,
  leg: {
    tenantId: string
    roomName: string
    fromNumber: string | null
    number: string | null
    sipCallId: string | null
    sipIdentity: string
    internals?: CallInternals
  },
): Promise<StoredCall | null> {
  const policy = connection?.routingPolicy ?? { policy: 'ring-all' as const }
  return insertCall(tx, {
    id: crypto.randomUUID(),
    tenantId: leg.tenantId,
    direction: 'inbound',
    status: 'ringing',
    roomName: leg.roomName,
    fromNumber: leg.fromNumber,
    toNumber: leg.number,
    sipCallId: leg.sipCallId,
    internals: {
      sipIdentity: leg.sipIdentity,
      ...(leg.number ? { number: leg.number } : {}),
      ...(policy.policy === 'ring-user' && policy.users ? { ringUsers: policy.users } : {}),
      ...leg.internals,
    },
  })
}

/** Rings a new inbound call: `call.incoming` once committed, then its routing policy's agent, if any. */
function ring(ctx: RinglineContext, call: StoredCall, effects: Effects): void {
  effects.publish.push(() => publishCall(ctx, 'call.incoming', call))
  // Routing policies may send an agent now (agent-first) or after a while (agent-on-no-answer).
  effects.after.push(() => ctx.media.scheduler.onCallEvent(call.id, 'ringing'))
}

/**
 * An inbound call rings as its room starts. LiveKit SIP creates the room (with the metadata of the number's
 * dispatch rule, see `inboundRoomMetadata`) before the caller's leg has joined it: `room_started` comes tens of ms
 * before the caller's `participant_joined`. The call's leg is filled in by that join (`legPending`), whose identity
 * LiveKit derives from the room's caller (`sip_<from>`). Only when the start is the first webhook of the room
 * delivered: otherwise the caller's join records the call as before, knowing what was delivered ahead of it.
 */
async function onRoomStarted(
  ctx: RinglineContext,
  tx: Queryable,
  event: WebhookEvent,
  effects: Effects,
  start: Start,
): Promise<void> {
  const roomName = event.room?.name
  if (!roomName?.startsWith('in-') || start.call) return
  const meta = readInboundRoomMetadata(event.room?.metadata)
  if (!meta || !TENANT_ID_PATTERN.test(meta.tenantId)) return
  const from = inboundRoomCaller(roomName, meta.tenantId)
  if (!from) return
  const connection = await getNumberConnection(tx, meta.number)
  if (connection?.tenantId !== meta.tenantId) return
  if (await roomHasOtherWebhooks(tx, roomName, event.id ?? '')) return
  const call = await insertInboundCall(tx, connection, {
    tenantId: meta.tenantId,
    roomName,
    fromNumber: from,
    number: meta.number,
    sipCallId: null,
    sipIdentity: `sip_${from}`,
    internals: { legPending: true, ...(event.room?.sid ? { roomSid: event.room.sid } : {}) },
  })
  if (call) ring(ctx, call, effects)
}

/**
 * The caller's join of an inbound call rung as its room started: the leg as the join names it, announced as
 * `call.updated`. A join that names another workspace than the room's metadata (never from Ringline's own dispatch
 * rules) is hung up.
 */
async function completeInboundLeg(
  ctx: RinglineContext,
  tx: Queryable,
  call: StoredCall,
  roomName: string,
  p: ParticipantInfo,
  effects: Effects,
): Promise<void> {
  const attrs = p.attributes ?? {}
  if (attrs['ringline.tenant'] !== call.tenantId) {
    hangUpInvalidCaller(ctx, roomName, p, effects)
    return
  }
  const updated = await setInboundLeg(tx, call.id, {
    sipIdentity: p.identity,
    sipCallId: attrs['sip.callID'] ?? null,
    fromNumber: attrs['sip.phoneNumber'] ?? null,
  })
  // Browsers were rung with the call as the room named it: tell them its SIP call id (and number) now.
  if (updated && (updated.sipCallId !== call.sipCallId || updated.fromNumber !== call.fromNumber))
    effects.publish.push(() => publishCall(ctx, 'call.updated', updated))
}

/**
 * Records a session's join or leave on its room's call (`call`, see `Handler`): the open one, else the last one (a
 * late event of a call that ended is kept on its record but never reopens it). Returns the open call, and whether
 * the room had one.
 */
async function recordOnRoomCall(
  tx: Queryable,
  { call, recorded }: Start,
  event: WebhookEvent,
  p: ParticipantInfo,
  type: SessionFact['type'],
): Promise<{ open: StoredCall | null; known: boolean }> {
  if (!call) return { open: null, known: false }
  const open = call.endedAt === null ? call : null
  if (!belongsTo(call, event)) return { open: null, known: true }
  // Recorded already with the dedupe row (the call was bound to the event's room instance: nothing to bind).
  if (recorded) return { open, known: true }
  if (open) await bindRoom(tx, open, event)
  await recordParticipantFact(tx, participantRow(call, p), sessionFact(event, p, type))
  return { open, known: true }
}

/**
 * The join or leave a participant event records on its room's call, for the dedupe row's statement to record it
 * (see `recordWebhookEventWithFact`); none for a user joining an inbound call's room (see `refuseOutsider`).
 */
function webhookFact(event: WebhookEvent): WebhookFact | undefined {
  const roomName = event.room?.name
  const p = event.participant
  if (!roomName || !p?.identity) return undefined
  const type = event.event === 'participant_joined' ? 'joined' : 'left'
  if (type === 'joined' && p.kind === ParticipantInfo_Kind.STANDARD && roomName.startsWith('in-'))
    return undefined
  return {
    identity: p.identity,
    kind: participantKind(p),
    name: p.name || null,
    fact: sessionFact(event, p, type),
    roomSid: event.room?.sid ?? '',
  }
}

/**
 * A user joining an inbound phone call's room who is not the call's answerer (a released answerer's old token, or
 * one of a call that was handed on) is taken out of the room and not recorded: only the answerer listens to the
 * caller. A user already present (a reconnect, or the first user of a warm transfer still handing over) stays.
 */
async function refuseOutsider(
  ctx: RinglineContext,
  tx: Queryable,
  event: WebhookEvent,
  roomName: string,
  p: ParticipantInfo,
  effects: Effects,
  roomCall: StoredCall | null,
): Promise<boolean> {
  if (p.kind !== ParticipantInfo_Kind.STANDARD || !roomName.startsWith('in-')) return false
  const call = openOnly(roomCall)
  if (call?.direction !== 'inbound' || call.internals.sharedRoom || !belongsTo(call, event)) return false
  const userId = userIdOf(p.identity, call.tenantId)
  if (!userId || userId === call.answeredBy) return false
  // The answerer's consult connection while they consult a phone number in this room.
  if (isPhoneConsult(call.consult) && p.identity === consultVoiceIdentity(call.tenantId, call.consult.by))
    return false
  const present = await listParticipants(tx, call.id, { presentOnly: true })
  if (present.some((x) => x.identity === p.identity && x.joinedAt)) return false
  ctx.logger.warn('ringline: a user who does not hold the call joined its room; removing them', {
    callId: call.id,
    identity: p.identity,
  })
  effects.after.push(() => ctx.livekit().room.removeParticipant(roomName, p.identity))
  return true
}

async function onParticipantJoined(
  ctx: RinglineContext,
  tx: Queryable,
  event: WebhookEvent,
  effects: Effects,
  start: Start,
): Promise<void> {
  const roomName = event.room?.name
  const p = event.participant
  if (!roomName || !p?.identity) return
  // Neither writes before it reads the room's call: both see it as it stood when the webhook began.
  if (await refuseOutsider(ctx, tx, event, roomName, p, effects, start.call)) return
  const { open: call, known } = await recordOnRoomCall(tx, start, event, p, 'joined')
  const isCaller = roomName.startsWith('in-') && p.kind === ParticipantInfo_Kind.SIP
  if (!call) {
    // An inbound room that ever had a call never starts another (a late or retried join of a call that ended).
    if (!known && isCaller) {
      await onInboundSipJoined(ctx, tx, event, roomName, p, effects)
    }
    // A call rung as its room started and ended (declined, missed) before its caller joined: hang the caller up.
    if (known && isCaller && start.call?.internals.legPending && belongsTo(start.call, event))
      effects.after.push(() => ctx.livekit().room.removeParticipant(roomName, p.identity))
    if (known && p.kind === ParticipantInfo_Kind.AGENT)
      await onLateAgentJoin(ctx, tx, event, roomName, p, effects)
    return
  }
  if (call.direction === 'internal') {
    effects.publish.push({ room: call })
    return
  }
  if (isCaller && call.internals.legPending) await completeInboundLeg(ctx, tx, call, roomName, p, effects)
  // An agent sent to a ringing inbound call answers it (its audio is what makes LiveKit SIP pick up): it wins
  // the claim, so a later human answer gets 409 CALL_ALREADY_ANSWERED.
  if (p.kind === ParticipantInfo_Kind.AGENT && call.direction === 'inbound' && call.status === 'ringing') {
    const claimed = await claimCall(tx, call.tenantId, call.id, `agent:${p.identity}`)
    if (claimed) {
      effects.publish.push(() => publishCall(ctx, 'call.updated', claimed))
      effects.after.push(async () => afterAnswered(ctx, claimed))
    }
  }
}

/**
 * An agent's join delivered after the inbound call it answered was closed as missed (the caller's leave, or the
 * room's end, arrived first): when the agent joined before the caller left, the call was answered — the record
 * becomes completed, as in-order delivery gives.
 */
async function onLateAgentJoin(
  ctx: RinglineContext,
  tx: Queryable,
  event: WebhookEvent,
  roomName: string,
  p: ParticipantInfo,
  effects: Effects,
): Promise<void> {
  const call = await getLatestCallByRoom(tx, roomName)
  if (call?.direction !== 'inbound' || call.status !== 'missed' || !belongsTo(call, event)) return
  const gone = await hasLeftRoom(tx, roomName, call.internals.sipIdentity ?? '')
  const at = joinedAt(p) ?? eventTime(event)
  if (!gone || at > gone) return
  const answered = await answerMissedCall(tx, call.id, `agent:${p.identity}`, at)
  if (answered) effects.publish.push(() => publishCall(ctx, 'call.ended', answered))
}

async function onParticipantLeft(
  ctx: RinglineContext,
  tx: Queryable,
  event: WebhookEvent,
  effects: Effects,
  start: Start,
): Promise<void> {
  const roomName = event.room?.name
  const p = event.participant
  if (!roomName || !p?.identity) return
  // With no call yet, the event's own row tells a join that arrives later that this participant is gone.
  const { open: call } = await recordOnRoomCall(tx, start, event, p, 'left')
  if (!call) return
  if (call.direction === 'internal') {
    effects.publish.push({ room: call })
    return
  }
  // A consulted phone that hangs up before the hand-over leaves the call as it was: the consult is `ended`.
  if (p.identity === consultPhoneIdentity(call.id) && !handedToPhone(call)) {
    const consultEnded = await consultPhoneLeft(tx, call)
    if (consultEnded) effects.publish.push(() => publishCall(ctx, 'call.updated', consultEnded))
    return
  }
  const isPhoneLeg = p.kind === ParticipantInfo_Kind.SIP || p.identity === call.internals.sipIdentity
  if (isPhoneLeg) {
    // An unanswered outbound leg is settled by the dial result (busy, no-answer…), not here.
    if (call.direction === 'outbound' && call.status !== 'in-progress') return
    const closed = await closeCall(
      tx,
      call.id,
      LOST_LEG.has(p.disconnectReason) ? closeOnPhoneLegLost(call) : closeOnRoomLeft(call),
    )
    if (closed) {
      effects.publish.push(() => publishCall(ctx, 'call.ended', closed))
      effects.after.push(() => endCallRoom(ctx, call))
    }
    return
  }
  // The last browser left a phone call: hang the phone up instead of leaving it talking to nobody. A shared room
  // (the app's own) had people before the call: its browsers come and go; the caller's client hangs up itself.
  if (call.direction === 'inbound' && call.status === 'ringing') return
  if (call.internals.sharedRoom) return
  // Handed to a phone number (warm transfer): the two phones talk with no user in the room.
  if (handedToPhone(call)) return
  // Only the answerer leaving an inbound call leaves the caller with nobody (not a user refused or released).
  const leaver = userIdOf(p.identity, call.tenantId)
  if (call.direction === 'inbound' && leaver && call.answeredBy && leaver !== call.answeredBy) return
  // After a warm transfer the first user leaves once the colleague is in the room, but the colleague's join may reach
  // us after this leave: only the user the call was handed to leaving can leave it with nobody.
  if (
    call.transfer?.kind === 'warm' &&
    call.answeredBy &&
    p.identity !== userIdentity(call.tenantId, call.answeredBy)
  )
    return
  const present = await listParticipants(tx, call.id, { presentOnly: true })
  if (present.some((x) => x.kind === 'user')) return
  const closed = await closeCall(tx, call.id, closeOnRoomLeft(call))
  if (closed) {
    effects.publish.push(() => publishCall(ctx, 'call.ended', closed))
    effects.after.push(() => ctx.livekit().room.deleteRoom(roomName))
  }
}

/** A participant's microphone (an audio track that names no source counts). */
function isMicrophone(track: TrackInfo): boolean {
  return (
    track.source === TrackSource.MICROPHONE ||
    (track.source === TrackSource.UNKNOWN && track.type === TrackType.AUDIO)
  )
}

/**
 * `track_published` / `track_unpublished` of a microphone: its `muted` is the participant's mute state at that
 * moment (LiveKit raises no event when a track is muted, but a leave unpublishes the track, muted or not), recorded
 * on the room's call like a join or leave (see `recordMuteFact` for the order).
 */
async function onMicrophoneTrack(
  _ctx: RinglineContext,
  tx: Queryable,
  event: WebhookEvent,
  _effects: Effects,
  { call }: Start,
): Promise<void> {
  const roomName = event.room?.name
  const p = event.participant
  const track = event.track
  if (!roomName || !p?.identity || !track) return
  // The room's open call, else its last one.
  if (!call || !belongsTo(call, event)) return
  // Track events name the participant only (no kind, no name): a join, before or after, fills those in.
  await recordMuteFact(
    tx,
    { ...participantRow(call, p), kind: 'other', name: null },
    muteFact(event.event, eventTime(event), track.muted),
  )
}

/** The mute fact of a microphone `track_published` / `track_unpublished` at `at`. */
const muteFact = (event: string, at: Date, muted: boolean): MuteFact => ({
  muted,
  at: at.toISOString(),
  source: event === 'track_published' ? 'published' : 'unpublished',
})

async function onRoomFinished(
  ctx: RinglineContext,
  tx: Queryable,
  event: WebhookEvent,
  effects: Effects,
  start: Start,
): Promise<void> {
  const roomName = event.room?.name
  if (!roomName) return
  const call = openOnly(start.call)
  if (!call) return
  // An outbound call still dialing is settled by its dial result.
  if (call.direction === 'outbound' && call.status !== 'in-progress') return
  const closed = await closeCall(tx, call.id, closeOnRoomFinished(call))
  if (!closed) return
  if (closed.direction === 'internal') {
    effects.publish.push(() => {
      publishRoom(ctx, closed.tenantId, internalName(closed), null)
      afterEnded(ctx, closed)
    })
  } else {
    effects.publish.push(() => publishCall(ctx, 'call.ended', closed))
  }
}

/**
 * Applies an `egress_*` event to the call's recording. The recording state only moves forward, so replays are
 * harmless without the dedupe table; 5xx (LiveKit retries) only when it could not be applied.
 */
async function handleEgressEvent(
  ctx: RinglineContext,
  event: WebhookEvent,
): Promise<{ outcome: WebhookOutcome; event: string }> {
  const recording = ctx.media.recording()
  if (!recording) return { outcome: 'ignored', event: event.event }
  let result: Awaited<ReturnType<typeof recording.handleWebhook>>
  try {
    result = await recording.handleWebhook(event)
  } catch (error) {
    ctx.logger.error('ringline: could not apply an egress webhook; LiveKit will retry', {
      error,
      event: event.event,
    })
    throw new HttpError('STORE_UNAVAILABLE', 'The recording update could not be stored; retry later.', {
      cause: error,
    })
  }
  if (!result.handled) return { outcome: 'ignored', event: event.event }
  if (!result.changed) return { outcome: 'duplicate', event: event.event }
  if (result.callId) {
    const call = await getCallById(ctx.store, result.callId)
    // A finished recording sets `recordingUrl`: tell the call's audience.
    if (call) publishCall(ctx, 'call.updated', call)
  }
  return { outcome: 'processed', event: event.event }
}

// The advisory-lock space of per-room webhook serialisation (the migration lock uses a single bigint key).
const ROOM_LOCK = 727_465_464

/**
 * The statement taking the locks of `rooms`, their names inlined. Several: the subquery's sort comes before the
 * locks are taken, so every transaction takes them in the order of their keys.
 */
function lockRooms(rooms: string[]): string {
  if (rooms.length === 1)
    return `SELECT pg_advisory_xact_lock(${ROOM_LOCK}, hashtext(${quoteLiteral(rooms[0] ?? '')}))`
  return `SELECT count(pg_advisory_xact_lock(${ROOM_LOCK}, key)) FROM
  (SELECT DISTINCT hashtext(room) AS key FROM unnest(ARRAY[${rooms.map(quoteLiteral).join(', ')}]::text[]) AS room
   ORDER BY key) AS keys`
}

/** How often one instance prunes old webhook ids (amortised over webhook handling: no timer, no cron). */
export const WEBHOOK_PRUNE_EVERY_MS = 10 * 60_000
const lastPrune = new WeakMap<RinglineContext, number>()

/**
 * At most every 10 minutes per instance, in the background: forget webhook ids received longer ago than the
 * retention (`webhookRetentionHours`, default 24 h — far beyond LiveKit's retries, which give up within minutes),
 * and logged `/events` events older than `EVENT_LOG_RETENTION_HOURS`.
 */
function pruneOccasionally(ctx: RinglineContext): void {
  const now = Date.now()
  if (now - (lastPrune.get(ctx) ?? 0) < WEBHOOK_PRUNE_EVERY_MS) return
  lastPrune.set(ctx, now)
  ctx.background('prune webhook events', () =>
    pruneWebhookEvents(ctx.store, ctx.config.webhookRetentionHours),
  )
  ctx.background('prune the event log', () => pruneEventLog(ctx.store))
}

/**
 * What a webhook's handler does: `start.call` is the room's call (`getLatestCallByRoom`) as it stood when this
 * webhook began to apply, read in the statement of its dedupe row; `start.recorded`: that statement recorded the
 * webhook's join or leave on that call already (see `recordWebhookEventWithFact`).
 */
type Handler = (
  ctx: RinglineContext,
  tx: Queryable,
  event: WebhookEvent,
  effects: Effects,
  start: Start,
) => Promise<void>

/** What the statement of a webhook's dedupe row read and did (see `Handler`). */
interface Start {
  call: StoredCall | null
  recorded: boolean
}

/** One verified webhook on its way into the store. */
interface Applying {
  event: WebhookEvent
  handler: Handler | undefined
  /** Its dedupe row (`null`: an event without an id, applied every time). */
  record: WebhookEventRecord | null
  /** Its join or leave, when the dedupe row's statement may record it (see `recordWebhookEventWithFact`). */
  fact?: WebhookFact
  effects: Effects
}

/** At most this many webhooks commit in one transaction. */
export const WEBHOOK_BATCH = 64

/** At most this many transactions of webhooks are in flight at once on one instance. */
export const WEBHOOK_TRANSACTIONS = 4

/**
 * A further transaction starts only once the one started last has been in flight this long (ms): webhooks arriving
 * meanwhile wait to commit together in the next, and a transaction slowed down (a room lock another instance holds)
 * does not hold up the webhooks of other rooms for longer.
 */
export const WEBHOOK_STALL_MS = 20

interface Waiting {
  applying: Applying
  /** Its room (`undefined`: an event naming none, which takes no lock and waits for nothing). */
  room: string | undefined
  resolve(fresh: boolean): void
  reject(error: unknown): void
}

/** Whether `one` is a join or leave whose dedupe row's statement also records it (`recordWebhookEventWithFact`). */
const isFactWebhook = ({ applying, room }: Waiting): boolean =>
  Boolean(applying.record && room && applying.handler && applying.fact)

/** The end (exclusive) of the run of fact webhooks (`isFactWebhook`) starting at `start`. */
function factRunEnd(batch: Waiting[], start: number): number {
  let end = start
  while (end < batch.length && isFactWebhook(batch[end] as Waiting)) end += 1
  return end
}

/** Applies one webhook in `tx`: its dedupe row, then (when new) its handler. Whether it was new. */
async function applyOne(ctx: RinglineContext, tx: Queryable, { applying, room }: Waiting): Promise<boolean> {
  const { record, handler, fact } = applying
  let isNew = true
  const start: Start = { call: null, recorded: false }
  if (record && room && handler && fact)
    ({
      fresh: isNew,
      call: start.call,
      recorded: start.recorded,
    } = await recordWebhookEventWithFact(tx, record, room, fact))
  else if (record && room && handler)
    ({ fresh: isNew, call: start.call } = await recordWebhookEventReadingCall(tx, record, room))
  else {
    if (record) isNew = await recordWebhookEvent(tx, record)
    if (isNew && room && handler) start.call = await getLatestCallByRoom(tx, room)
  }
  if (isNew) await handler?.(ctx, tx, applying.event, applying.effects, start)
  return isNew
}

/** The savepoint `applyInOneTrip` returns to when a handler of its run needs statements. */
const RUN_SAVEPOINT = 'ringline_webhook_run'

/**
 * Applies a run of fact webhooks (`isFactWebhook`) with every dedupe row's statement in one round trip, then their
 * handlers: the same as `applyOne` each, as long as no handler but the last fresh webhook's issues a statement (a
 * join or leave recorded on its bound call, as most are), since a handler's outcome then depends only on what its
 * own statement read. An earlier handler that would query (one that reads or writes more, as closing a call) would
 * see the later webhooks' rows: then the run is rolled back to before its statements, its effects dropped, and
 * `null` returned for the caller to apply the run one webhook at a time. Returns whether each was new, and the rows
 * of `read` (a statement run right after the run's, in its trip) when no handler issued a statement (else they may
 * be stale: `null`).
 */
async function applyInOneTrip(
  ctx: RinglineContext,
  tx: Queryable,
  queryEach: NonNullable<Transaction['queryEach']>,
  run: Waiting[],
  read?: EachOptions['after'],
): Promise<{ fresh: boolean[]; read: Array<Record<string, unknown>> | null } | null> {
  const { recorded, after: readRows } = await recordWebhookEventsWithFacts(
    queryEach,
    run.map(({ applying, room }) => ({
      event: applying.record as WebhookEventRecord,
      roomName: room as string,
      fact: applying.fact as WebhookFact,
    })),
    RUN_SAVEPOINT,
    read,
  )
  let queried = false
  const noStatements: Queryable = {
    query() {
      queried = true
      return Promise.reject(new Error('ringline: a webhook handler of a run needs statements'))
    },
  }
  // The handlers after the last fresh webhook's statement see the state its own statement left (the later ones, all
  // duplicates, wrote nothing): that handler may issue statements as `applyOne` would.
  let wrote = false
  const last: Queryable = {
    query(sql, params) {
      wrote = true
      return tx.query(sql, params)
    },
  }
  const lastFresh = recorded.findLastIndex((r) => r.fresh)
  for (const [k, { applying }] of run.entries()) {
    const result = recorded[k] as RecordedWithFact
    if (!result.fresh) continue
    try {
      await applying.handler?.(ctx, k === lastFresh ? last : noStatements, applying.event, applying.effects, {
        call: result.call,
        recorded: result.recorded,
      })
    } catch (error) {
      if (!queried) throw error
    }
    if (queried) {
      await tx.query(`ROLLBACK TO SAVEPOINT ${RUN_SAVEPOINT}`)
      for (const one of run) one.applying.effects = { publish: [], after: [] }
      return null
    }
  }
  return { fresh: recorded.map((r) => r.fresh), read: read && !wrote ? readRows : null }
}

/**
 * The webhooks waiting to be applied on this instance. While transactions apply some, the ones arriving meanwhile
 * queue and then commit together (group commit), whatever their rooms: one transaction, one statement taking every
 * room's lock, one read of the changed rooms and one write of the events they publish, each webhook applied after
 * the previous one, in arrival order, exactly as one transaction each would (its dedupe row, then its effects).
 * A room's webhooks are in one transaction in flight at a time, so they apply in arrival order. Every waiter
 * resolves only once the transaction holding its dedupe row committed (LiveKit is answered 2xx only then); when the
 * transaction fails nothing of it is written, and its webhooks are applied again one transaction each, in order,
 * their rooms held meanwhile, so only the ones that fail alone are answered 5xx.
 */
class WebhookQueue {
  private waiting: Waiting[] = []
  /** Rooms whose webhooks a transaction in flight applies. */
  private readonly busy = new Set<string>()
  private running = 0
  /** When the transaction in flight started last began (`performance.now()`). */
  private lastStart = 0
  private stallTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly ctx: RinglineContext) {}

  /** Resolves with whether the webhook was new (applied) rather than a duplicate, once committed. */
  apply(applying: Applying, room: string | undefined): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ applying, room, resolve, reject })
      this.pump()
    })
  }

  /** Starts transactions while some are free, the last one started is not young, and webhooks can go. */
  private pump(): void {
    while (this.running < WEBHOOK_TRANSACTIONS && this.waiting.length > 0) {
      const young = WEBHOOK_STALL_MS - (performance.now() - this.lastStart)
      if (this.running > 0 && young > 0) {
        this.stallTimer ??= setTimeout(() => {
          this.stallTimer = undefined
          this.pump()
        }, Math.ceil(young))
        ;(this.stallTimer as { unref?: () => void }).unref?.()
        return
      }
      const batch = this.take()
      if (batch.length === 0) return
      this.running += 1
      this.lastStart = performance.now()
      void this.run(batch).finally(() => {
        for (const { room } of batch) if (room) this.busy.delete(room)
        this.running -= 1
        this.pump()
      })
    }
  }

  /**
   * The next batch: the waiting webhooks, in arrival order, of rooms no transaction in flight holds (a room's later
   * webhooks wait behind its earlier ones); their rooms are held from now on.
   */
  private take(): Waiting[] {
    const batch: Waiting[] = []
    const rest: Waiting[] = []
    for (const one of this.waiting) {
      if (batch.length >= WEBHOOK_BATCH || (one.room && this.busy.has(one.room))) rest.push(one)
      else batch.push(one)
    }
    if (batch.length === 0) return batch
    this.waiting = rest
    for (const { room } of batch) if (room) this.busy.add(room)
    return batch
  }

  private async run(batch: Waiting[]): Promise<void> {
    try {
      await this.commit(batch)
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error)
      else
        for (const one of batch) {
          await this.commit([one]).catch((e: unknown) => one.reject(e))
        }
    }
  }

  /** Applies `batch` in one transaction; settles every waiter when it committed, none when it threw. */
  private async commit(batch: Waiting[]): Promise<void> {
    for (const { applying } of batch) applying.effects = { publish: [], after: [] }
    const { ctx } = this
    const rooms = [...new Set(batch.flatMap(({ room }) => (room ? [room] : [])))]
    const outcome = await ctx.store.transaction(async (tx) => {
      // One room's events apply one at a time across instances: a join and a leave (or an agent's answer and
      // the caller's join) applied concurrently would each miss the other's uncommitted row. Every room's lock in
      // one statement, in the order of their keys, so two instances locking overlapping rooms cannot deadlock.
      // No parameters, no result read: on PostgreSQL it goes out with the BEGIN and the batch's first statement.
      if (rooms.length > 0) await deferOrQuery(tx, lockRooms(rooms))
      // Each webhook's dedupe row goes in just before it applies (a handler reads the rows of the room's earlier
      // webhooks, never of later ones); a second copy of an id in the batch finds the first's row.
      const fresh: boolean[] = []
      // A batch that is one run of fact webhooks reads its rooms in the run's trip too, after the run's statements:
      // what the room read below needs, unless a handler issued statements of its own.
      const readAlong =
        tx.queryEach && rooms.length > 0 && factRunEnd(batch, 0) === batch.length
          ? roomsParticipantsByName(rooms)
          : undefined
      let roomsAlong: Array<Record<string, unknown>> | null = null
      for (let i = 0; i < batch.length; ) {
        const end = factRunEnd(batch, i)
        if (tx.queryEach && end > i) {
          const run = batch.slice(i, end)
          const applied = await applyInOneTrip(ctx, tx, tx.queryEach.bind(tx), run, readAlong)
          if (applied) {
            fresh.push(...applied.fresh)
            roomsAlong = applied.read
          } else for (const one of run) fresh.push(await applyOne(ctx, tx, one))
          i = end
        } else {
          fresh.push(await applyOne(ctx, tx, batch[i] as Waiting))
          i += 1
        }
      }
      // Each changed room's participants, read once (all rooms in one statement) after the whole batch applied.
      const lastRefresh = new Map<string, RoomRefresh>()
      for (const [i, { applying }] of batch.entries())
        if (fresh[i])
          for (const publish of applying.effects.publish)
            if (typeof publish !== 'function') lastRefresh.set(publish.room.id, publish)
      const refreshes = [...lastRefresh.values()]
      const reading = refreshes.map((r) => ({ call: r.room, name: internalName(r.room) }))
      const infos = (roomsAlong && roomInfosFromRead(reading, roomsAlong)) ?? (await roomInfos(tx, reading))
      const roomsRead = new Map<RoomRefresh, RoomInfo>()
      for (const [i, refresh] of refreshes.entries()) roomsRead.set(refresh, infos[i] as RoomInfo)
      // The events' NOTIFYs commit with the records, in the order the webhooks were applied.
      const deliver = await ctx.hub.publishInTransaction(tx, () => {
        for (const [i, { applying }] of batch.entries()) {
          if (!fresh[i]) continue
          for (const publish of applying.effects.publish) {
            if (typeof publish === 'function') publish()
            else {
              const room = roomsRead.get(publish)
              if (room) publishRoom(ctx, publish.room.tenantId, internalName(publish.room), room)
            }
          }
        }
      })
      return { fresh, deliver }
    })
    outcome.deliver()
    for (const [i, waiter] of batch.entries()) {
      if (outcome.fresh[i]) startAfterTasks(ctx, waiter.applying)
      waiter.resolve(outcome.fresh[i] ?? false)
    }
  }
}

const webhookQueues = new WeakMap<RinglineContext, WebhookQueue>()

/** This instance's queue of webhooks (created on demand). */
function webhookQueue(ctx: RinglineContext): WebhookQueue {
  let queue = webhookQueues.get(ctx)
  if (!queue) {
    queue = new WebhookQueue(ctx)
    webhookQueues.set(ctx, queue)
  }
  return queue
}

/**
 * Verifies and applies one LiveKit webhook: the raw body and the bare-JWT `Authorization` header.
 * The dedupe row and the event's effects commit in one transaction; events fan out after the commit.
 */
export async function handleLivekitWebhook(
  ctx: RinglineContext,
  rawBody: string,
  authorization: string | null,
): Promise<{ outcome: WebhookOutcome; event: string }> {
  const { receiver } = ctx.livekit()
  let event: WebhookEvent
  try {
    if (!authorization) throw new Error('authorization header is empty')
    // Some proxies add a scheme; LiveKit itself sends the bare JWT.
    const token = authorization.replace(/^Bearer\s+/i, '')
    event = await receiver.receive(rawBody, token, false, ctx.config.webhookClockTolerance)
  } catch (error) {
    ctx.logger.warn('ringline: LiveKit webhook rejected', { reason: (error as Error).message })
    throw new HttpError(
      'WEBHOOK_SIGNATURE_INVALID',
      'The webhook signature is missing or does not match the body.',
    )
  }
  if (event.event.startsWith('egress_')) return handleEgressEvent(ctx, event)
  // A waiting dial hears its caller's join now, before the event queues behind its room's transaction.
  if (event.event === 'participant_joined' && event.room?.name && event.participant?.identity)
    ctx.joins.joined(event.room.name, event.participant.identity)
  const handlers: Partial<Record<string, Handler>> = {
    room_started: onRoomStarted,
    participant_joined: onParticipantJoined,
    participant_left: onParticipantLeft,
    participant_connection_aborted: onParticipantLeft,
    room_finished: onRoomFinished,
    track_published: onMicrophoneTrack,
    track_unpublished: onMicrophoneTrack,
  }
  const handler = handlers[event.event]
  if (!handler) return { outcome: 'ignored', event: event.event }
  // Of the track events only a participant's microphone counts (its mute state); cameras, screens, data: ignored.
  const isTrackEvent = event.event === 'track_published' || event.event === 'track_unpublished'
  if (isTrackEvent && !(event.participant?.identity && event.track && isMicrophone(event.track)))
    return { outcome: 'ignored', event: event.event }
  const applying: Applying = {
    event,
    handler,
    fact:
      event.event === 'participant_joined' ||
      event.event === 'participant_left' ||
      event.event === 'participant_connection_aborted'
        ? webhookFact(event)
        : undefined,
    record: event.id
      ? {
          id: event.id,
          event: event.event,
          roomName: event.room?.name,
          identity: event.participant?.identity ?? null,
          eventAt: eventTime(event),
          participantKind: event.participant ? participantKind(event.participant) : null,
          muted: isTrackEvent ? (event.track?.muted ?? false) : null,
        }
      : null,
    effects: { publish: [], after: [] },
  }
  let fresh: boolean
  try {
    fresh = await webhookQueue(ctx).apply(applying, event.room?.name)
  } catch (error) {
    ctx.logger.error('ringline: could not persist a LiveKit webhook; LiveKit will retry', {
      error,
      event: event.event,
    })
    throw new HttpError('STORE_UNAVAILABLE', 'The event could not be stored; retry later.', { cause: error })
  }
  if (!fresh) return { outcome: 'duplicate', event: event.event }
  pruneOccasionally(ctx)
  return { outcome: 'processed', event: event.event }
}

/**
 * Resolves on the event loop's next turn, once the I/O of this one is done: the events just delivered are written
 * to their `/events` sockets before follow-up work runs (an embedded store's queries run on this thread and would
 * hold those writes back by milliseconds).
 */
const nextTurn = (): Promise<void> =>
  new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  )

/**
 * Starts a committed webhook's follow-up work (agent dispatch, answer handling) in the same turn its events are
 * delivered, as one transaction each did: whoever saw the event and then awaits `settled()` waits for that work too.
 * The work itself begins on the next turn (see `nextTurn`).
 */
function startAfterTasks(ctx: RinglineContext, applying: Applying): void {
  for (const task of applying.effects.after) {
    ctx.background(`webhook ${applying.event.event}`, async () => {
      await nextTurn()
      try {
        await task()
      } catch (error) {
        if (!isNotFound(error)) throw error
      }
    })
  }
}
