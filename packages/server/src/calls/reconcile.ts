import { DataPacket_Kind } from '@livekit/protocol'
import type { RoomServiceClient } from 'livekit-server-sdk'
import type { RinglineContext } from '../context'
import { publishRoom } from '../rooms/rooms'
import { publishCall } from './callEvents'
import { isTwilioVoiceCall } from './callMedia'
import { closeCall, listOpenCallsBefore } from './callRepository'
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

/**
 * Closes call records whose LiveKit room no longer exists (webhooks are at-least-once and may be dropped), or is
 * still listed but orphaned (its livekit-server died: see `roomIsOrphaned`), so no call stays open forever. Calls younger than `graceSeconds` and Twilio Voice calls are left alone.
 */
export async function reconcile(
  ctx: RinglineContext,
  options: { graceSeconds?: number } = {},
): Promise<{ checked: number; closed: string[] }> {
  // Twilio Voice calls have no LiveKit room: their status callbacks close them, not a missing room.
  const open = (
    await listOpenCallsBefore(ctx.store, new Date(Date.now() - (options.graceSeconds ?? 60) * 1000))
  ).filter((call) => !isTwilioVoiceCall(call))
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
