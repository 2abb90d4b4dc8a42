// An answer whose media never connects must not strand the caller: its claim is released and the call rings again.
import type { CallRecord } from '@ringline/core/protocol'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { isNotFound } from '../livekit'
import { userIdentity } from '../tokens'
import type { Principal } from '../types'
import { publishCall } from './callEvents'
import { getCall, releaseClaim } from './callRepository'
import { publicCall, type StoredCall } from './callRow'
import { listParticipants } from './participantRepository'

/** Where the answerer and the caller stand in the call's room. */
interface RoomPresence {
  answerer: boolean
  caller: boolean
}

/**
 * Whether the answerer's and the caller's participants are in the room. Asks LiveKit (another instance may get the
 * webhooks); when LiveKit cannot be asked, falls back to the joins the webhooks recorded.
 */
async function roomPresence(ctx: RinglineContext, call: StoredCall, userId: string): Promise<RoomPresence> {
  const identity = userIdentity(call.tenantId, userId)
  const sip = call.internals.sipIdentity
  try {
    const present = await ctx.livekit().room.listParticipants(call.roomName)
    return {
      answerer: present.some((p) => p.identity === identity),
      caller: !sip || present.some((p) => p.identity === sip),
    }
  } catch (error) {
    if (isNotFound(error)) return { answerer: false, caller: false }
    const rows = await listParticipants(ctx.store, call.id)
    const here = (id: string | undefined) => rows.some((p) => p.identity === id && p.joinedAt && !p.leftAt)
    return { answerer: here(identity), caller: !sip || here(sip) }
  }
}

/** Hands the claim back and rings everyone the call rings again (`call.incoming`); null when it was not `userId`'s. */
async function release(ctx: RinglineContext, call: StoredCall, userId: string): Promise<StoredCall | null> {
  if (!call.answeredAt) return null
  const released = await releaseClaim(ctx.store, call.id, userId, call.answeredAt)
  if (!released) return null
  ctx.logger.info('ringline: an answer did not connect; the call rings again', { callId: call.id })
  publishCall(ctx, 'call.incoming', released)
  ctx.background('agents on ring again', () => ctx.media.scheduler.onCallEvent(call.id, 'ringing'))
  // A late join of the released answerer would talk over the next one: take it out if it got in meanwhile.
  ctx.background('remove the released answerer', async () => {
    await ctx
      .livekit()
      .room.removeParticipant(call.roomName, userIdentity(call.tenantId, userId))
      .catch(() => undefined)
  })
  return released
}

/**
 * Releases the principal's answer of an inbound call whose media did not connect (`POST /calls/:id/release`): the
 * call rings the others again. Idempotent (a call already ringing again is returned as it is). Errors:
 * `CALL_NOT_FOUND`, `CALL_ALREADY_ANSWERED` (someone else holds the answer), `CALL_NOT_ACTIVE` (the call ended, or
 * the principal's media is connected: hang up instead).
 */
export async function releaseAnswer(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<{ call: CallRecord }> {
  const call = id.length <= 128 ? await getCall(ctx.store, principal.tenantId, id) : null
  if (call?.direction !== 'inbound') throw new HttpError('CALL_NOT_FOUND', 'No such call.')
  const mine = call.answeredBy === principal.userId
  if (!mine && call.status === 'ringing' && !call.endedAt) {
    return { call: publicCall(call, ctx.config.basePath) }
  }
  if (call.endedAt) throw new HttpError('CALL_NOT_ACTIVE', 'This call has ended.')
  if (!mine) {
    throw new HttpError('CALL_ALREADY_ANSWERED', 'Someone else answered this call.', {
      details: { answeredBy: call.answeredBy },
    })
  }
  const presence = await roomPresence(ctx, call, principal.userId)
  if (presence.answerer) {
    throw new HttpError('CALL_NOT_ACTIVE', 'Your answer is connected to this call: hang up instead.', {
      details: { reason: 'connected' },
    })
  }
  const released = await release(ctx, call, principal.userId)
  if (released) return { call: publicCall(released, ctx.config.basePath) }
  // Another request changed the call meanwhile: answer as it stands now.
  return releaseAnswer(ctx, principal, id)
}

/**
 * Releases `call`'s claim (the one it was read with) when it is still the call's, the answerer's participant is not
 * in the room and the caller still is; returns the ringing call, or null when it kept (or lost) the claim. Safe
 * to run on several instances at once: only one release of a claim succeeds (`releaseClaim`).
 */
export async function releaseIfUnconnected(
  ctx: RinglineContext,
  call: StoredCall,
): Promise<StoredCall | null> {
  const userId = call.answeredBy
  if (!userId || userId.startsWith('agent:')) return null
  const current = await getCall(ctx.store, call.tenantId, call.id)
  if (!current || current.endedAt || current.answeredBy !== userId) return null
  if (current.answeredAt !== call.answeredAt) return null
  const presence = await roomPresence(ctx, current, userId)
  if (presence.answerer || !presence.caller) return null
  return release(ctx, current, userId)
}

const watches = new WeakMap<RinglineContext, Set<ReturnType<typeof setTimeout>>>()

/**
 * After a won claim: when the answerer's participant is not in the room `sip.answerConnectSeconds` later while the
 * caller still is, the claim is released and the call rings again. Runs on the instance that took the claim;
 * when that instance is gone, `reconcile` on any other releases it.
 */
export function watchAnswer(ctx: RinglineContext, call: StoredCall): void {
  const seconds = ctx.config.sip.answerConnectSeconds
  if (seconds <= 0) return
  let timers = watches.get(ctx)
  if (!timers) {
    timers = new Set()
    watches.set(ctx, timers)
  }
  const set = timers
  const timer = setTimeout(() => {
    set.delete(timer)
    ctx.background('release an answer that did not connect', () => releaseIfUnconnected(ctx, call))
  }, seconds * 1000)
  ;(timer as { unref?: () => void }).unref?.()
  set.add(timer)
}

/** Stops the answer watches of an instance that is closing. */
export function stopAnswerWatches(ctx: RinglineContext): void {
  const timers = watches.get(ctx)
  if (!timers) return
  for (const timer of timers) clearTimeout(timer)
  timers.clear()
}
