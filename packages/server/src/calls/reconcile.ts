import { DataPacket_Kind } from '@livekit/protocol'
import type { RoomServiceClient } from 'livekit-server-sdk'
import type { RinglineContext } from '../context'
import { publishRoom } from '../rooms/rooms'
import { releaseIfUnconnected } from './answerRelease'
import { publishCall } from './callEvents'
import { isTwilioVoiceCall } from './callMedia'
import { closeCall, listOpenCallsBefore, listUnconnectedAnswers } from './callRepository'
import { closeAsStale } from './lifecycle'

/** The identity the liveness probe addresses: nobody has it, so a live room delivers the probe to no one. */
const PROBE_IDENTITY = 'ringline-reconcile-probe'
/** Rooms probed at once. */
const PROBE_CONCURRENCY = 8

/**
 * Whether a room LiveKit still lists has no server behind it. livekit-server keeps rooms in Redis: when the
 * server hosting one dies (a crash, a kill, a lost machine) the room and its participants stay listed for up to
 * 24 h, though nothing runs them. A data packet addressed to nobody must be answered by the room's own server:
 * a live room takes it (and delivers it to no one); an orphaned one answers 503 "no response from servers".
 */
async function roomIsOrphaned(room: RoomServiceClient, name: string): Promise<boolean> {
  try {
    await room.sendData(name, new Uint8Array([0]), DataPacket_Kind.RELIABLE, {
      destinationIdentities: [PROBE_IDENTITY],
      topic: 'ringline.reconcile',
    })
    return false
  } catch (error) {
    const e = error as { status?: number; message?: string }
    return e?.status === 503 && /no response from servers/i.test(e.message ?? '')
  }
}

/** What one reconcile pass did. */
export interface ReconcileResult {
  /** Open calls whose room was checked. */
  checked: number
  /** Calls closed as `stale` (their room is gone or orphaned). */
  closed: string[]
  /** Inbound calls whose answer never connected and that ring again (`sip.answerConnectSeconds`). */
  released: string[]
}

/**
 * Closes call records whose LiveKit room no longer exists (webhooks are at-least-once and may be dropped), or is
 * still listed but orphaned (its livekit-server died: see `roomIsOrphaned`), so no call stays open forever. Calls
 * younger than `graceSeconds` and Twilio Voice calls are left alone. Then releases inbound answers older than
 * `sip.answerConnectSeconds` whose answerer never joined while the caller waits (the instance that took the claim,
 * whose own timer does it, may have died): safe on several instances at once.
 */
export async function reconcile(
  ctx: RinglineContext,
  options: { graceSeconds?: number } = {},
): Promise<ReconcileResult> {
  let stale: { checked: number; closed: string[] } = { checked: 0, closed: [] }
  let failure: unknown
  try {
    stale = await closeStaleCalls(ctx, options.graceSeconds ?? 60)
  } catch (error) {
    // LiveKit unreachable: the answers are still released from the webhooks' record of the rooms.
    failure = error
  }
  const released = await releaseUnconnectedAnswers(ctx)
  if (failure !== undefined) throw failure
  return { ...stale, released }
}

/** Releases the answers that never connected (see `releaseIfUnconnected`); returns the calls that ring again. */
async function releaseUnconnectedAnswers(ctx: RinglineContext): Promise<string[]> {
  const seconds = ctx.config.sip.answerConnectSeconds
  if (seconds <= 0) return []
  const calls = await listUnconnectedAnswers(ctx.store, new Date(Date.now() - seconds * 1000))
  const released: string[] = []
  for (const call of calls) {
    if (await releaseIfUnconnected(ctx, call)) released.push(call.id)
  }
  if (released.length > 0)
    ctx.logger.info('ringline: reconcile released answers that never connected', { count: released.length })
  return released
}

/** The stale-call half of `reconcile`. */
async function closeStaleCalls(
  ctx: RinglineContext,
  graceSeconds: number,
): Promise<{ checked: number; closed: string[] }> {
  // Twilio Voice calls have no LiveKit room: their status callbacks close them, not a missing room.
  const open = (await listOpenCallsBefore(ctx.store, new Date(Date.now() - graceSeconds * 1000))).filter(
    (call) => !isTwilioVoiceCall(call),
  )
  if (open.length === 0) return { checked: 0, closed: [] }
  const { room } = ctx.livekit()
  const live = new Set<string>()
  for (let i = 0; i < open.length; i += 100) {
    const names = open.slice(i, i + 100).map((c) => c.roomName)
    for (const r of await room.listRooms(names)) live.add(r.name)
  }
  // Listed rooms whose server died are as gone as unlisted ones.
  const listed = open.filter((call) => live.has(call.roomName))
  for (let i = 0; i < listed.length; i += PROBE_CONCURRENCY) {
    const batch = listed.slice(i, i + PROBE_CONCURRENCY)
    const orphaned = await Promise.all(batch.map((call) => roomIsOrphaned(room, call.roomName)))
    batch.forEach((call, k) => {
      if (orphaned[k]) live.delete(call.roomName)
    })
  }
  const closed: string[] = []
  for (const call of open) {
    if (live.has(call.roomName)) continue
    const done = await closeCall(ctx.store, call.id, closeAsStale(call))
    if (!done) continue
    closed.push(done.id)
    if (done.direction === 'internal')
      publishRoom(ctx, done.tenantId, done.roomName.slice(`int-${done.tenantId}-`.length), null)
    else publishCall(ctx, 'call.ended', done)
  }
  if (closed.length > 0) ctx.logger.info('ringline: reconcile closed stale calls', { count: closed.length })
  return { checked: open.length, closed }
}
