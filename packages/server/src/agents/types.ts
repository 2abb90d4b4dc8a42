import type { CallDirection, CallStatus } from '@ringline/core/protocol'
import type { AgentDispatchClient } from 'livekit-server-sdk'

/** Where a dispatch is: claimed by us (`pending`), accepted by LiveKit (`dispatched`), or refused (`failed`). */
export type AgentDispatchState = 'pending' | 'dispatched' | 'failed'

/** What asked for the agent: the API route, a number's routing policy, or a browser room's kind. */
export type AgentDispatchTrigger = 'api' | 'agent-first' | 'agent-on-no-answer' | 'room-kind'

/** One row of `ringline_agent_dispatches` (timestamps ISO 8601). */
export interface AgentDispatchRecord {
  id: string
  callId: string
  agentName: string
  roomName: string | null
  state: AgentDispatchState
  /** LiveKit's dispatch id (`AD_…`) once dispatched. */
  dispatchId: string | null
  metadata: string | null
  trigger: AgentDispatchTrigger
  error: string | null
  /** How many times LiveKit was asked (1 unless a failure was retried). */
  attempts: number
  createdAt: string
  updatedAt: string
}

/** Storage of agent dispatches; `sqlAgentDispatchStore(db)` implements it on `ringline_agent_dispatches`. */
export interface AgentDispatchStore {
  /** Inserts a `pending` row unless `(call_id, agent_name)` exists; `won` says whether this call inserted it. */
  claim(input: {
    id: string
    callId: string
    agentName: string
    roomName: string
    metadata: string | null
    trigger: AgentDispatchTrigger
  }): Promise<{ record: AgentDispatchRecord; won: boolean }>
  /** Compare-and-set back to `pending` (a retry) if the row still has this state and `updatedAt`; null if we lost. */
  reclaim(
    id: string,
    expect: { state: AgentDispatchState; updatedAt: string },
  ): Promise<AgentDispatchRecord | null>
  markDispatched(id: string, dispatchId: string): Promise<AgentDispatchRecord>
  markFailed(id: string, error: string): Promise<AgentDispatchRecord>
  listForCall(callId: string): Promise<AgentDispatchRecord[]>
}

/** The subset of `AgentDispatchClient` dispatching needs. */
export type AgentDispatchApi = Pick<AgentDispatchClient, 'createDispatch' | 'listDispatch'>

/** A number's (or tenant's) agent routing: no agent, an agent first, or an agent when nobody answers in time. */
export type AgentRoutingPolicy =
  | { mode: 'none' }
  | { mode: 'agent-first'; agentName: string; metadata?: string }
  | { mode: 'agent-on-no-answer'; agentName: string; afterSeconds: number; metadata?: string }

/** The facts about a call that routing decisions read. */
export interface AgentCallFacts {
  callId: string
  roomName: string
  direction: CallDirection
  status: CallStatus
  startedAt: string
  answeredAt: string | null
  endedAt: string | null
}

/**
 * What just happened to the call: it started ringing, a timer set by an earlier decision fired, a human answered,
 * every online agent declined (the call would be missed), or it ended.
 */
export type AgentTrigger = 'ringing' | 'timer' | 'answered' | 'declined-by-all' | 'ended'

/** What to do about the agent of a call. */
export type AgentDecision =
  | { action: 'none'; reason: string }
  | {
      action: 'dispatch'
      agentName: string
      metadata?: string
      trigger: Exclude<AgentDispatchTrigger, 'api'>
    }
  | { action: 'schedule'; at: Date; agentName: string }
  | { action: 'cancel'; reason: string }

/** `agents` option of `createRingline`. */
export interface AgentsOptions {
  /** Agent names `POST /calls/:id/agent` may dispatch; default any. */
  allowedAgents?: string[]
  /** Routing for inbound calls when the number names none (default `{ mode: 'none' }`). */
  defaultPolicy?: AgentRoutingPolicy
  /** Seconds after which a `pending` dispatch nobody finished is reconciled with LiveKit (default 30). */
  staleAfterSeconds?: number
}
