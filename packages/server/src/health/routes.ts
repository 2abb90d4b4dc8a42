import { defineRoute } from '../http/router'
import { health } from './health'

/** `GET /health`: configuration and reachability (503 when not ready); never secrets. */
export const healthRoutes = [
  defineRoute({
    method: 'GET',
    path: '/health',
    auth: 'none',
    async handle({ ctx, headers }) {
      const report = await health(ctx)
      headers.set('content-type', 'application/json; charset=utf-8')
      return new Response(JSON.stringify(report), { status: report.ok ? 200 : 503, headers })
    },
  }),
]
