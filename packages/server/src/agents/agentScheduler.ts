import type { Logger } from '../types'
import { decideAgentDispatch } from './agentPolicy'
import type {
  AgentCallFacts,
  AgentDecision,
  AgentDispatchTrigger,
  AgentRoutingPolicy,
  AgentTrigger,
} from './types'

/** Dependencies of `createAgentScheduler`. */
export interface AgentSchedulerDeps {
  /** Current facts of a call (re-read when a timer fires), null when unknown. */
  getCall(callId: string): Promise<AgentCallFacts | null>
  /** The routing policy of a call (its number's, else the default). */
  getPolicy(call: AgentCallFacts): AgentRoutingPolicy | Promise<AgentRoutingPolicy>
  /** Dispatches once per call and agent, e.g. `(input) => dispatchAgent(deps, input)`. */
  dispatch(input: {
    callId: string
    roomName: string
    agentName: string
    metadata?: string
    trigger: AgentDispatchTrigger
  }): Promise<unknown>
  logger?: Logger
  now?: () => Date
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (handle: unknown) => void
}

/** Runs agent routing policies for the calls of this process. */
export interface AgentScheduler {
  /** Tells the scheduler something happened to a call; returns what was decided (and done). */
  onCallEvent(callId: string, trigger: Exclude<AgentTrigger, 'timer'>): Promise<AgentDecision>
  /** Ids of calls with a timer waiting. */
  scheduled(): string[]
  /** Clears every timer (server shutdown). */
  stop(): void
}

/**
 * A small in-process scheduler around `decideAgentDispatch`: it dispatches when told to, keeps one timer per call
 * for `agent-on-no-answer`, and re-reads the call when the timer fires. Several server instances may each hold a
 * timer: the dispatch claim makes the agent join once.
 */
export function createAgentScheduler(deps: AgentSchedulerDeps): AgentScheduler {
  const now = deps.now ?? (() => new Date())
  const setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms))
  const clearTimer = deps.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>))
  const timers = new Map<string, unknown>()

  function cancel(callId: string): void {
    const handle = timers.get(callId)
    if (handle !== undefined) clearTimer(handle)
    timers.delete(callId)
  }

  async function run(callId: string, trigger: AgentTrigger): Promise<AgentDecision> {
    const call = await deps.getCall(callId)
    if (!call) {
      cancel(callId)
      return { action: 'none', reason: 'call not found' }
    }
    const decision = decideAgentDispatch(await deps.getPolicy(call), call, trigger, now())
    switch (decision.action) {
      case 'dispatch':
        cancel(callId)
        await deps.dispatch({
          callId,
          roomName: call.roomName,
          agentName: decision.agentName,
          trigger: decision.trigger,
          ...(decision.metadata === undefined ? {} : { metadata: decision.metadata }),
        })
        break
      case 'schedule': {
        cancel(callId)
        const ms = Math.max(0, decision.at.getTime() - now().getTime())
        timers.set(
          callId,
          setTimer(() => {
            timers.delete(callId)
            run(callId, 'timer').catch((error: unknown) => {
              deps.logger?.error('agents: scheduled dispatch failed', { callId, error })
            })
          }, ms),
        )
        break
      }
      case 'cancel':
        cancel(callId)
        break
      case 'none':
        break
      default:
        decision satisfies never
    }
    return decision
  }

  return {
    onCallEvent: (callId, trigger) => run(callId, trigger),
    scheduled: () => [...timers.keys()],
    stop() {
      for (const id of [...timers.keys()]) cancel(id)
    },
  }
}
