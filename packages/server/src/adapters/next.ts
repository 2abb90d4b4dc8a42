import type { Ringline } from '../ringline'

type Handler = (request: Request) => Promise<Response>

/**
 * Route handlers for a Next.js App Router catch-all route (`app/api/ringline/[...path]/route.ts`).
 * @example export const { GET, POST, PUT, DELETE } = toNextHandlers(ringline)
 */
export function toNextHandlers(ringline: Pick<Ringline, 'handler'> | Handler): {
  GET: Handler
  POST: Handler
  PUT: Handler
  DELETE: Handler
} {
  const handler = typeof ringline === 'function' ? ringline : ringline.handler
  // Next passes a second context argument; only the request matters.
  const handle: Handler = (request) => handler(request)
  return { GET: handle, POST: handle, PUT: handle, DELETE: handle }
}
