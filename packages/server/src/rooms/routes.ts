import { joinRoomRequestSchema, tokenRequestSchema } from '@ringline/core/protocol'
import { paramRoute } from '../http/paramRoute'
import { defineRoute } from '../http/router'
import { parse } from '../http/validate'
import { endRoom, joinRoom, leaveRoom, listRooms } from './rooms'

/** Internal-call routes: join (token for one room), list, leave, end. */
export const roomRoutes = [
  defineRoute({
    method: 'POST',
    path: '/token',
    async handle({ ctx, principal, body }) {
      const { room, displayName } = parse(tokenRequestSchema, body)
      const joined = await joinRoom(ctx, principal, room, displayName ? { displayName } : {})
      return joined.connection
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
]
