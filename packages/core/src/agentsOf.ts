import type { AgentState, CallAgent, ParticipantState } from './types'

const AGENT_STATES = new Set<AgentState>(['initializing', 'idle', 'listening', 'thinking', 'speaking'])

/** The agents among a call's participants, with their `lk.agent.state`. */
export function agentsOf(participants: readonly ParticipantState[]): CallAgent[] {
  return participants
    .filter((p) => p.kind === 'agent' && !p.isLocal)
    .map((p) => {
      const state = p.attributes['lk.agent.state'] as AgentState | undefined
      return {
        identity: p.identity,
        name: p.name,
        state: state && AGENT_STATES.has(state) ? state : 'unknown',
      }
    })
}
