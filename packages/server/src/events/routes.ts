import { HttpError } from '../http/errors'
import { defineRoute } from '../http/router'
import { sseResponse } from './sseResponse'

/** `GET /events`: the caller's tenant's events as Server-Sent Events, resumable with `Last-Event-ID`. */
export const eventRoutes = [
  defineRoute({
    method: 'GET',
    path: '/events',
    async handle({ ctx, principal, request, query, headers }) {
      if (ctx.hub.streamCount(principal.tenantId, principal.userId) >= ctx.config.maxEventStreamsPerUser) {
        throw new HttpError(
          'TOO_MANY_CONNECTIONS',
          'Too many open event streams for this user; close a tab.',
          {
            headers: { 'retry-after': '10' },
          },
        )
      }
      await ctx.hub.listen()
      const lastEventId = request.headers.get('last-event-id') ?? query.get('lastEventId')
      return sseResponse({
        hub: ctx.hub,
        tenantId: principal.tenantId,
        userId: principal.userId,
        lastEventId: lastEventId && lastEventId.length <= 128 ? lastEventId : null,
        heartbeatMs: ctx.config.heartbeatSeconds * 1000,
        signal: request.signal,
        headers,
      })
    },
  }),
]
