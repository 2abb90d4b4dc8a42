import type { RinglineContext } from '../context'
import { publishRoom } from '../rooms/rooms'
import { publishCall } from './callEvents'
import { isTwilioVoiceCall } from './callMedia'
import { closeCall, listOpenCallsBefore } from './callRepository'
import { closeAsStale } from './lifecycle'

/**
 * Closes call records whose LiveKit room no longer exists (webhooks are at-least-once and may be dropped),
 * so no call stays open forever. Calls younger than `graceSeconds` and Twilio Voice calls are left alone.
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
