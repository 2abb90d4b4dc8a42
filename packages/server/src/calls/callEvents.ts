import type { ServerDialRing } from '@ringline/core/protocol'
import type { RinglineContext } from '../context'
import { publicCall, type StoredCall } from './callRow'

/**
 * Who hears about a call: its caller for outbound calls, the rung users (or the whole tenant) for inbound ones, and
 * whoever a warm transfer involves (the consulted colleague, the new answerer, the user who handed it over).
 */
export function callAudience(call: StoredCall): string[] | undefined {
  const base =
    call.direction === 'outbound'
      ? call.createdBy
        ? [call.createdBy]
        : []
      : call.direction === 'inbound'
        ? call.internals.ringUsers
        : undefined
  if (!base) return undefined
  const extra = [call.consult?.userId, call.consult?.by, call.answeredBy, call.transfer?.by].filter(
    (u): u is string => !!u && !u.startsWith('agent:') && !base.includes(u),
  )
  return extra.length > 0 ? [...base, ...new Set(extra)] : base
}

/**
 * Publishes `call.incoming`, `call.updated` or `call.ended` for a call to its audience; `serverDial` (not on
 * `call.ended`) marks the ring of a server-placed call's browser leg.
 */
export function publishCall(
  ctx: RinglineContext,
  type: 'call.incoming' | 'call.updated' | 'call.ended',
  call: StoredCall,
  serverDial?: ServerDialRing,
): void {
  const event = { type, call: publicCall(call, ctx.config.basePath) }
  ctx.hub.publish(
    call.tenantId,
    serverDial && type !== 'call.ended' ? { ...event, type, serverDial } : event,
    callAudience(call),
  )
}
