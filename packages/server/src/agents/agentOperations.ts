import type { DispatchAgentRequest, DispatchAgentResponse } from '@ringline/core/protocol'
import { requireCallRoom } from '../calls/callMedia'
import { visibleCall } from '../calls/calls'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { toAgentDispatchInfo } from '../mediaServices'
import type { Principal } from '../types'
import type { DispatchAgentInput } from './dispatchAgent'

/** Dispatches a LiveKit agent to a call's room, once per call and agent name (`POST /calls/:id/agent`). */
export async function inviteAgent(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
  body: DispatchAgentRequest,
): Promise<DispatchAgentResponse> {
  const call = await visibleCall(ctx, principal, id)
  requireCallRoom(call, 'agent')
  if (call.endedAt) throw new HttpError('CALL_NOT_ACTIVE', 'The call has ended.')
  return dispatchAndSettle(ctx, {
    callId: call.id,
    roomName: call.roomName,
    agentName: body.agentName,
    ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
    trigger: 'api',
  })
}

/**
 * Dispatches once per call and agent name and answers with the settled outcome: when another request is asking
 * LiveKit right now, waits (up to 5 s) for its result rather than answering with a half-done row.
 */
export async function dispatchAndSettle(
  ctx: RinglineContext,
  input: DispatchAgentInput,
): Promise<DispatchAgentResponse> {
  const { dispatch, created } = await ctx.media.dispatchAgent(input)
  let settled = dispatch
  for (let waited = 0; settled.state === 'pending' && !created && waited < 5000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    settled = (await ctx.media.listAgentDispatches(input.callId)).find((d) => d.id === dispatch.id) ?? settled
  }
  return { dispatch: toAgentDispatchInfo(settled), created }
}
