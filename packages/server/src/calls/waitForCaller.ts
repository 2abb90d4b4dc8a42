import type { RinglineContext } from '../context'
import { isNotFound } from '../livekit'
import { getCall } from './callRepository'
import type { StoredCall } from './callRow'

/**
 * How often the room is asked whether the caller has joined: often at first (a browser usually joins within a few
 * hundred milliseconds of its `POST /calls`), then every 200 ms. A join webhook delivered to this instance ends a
 * wait at once; the polls find a join another instance heard.
 */
export const CALLER_POLL_MS = [25, 25, 50, 50, 50, 100, 100, 200] as const

/** Why the wait for the caller ended: it should dial (`joined`, `timeout`, `unknown`) or not (`ended`). */
export type CallerWait = 'joined' | 'timeout' | 'unknown' | 'ended'

/**
 * Waits until the caller's browser is in the call's room, so the phone is dialled only when someone can hear
 * it answer, up to `sip.waitForCallerSeconds`. Asks LiveKit (another instance may receive the join's webhook) and
 * wakes early when this instance hears the join. Resolves `ended` when the call was hung up meanwhile (nothing
 * must be dialled), `unknown` when LiveKit cannot be asked (the dial then reports the real error).
 */
export async function waitForCaller(
  ctx: RinglineContext,
  call: StoredCall,
  identity: string,
  options: { pollMs?: number } = {},
): Promise<CallerWait> {
  const seconds = ctx.config.sip.waitForCallerSeconds
  if (seconds <= 0) return 'joined'
  const deadline = Date.now() + seconds * 1000
  const hungUp = async () => {
    const current = await getCall(ctx.store, call.tenantId, call.id)
    return !current || current.endedAt !== null
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const present = await ctx.livekit().room.listParticipants(call.roomName)
      if (present.some((p) => p.identity === identity)) return 'joined'
    } catch (error) {
      if (!isNotFound(error)) {
        ctx.logger.debug('ringline: could not ask LiveKit whether the caller joined; dialling', {
          callId: call.id,
          error,
        })
        return 'unknown'
      }
    }
    if (await hungUp()) return 'ended'
    const left = deadline - Date.now()
    if (left <= 0) return 'timeout'
    const pause = options.pollMs ?? CALLER_POLL_MS[Math.min(attempt, CALLER_POLL_MS.length - 1)] ?? 200
    if (await ctx.joins.wait(call.roomName, identity, Math.min(pause, left)))
      return (await hungUp()) ? 'ended' : 'joined'
  }
}
