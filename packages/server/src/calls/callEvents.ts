import type { RinglineContext } from '../context'
import { publicCall, type StoredCall } from './callRow'

/** Who hears about a call: its caller for outbound calls, the rung users (or the whole tenant) for inbound ones. */
export function callAudience(call: StoredCall): string[] | undefined {
  if (call.direction === 'outbound') return call.createdBy ? [call.createdBy] : []
  if (call.direction === 'inbound') return call.internals.ringUsers
  return undefined
}

/** Publishes `call.incoming`, `call.updated` or `call.ended` for a call to its audience. */
export function publishCall(
  ctx: RinglineContext,
  type: 'call.incoming' | 'call.updated' | 'call.ended',
  call: StoredCall,
): void {
  ctx.hub.publish(call.tenantId, { type, call: publicCall(call, ctx.config.basePath) }, callAudience(call))
}
