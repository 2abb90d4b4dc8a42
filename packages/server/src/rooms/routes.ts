import { joinRoomRequestSchema, roomAgentRequestSchema, tokenRequestSchema } from '@ringline/core/protocol'
import { paramRoute } from '../http/paramRoute'
import { defineRoute } from '../http/router'
import { parse } from '../http/validate'
import { readyCheckConnection } from './readyCheck'
import { endRoom, inviteAgentToRoom, joinRoom, leaveRoom, listRooms, roomToken } from './rooms'

/** Internal-call routes: join (token for one room), list, leave, end, invite an agent; the ready check's test room. */
export const roomRoutes = [
  defineRoute({
    method: 'POST',
    path: '/token',
    // The join's first read also asks whether the user is revoked: one round trip fewer per token.
    checksRevocation: true,
    async handle({ ctx, principal, body }) {
      return roomToken(ctx, principal, parse(tokenRequestSchema, body), { checkRevoked: true })
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/rooms',
    handle: ({ ctx, principal }) => listRooms(ctx, principal),
  }),
  paramRoute('POST', '/rooms/:name/join', joinRoom, joinRoomRequestSchema),
  paramRoute('POST', '/rooms/:name/leave', leaveRoom),
  paramRoute('POST', '/rooms/:name/end', endRoom),
  paramRoute('POST', '/rooms/:name/agent', inviteAgentToRoom, roomAgentRequestSchema),
  defineRoute({
    method: 'POST',
    path: '/ready-check',
    handle: ({ ctx, principal }) => readyCheckConnection(ctx, principal),
  }),
]
