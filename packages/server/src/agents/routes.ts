import { dispatchAgentRequestSchema } from '@ringline/core/protocol'
import { paramRoute } from '../http/paramRoute'
import { inviteAgent } from './agentOperations'

/** Dispatching a LiveKit agent into a call. */
export const agentRoutes = [paramRoute('POST', '/calls/:id/agent', inviteAgent, dispatchAgentRequestSchema)]
