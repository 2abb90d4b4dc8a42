import { z } from 'zod'
import type { AgentCallFacts, AgentDecision, AgentRoutingPolicy, AgentTrigger } from './types'

const agentName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/)

/** Zod schema of an agent routing policy, as stored under `routing_policy.agent` of a number connection. */
export const agentRoutingPolicySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }),
  z.object({ mode: z.literal('agent-first'), agentName, metadata: z.string().max(16_384).optional() }),
  z.object({
    mode: z.literal('agent-on-no-answer'),
    agentName,
    afterSeconds: z.number().int().min(1).max(600),
    metadata: z.string().max(16_384).optional(),
  }),
])

/**
 * The agent policy stored on a number's routing policy, e.g.
 * `{ "policy": "ring-all", "agent": { "mode": "agent-on-no-answer", "agentName": "receptionist", "afterSeconds": 20 } }`;
 * `undefined` when absent or invalid.
 */
export function agentPolicyFromRouting(routingPolicy: unknown): AgentRoutingPolicy | undefined {
  if (routingPolicy === null || typeof routingPolicy !== 'object') return undefined
  const parsed = agentRoutingPolicySchema.safeParse((routingPolicy as { agent?: unknown }).agent)
  return parsed.success ? parsed.data : undefined
}

const RINGING: readonly string[] = ['initiated', 'ringing']

/**
 * Decides, from facts only, what to do about a call's agent when something happens to the call. Pure: the same
 * policy, facts, trigger and time give the same answer, so replays and several servers agree.
 * - `agent-first`: dispatch as soon as an inbound call rings.
 * - `agent-on-no-answer`: schedule at `startedAt + afterSeconds`; dispatch then if nobody answered, or at once when
 *   every online agent declined (the call would be missed). Keep `afterSeconds` below the trunk's ringing timeout.
 */
export function decideAgentDispatch(
  policy: AgentRoutingPolicy,
  call: AgentCallFacts,
  trigger: AgentTrigger,
  now: Date,
): AgentDecision {
  if (policy.mode === 'none') return { action: 'none', reason: 'no agent policy' }
  if (call.direction !== 'inbound') return { action: 'none', reason: 'agent policies apply to inbound calls' }
  if (trigger === 'ended' || call.endedAt !== null) return { action: 'cancel', reason: 'call ended' }
  if (trigger === 'answered' || call.answeredAt !== null || !RINGING.includes(call.status)) {
    return policy.mode === 'agent-on-no-answer'
      ? { action: 'cancel', reason: 'answered by a human' }
      : { action: 'none', reason: 'call is no longer ringing' }
  }
  const meta = policy.metadata === undefined ? {} : { metadata: policy.metadata }
  if (policy.mode === 'agent-first') {
    return { action: 'dispatch', agentName: policy.agentName, trigger: 'agent-first', ...meta }
  }
  if (trigger === 'declined-by-all') {
    return { action: 'dispatch', agentName: policy.agentName, trigger: 'agent-on-no-answer', ...meta }
  }
  const due = new Date(new Date(call.startedAt).getTime() + policy.afterSeconds * 1000)
  if (now.getTime() >= due.getTime()) {
    return { action: 'dispatch', agentName: policy.agentName, trigger: 'agent-on-no-answer', ...meta }
  }
  return { action: 'schedule', at: due, agentName: policy.agentName }
}
