import type { RinglineContext } from '../context'
import { isNotFound } from '../livekit'
import { getCall } from './callRepository'
import type { StoredCall } from './callRow'

/** How often the room is asked whether the caller has joined. */
export const CALLER_POLL_MS = 200

/** Why the wait for the caller ended: it should dial (`joined`, `timeout`, `unknown`) or not (`ended`). */
export type CallerWait = 'joined' | 'timeout' | 'unknown' | 'ended'

/**
 * Waits until the caller's browser is in the call's room, so the phone is dialled only when someone can hear
 * it answer. Asks LiveKit (not this instance's webhooks: another instance may receive them), up to
 * `sip.waitForCallerSeconds`. Resolves `ended` when the call was hung up meanwhile (nothing must be dialled),
 * `unknown` when LiveKit cannot be asked (the dial then reports the real error).
 */
export async function waitForCaller(
  ctx: RinglineContext,
  call: StoredCall,
  identity: string,
  options: { pollMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<CallerWait> {
  const seconds = ctx.config.sip.waitForCallerSeconds
  if (seconds <= 0) return 'joined'
  const pollMs = options.pollMs ?? CALLER_POLL_MS
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const deadline = Date.now() + seconds * 1000
  for (;;) {
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
    const current = await getCall(ctx.store, call.tenantId, call.id)
    if (!current || current.endedAt) return 'ended'
    if (Date.now() >= deadline) return 'timeout'
    await sleep(pollMs)
  }
}
