// AI agents on calls: dispatch once per call and agent, routing policies, and a scheduler for them.
export { agentPolicyFromRouting, agentRoutingPolicySchema, decideAgentDispatch } from './agentPolicy'
export type { AgentScheduler, AgentSchedulerDeps } from './agentScheduler'
export { createAgentScheduler } from './agentScheduler'
export type { DispatchAgentDeps, DispatchAgentInput, DispatchAgentResult } from './dispatchAgent'
export { dispatchAgent } from './dispatchAgent'
export { sqlAgentDispatchStore } from './sqlAgentDispatchStore'
export type {
  AgentCallFacts,
  AgentDecision,
  AgentDispatchApi,
  AgentDispatchRecord,
  AgentDispatchState,
  AgentDispatchStore,
  AgentDispatchTrigger,
  AgentRoutingPolicy,
  AgentsOptions,
  AgentTrigger,
} from './types'
