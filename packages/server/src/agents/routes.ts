import { dispatchAgentRequestSchema } from '@ringline/core/protocol'
import { defineRoute } from '../http/router'
import { parse } from '../http/validate'
import { inviteAgent } from './agentOperations'

/** Dispatching a LiveKit agent into a call. */
export const agentRoutes = [
  defineRoute({
    method: 'POST',
    path: '/calls/:id/agent',
    handle: ({ ctx, principal, params, body }) =>
      inviteAgent(ctx, principal, params.id ?? '', parse(dispatchAgentRequestSchema, body)),
  }),
]
