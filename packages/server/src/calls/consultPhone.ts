// Warm transfer to a phone number: the consulted phone is dialled into the call's own room, kept apart from the held
// caller by per-participant subscriptions, and joined to the caller on completion.
//
// Why not a consult room of its own as for a colleague: a SIP participant cannot change rooms on open-source LiveKit
// (RoomService `MoveParticipant` answers `twirp error unknown: not implemented` on livekit-server v1.13.5), so the
// phone that is to stay with the caller must be in the caller's room from the start. Who hears whom:
//
// - the held caller (their SIP participant) hears the hold music on the first user's microphone track, never the
//   consulted phone nor the first user's consult voice: it is unsubscribed from those tracks;
// - the consulted phone hears the first user's consult voice (a second connection, identity `<tenant>:<user>~consult`),
//   never the caller nor the hold music;
// - on completion both phones subscribe to each other and the first user's two connections are removed.
//
// livekit-sip subscribes a SIP participant to every audio track published in its room (the caller: as soon as a
// track appears; the consulted phone: to all of them when it answers), so each is gated with `canSubscribe: false`
// while the unsubscriptions are put in place: LiveKit keeps what a participant asked for and, when the permission
// comes back, subscribes it only to the tracks still wanted. The caller hears silence instead of the music for that
// moment (until the consult connection and the consulted phone have published, then `SETTLE_MS`; at most `GATE_MS`).
// While the consult is open the isolation is checked again every `GUARD_MS` (a track published later, e.g. after a
// device switch, reaches the other side for at most that long).

import {
  type CallConsult,
  type CallRecord,
  type CallWithConnection,
  CONSULT_PHONE_IDENTITY_PREFIX,
} from '@ringline/core/protocol'
import type { ParticipantInfo } from 'livekit-server-sdk'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { isNotFound } from '../livekit'
import { countryOf, parsePhone } from '../phone'
import type { Queryable } from '../sql/types'
import { mintRoomToken, userIdentity } from '../tokens'
import type { Principal } from '../types'
import { publishCall } from './callEvents'
import { audit, getCall, moveConsult, openConsult, recordTransfer } from './callRepository'
import { publicCall, type StoredCall } from './callRow'
import { resolveCaller } from './calls'
import { dialFailure } from './lifecycle'
import { auditRefusal, checkDestination, enforceCallCaps, limitCallStarts } from './outboundGuard'

/** How long the held caller stays gated while the consult's participants publish (then the gate opens anyway). */
const GATE_MS = 15_000
const POLL_MS = 100
/** How long after the tracks appear before the unsubscriptions are put in place (see gateCaller). */
const SETTLE_MS = 1000
/** How often an open phone consult's isolation is checked again. */
const GUARD_MS = 1000
/** How long the first user's connections may stay after a hand-over to a phone before they are removed. */
const LEAVE_MS = 5000

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The identity of the consulted phone's SIP participant in the call's room. */
export function consultPhoneIdentity(callId: string): string {
  return `${CONSULT_PHONE_IDENTITY_PREFIX}${callId}`
}

/** The identity of the first user's consult connection in the call's room (their voice for the consulted phone). */
export function consultVoiceIdentity(tenantId: string, userId: string): string {
  return `${userIdentity(tenantId, userId)}~consult`
}

/** Whether a consult is of a phone number. */
export function isPhoneConsult(
  consult: CallConsult | null | undefined,
): consult is CallConsult & { to: string } {
  return typeof consult?.to === 'string'
}

/** Whether a call was handed to a phone number (warm transfer): its two phones talk, no user is on it. */
export function handedToPhone(call: Pick<StoredCall, 'transfer'>): boolean {
  return call.transfer?.kind === 'warm' && /^tel:/.test(call.transfer.to)
}

/**
 * Starts the consult of phone number `to`: checked like `POST /calls` (toll-fraud guard, the start rate), dialled into
 * the call's room from the call's own number; returns a token for the first user's consult connection.
 */
export async function startPhoneConsult(
  ctx: RinglineContext,
  principal: Principal,
  call: StoredCall,
  to: string,
): Promise<CallWithConnection> {
  const guard = ctx.config.calls
  const callerId = callerNumber(ctx, call)
  const country = countryOf(callerId)
  const phone = parsePhone(to, {
    ...(country ? { defaultCountry: country } : {}),
    allowUnassigned: guard.allowUnassignedNumbers === true || guard.disabled === true,
  })
  await auditRefusal(ctx, principal, phone.number, () => checkDestination(phone, guard, callerId))
  limitCallStarts(ctx, principal)
  const callerSip = call.internals.sipIdentity
  if (!callerSip) throw new HttpError('CALL_NOT_ACTIVE', 'Only an answered phone call can be transferred.')
  // The trunk (and the caller id when the call has none of its own) as for a new call of this user.
  const { trunkId, fromNumber } = await resolveCaller(ctx, principal, undefined)
  // The consulted phone is one more outbound leg on the trunk: under the call caps like a new call.
  const opened = await ctx.store.transaction(async (tx) => {
    await enforceCallCaps(tx, ctx, principal)
    return openConsult(tx, call.id, {
      to: `tel:${phone.number}`,
      by: principal.userId,
      state: 'ringing',
      startedAt: new Date().toISOString(),
    })
  })
  if (!opened) {
    throw new HttpError('CALL_NOT_ACTIVE', 'A consult is already open on this call (or it ended).', {
      details: { consult: call.consult ?? null },
    })
  }
  try {
    // The caller hears nothing new until the consult's tracks are kept from it.
    await setCanSubscribe(ctx, call.roomName, callerSip, false)
  } catch (error) {
    await moveConsult(ctx.store, call.id, 'any', null)
    if (isNotFound(error))
      throw new HttpError('CALL_NOT_ACTIVE', 'The caller is no longer in the call.', { cause: error })
    throw error
  }
  await audit(ctx.store, {
    tenantId: principal.tenantId,
    userId: principal.userId,
    action: 'call.consult',
    target: phone.number,
    detail: { callId: call.id },
  })
  const lk = ctx.livekit()
  const connection = await mintRoomToken({
    apiKey: lk.apiKey,
    apiSecret: lk.apiSecret,
    serverUrl: lk.url,
    roomName: call.roomName,
    identity: consultVoiceIdentity(call.tenantId, principal.userId),
    ttl: ctx.config.tokenTtl,
    ...(principal.name ? { name: principal.name } : {}),
  })
  ctx.background('consult dial', () =>
    dialConsultedPhone(ctx, opened, { trunkId, to: phone.number, fromNumber: callerId ?? fromNumber }),
  )
  ctx.background('consult gate', () => gateCaller(ctx, opened))
  return { call: publicCall(opened, ctx.config.basePath), connection }
}

/** The number the consulted phone sees: the call's own (the tenant's number on an inbound call), else the default. */
function callerNumber(ctx: RinglineContext, call: StoredCall): string | undefined {
  const own = call.direction === 'inbound' ? call.toNumber : call.fromNumber
  return own ?? ctx.config.sip.callerId
}

/** Dials the consulted phone into the call's room; it is `connected` once it answers, `ended` when it does not. */
async function dialConsultedPhone(
  ctx: RinglineContext,
  call: StoredCall,
  leg: { trunkId: string; to: string; fromNumber?: string | undefined },
): Promise<void> {
  const identity = consultPhoneIdentity(call.id)
  const consult = call.consult!
  // Gate the phone as soon as it is in the room: it subscribes to everything when it answers.
  let dialled = false
  const gated = (async () => {
    const joined = await waitFor(
      ctx,
      call.roomName,
      (ps) => dialled || ps.some((p) => p.identity === identity),
    )
    if (joined && !dialled) await setCanSubscribe(ctx, call.roomName, identity, false).catch(() => undefined)
  })()
  try {
    await ctx.livekit().sip.createSipParticipant(leg.trunkId, leg.to, call.roomName, {
      participantIdentity: identity,
      participantName: leg.to,
      participantAttributes: { 'ringline.callId': call.id, 'ringline.consult': 'phone' },
      ...(leg.fromNumber ? { fromNumber: leg.fromNumber } : {}),
      waitUntilAnswered: true,
      ringingTimeout: ctx.config.sip.ringingTimeout,
      maxCallDuration: ctx.config.sip.maxCallDuration,
    })
  } catch (error) {
    dialled = true
    await gated
    const close = dialFailure(error)
    const endReason =
      close.endReason === 'busy' || close.endReason === 'no-answer' || close.endReason === 'declined'
        ? close.endReason
        : 'failed'
    const ended = await moveConsult(ctx.store, call.id, 'ringing', { ...consult, state: 'ended', endReason })
    if (ended) publishPhoneConsult(ctx, ended)
    return
  }
  await gated
  // livekit-sip subscribed the phone to every track when it answered (held back by the gate): keep the caller and
  // the hold music from it, then let it hear the rest (the first user's consult voice).
  await sleep(SETTLE_MS / 2)
  await isolate(ctx, call)
  await setCanSubscribe(ctx, call.roomName, identity, true).catch(() => undefined)
  const connected = await moveConsult(ctx.store, call.id, 'ringing', { ...consult, state: 'connected' })
  if (connected) publishPhoneConsult(ctx, connected)
  else
    await ctx
      .livekit()
      .room.removeParticipant(call.roomName, identity)
      .catch(() => undefined)
}

/**
 * Opens the caller's gate once the consult voice and the consulted phone have published (or after `GATE_MS`), then
 * keeps the consult apart while it is open (a track published later, e.g. after a device switch, is caught within
 * `GUARD_MS`).
 */
async function gateCaller(ctx: RinglineContext, call: StoredCall): Promise<void> {
  const voice = consultVoiceIdentity(call.tenantId, call.consult!.by)
  const phone = consultPhoneIdentity(call.id)
  const published = (ps: ParticipantInfo[], identity: string) =>
    ps.some((p) => p.identity === identity && p.tracks.length > 0)
  await waitFor(ctx, call.roomName, (ps) => published(ps, voice) && published(ps, phone), GATE_MS)
  // livekit-sip asks for a new track as soon as it hears of it: let those requests land before overriding them.
  await sleep(SETTLE_MS)
  await isolate(ctx, call)
  const callerSip = call.internals.sipIdentity!
  await setCanSubscribe(ctx, call.roomName, callerSip, true).catch((error: unknown) => {
    if (!isNotFound(error))
      ctx.logger.warn('ringline: the caller could not be ungated', { callId: call.id, error })
  })
  guard(ctx, call)
}

/**
 * Checks an open phone consult's isolation again every `GUARD_MS` until it closes (an unref'd timer, not a background
 * task: `close()` / `settled()` do not wait for a consult to end; a failure, e.g. a closed store, stops it).
 */
function guard(ctx: RinglineContext, call: StoredCall): void {
  const timer = setTimeout(async () => {
    try {
      const current = await getCall(ctx.store, call.tenantId, call.id)
      if (!current || current.endedAt || current.consult?.startedAt !== call.consult!.startedAt) return
      if (current.consult.state === 'ended') return
      await isolate(ctx, current)
      guard(ctx, current)
    } catch {
      // the call or the room is gone
    }
  }, GUARD_MS)
  timer.unref?.()
}

/**
 * Keeps the caller from the consult's tracks and the consulted phone from the caller and the hold music; the first
 * user's two connections each hear their own side only (the call connection: not the consulted phone nor the consult
 * voice; the consult connection: not the caller nor the hold music).
 */
async function isolate(ctx: RinglineContext, call: StoredCall): Promise<void> {
  const room = ctx.livekit().room
  const ps = await room.listParticipants(call.roomName)
  const tracksOf = (...identities: string[]) =>
    ps.filter((p) => identities.includes(p.identity)).flatMap((p) => p.tracks.map((t) => t.sid))
  const by = call.consult!.by
  const caller = call.internals.sipIdentity!
  const phone = consultPhoneIdentity(call.id)
  const user = userIdentity(call.tenantId, by)
  const voice = consultVoiceIdentity(call.tenantId, by)
  const keepFrom: Array<[string, string[]]> = [
    [caller, tracksOf(phone, voice)],
    [user, tracksOf(phone, voice)],
    [phone, tracksOf(caller, user)],
    [voice, tracksOf(caller, user)],
  ]
  await Promise.all(
    keepFrom.map(([identity, tracks]) =>
      tracks.length > 0 && ps.some((p) => p.identity === identity)
        ? room.updateSubscriptions(call.roomName, identity, tracks, false)
        : undefined,
    ),
  )
}

/**
 * Hands the call to the consulted phone: the first user goes silent for both phones, the two phones hear each other,
 * the first user's connections leave the room (removed after `LEAVE_MS` if their client has not left);
 * the record gets `transfer` (`warm`, `tel:`) and the call goes on until either phone hangs up.
 */
export async function completePhoneConsult(
  ctx: RinglineContext,
  principal: Principal,
  call: StoredCall,
): Promise<{ call: CallRecord }> {
  const consult = call.consult!
  if (consult.state !== 'connected') {
    throw new HttpError(
      'CALL_NOT_ACTIVE',
      'The consulted phone has not answered (or hung up): cancel, or wait.',
    )
  }
  const at = new Date().toISOString()
  const moved = await moveConsult(ctx.store, call.id, 'connected', null)
  if (!moved) throw new HttpError('CALL_NOT_ACTIVE', 'The consulted phone is no longer on the line: cancel.')
  const done =
    (await recordTransfer(ctx.store, call.id, { kind: 'warm', to: consult.to!, at, by: principal.userId })) ??
    moved
  const room = ctx.livekit().room
  const ps = await room.listParticipants(call.roomName)
  const callerSip = call.internals.sipIdentity!
  const phone = consultPhoneIdentity(call.id)
  const user = [consultVoiceIdentity(call.tenantId, consult.by), userIdentity(call.tenantId, consult.by)]
  const tracksOf = (...identities: string[]) =>
    ps.filter((p) => identities.includes(p.identity)).flatMap((p) => p.tracks.map((t) => t.sid))
  // The first user goes silent for both phones at once, then the phones hear each other.
  await Promise.all([
    tracksOf(...user).length > 0
      ? room.updateSubscriptions(call.roomName, callerSip, tracksOf(...user), false)
      : undefined,
    tracksOf(...user).length > 0
      ? room.updateSubscriptions(call.roomName, phone, tracksOf(...user), false)
      : undefined,
  ])
  await Promise.all([
    room.updateSubscriptions(call.roomName, callerSip, tracksOf(phone), true),
    room.updateSubscriptions(call.roomName, phone, tracksOf(callerSip), true),
  ])
  // The first user's leg ends: their client leaves both connections; whatever is still there after
  // `LEAVE_MS` is removed (an unref'd timer: a room already gone is fine).
  const leftover = setTimeout(() => {
    for (const identity of user) {
      room.removeParticipant(call.roomName, identity).catch((error: unknown) => {
        if (!isNotFound(error))
          ctx.logger.warn('ringline: could not remove a participant', { callId: call.id, error })
      })
    }
  }, LEAVE_MS)
  leftover.unref?.()
  publishPhoneConsult(ctx, done)
  return { call: publicCall(done, ctx.config.basePath) }
}

/** Cancels a phone consult: the consulted phone is hung up, the consult voice leaves, the caller hears the call again. */
export async function cancelPhoneConsult(
  ctx: RinglineContext,
  call: StoredCall,
): Promise<{ call: CallRecord }> {
  const closed = await moveConsult(ctx.store, call.id, 'any', null)
  if (!closed)
    return {
      call: publicCall((await getCall(ctx.store, call.tenantId, call.id)) ?? call, ctx.config.basePath),
    }
  const room = ctx.livekit().room
  for (const identity of [
    consultPhoneIdentity(call.id),
    consultVoiceIdentity(call.tenantId, call.consult!.by),
  ]) {
    await room.removeParticipant(call.roomName, identity).catch((error: unknown) => {
      if (!isNotFound(error))
        ctx.logger.warn('ringline: could not remove a participant', { callId: call.id, error })
    })
  }
  if (call.internals.sipIdentity) {
    await setCanSubscribe(ctx, call.roomName, call.internals.sipIdentity, true).catch(() => undefined)
  }
  publishPhoneConsult(ctx, closed)
  return { call: publicCall(closed, ctx.config.basePath) }
}

/**
 * The consulted phone left the room before the hand-over (it hung up, or was hung up): an open phone consult becomes
 * `ended` (the first user cancels back to the caller). Returns the updated call, or null when nothing changed.
 */
export async function consultPhoneLeft(q: Queryable, call: StoredCall): Promise<StoredCall | null> {
  // A phone that never answered is settled by the dial result (busy, no-answer…).
  if (!isPhoneConsult(call.consult) || call.consult.state !== 'connected') return null
  return moveConsult(q, call.id, 'connected', { ...call.consult, state: 'ended', endReason: 'hangup' })
}

/** Sets whether a participant may subscribe (keeping its right to publish: LiveKit replaces the permission whole). */
async function setCanSubscribe(
  ctx: RinglineContext,
  roomName: string,
  identity: string,
  canSubscribe: boolean,
): Promise<void> {
  await ctx.livekit().room.updateParticipant(roomName, identity, {
    permission: { canSubscribe, canPublish: true, canPublishData: true },
  })
}

/** Polls the room's participants until `done` holds (true) or `timeoutMs` passes (false). */
async function waitFor(
  ctx: RinglineContext,
  roomName: string,
  done: (ps: ParticipantInfo[]) => boolean,
  timeoutMs = 30_000,
): Promise<boolean> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const ps = await ctx
      .livekit()
      .room.listParticipants(roomName)
      .catch(() => [] as ParticipantInfo[])
    if (done(ps)) return true
    await new Promise((r) => setTimeout(r, POLL_MS))
  }
  return false
}

/** `call.updated` to the call's audience (the first user who asked is on it). */
function publishPhoneConsult(ctx: RinglineContext, call: StoredCall): void {
  publishCall(ctx, 'call.updated', call)
}
