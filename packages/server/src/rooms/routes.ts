import { joinRoomRequestSchema, tokenRequestSchema } from '@ringline/core/protocol'
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
  defineRoute({
    method: 'POST',
    path: '/rooms/:name/join',
    handle: ({ ctx, principal, params, body }) =>
      joinRoom(ctx, principal, params.name ?? '', parse(joinRoomRequestSchema, body)),
  }),
  defineRoute({
    method: 'POST',
    path: '/rooms/:name/leave',
    handle: ({ ctx, principal, params }) => leaveRoom(ctx, principal, params.name ?? ''),
  }),
  defineRoute({
    method: 'POST',
    path: '/rooms/:name/end',
    handle: ({ ctx, principal, params }) => endRoom(ctx, principal, params.name ?? ''),
  }),
]
