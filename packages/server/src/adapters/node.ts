import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { Ringline } from '../ringline'

type Handler = (request: Request) => Promise<Response>

/** Options of `toNodeHandler`. */
export interface NodeHandlerOptions {
  /** Trust `X-Forwarded-Proto` / `X-Forwarded-Host` when building the request URL (behind your own proxy). */
  trustProxy?: boolean
}

type NodeRequest = IncomingMessage & { body?: unknown; rawBody?: unknown; originalUrl?: string }

function bodyOf(req: NodeRequest): BodyInit | undefined {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined
  // A body parser may have run already (Express): use its raw bytes when it kept them.
  if (Buffer.isBuffer(req.body)) return new Uint8Array(req.body)
  if (typeof req.body === 'string') return req.body
  if (Buffer.isBuffer(req.rawBody)) return new Uint8Array(req.rawBody)
  if (typeof req.rawBody === 'string') return req.rawBody
  if (req.body !== undefined && req.readableEnded) {
    // Only the parsed value is left (e.g. express.json()): JSON routes accept it re-serialised;
    // webhook signatures need the raw body, so mount Ringline before express.json().
    return JSON.stringify(req.body)
  }
  return Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>
}

function toRequest(req: NodeRequest, signal: AbortSignal, options: NodeHandlerOptions): Request {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim()
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true
  const proto =
    (options.trustProxy && first(req.headers['x-forwarded-proto'])) || (encrypted ? 'https' : 'http')
  const host =
    (options.trustProxy && first(req.headers['x-forwarded-host'])) || req.headers.host || 'localhost'
  const headers = new Headers()
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const v of value) headers.append(key, v)
    else headers.set(key, value)
  }
  const body = bodyOf(req)
  return new Request(`${proto}://${host}${req.originalUrl ?? req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    signal,
    ...(body === undefined ? {} : { body, duplex: 'half' }),
  } as RequestInit)
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const setCookies = response.headers.getSetCookie()
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie') headers[key] = value
  })
  if (setCookies.length > 0) headers['set-cookie'] = setCookies
  res.writeHead(response.status, headers)
  if (!response.body) {
    res.end()
    return
  }
  // Send headers now so streams (SSE) start at once.
  res.flushHeaders()
  const reader = response.body.getReader()
  res.on('close', () => {
    reader.cancel().catch(() => {})
  })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!res.write(value)) {
        // Respect backpressure: a slow client makes the stream queue up, which Ringline bounds.
        await new Promise<void>((resolve) => {
          const onDone = () => {
            res.off('drain', onDone)
            res.off('close', onDone)
            resolve()
          }
          res.on('drain', onDone)
          res.on('close', onDone)
        })
        if (res.destroyed) break
      }
    }
  } catch {
    // The client went away or the stream errored: nothing left to send.
  }
  res.end()
}

/**
 * A node:http / Express handler: builds a Fetch `Request` (raw body passed through untouched), streams the
 * `Response` back (SSE included) and patches no globals.
 * @example app.use('/api/ringline', toNodeHandler(ringline)) // mount before express.json()
 */
export function toNodeHandler(
  ringline: Pick<Ringline, 'handler'> | Handler,
  options: NodeHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => Promise<void> {
  const handler = typeof ringline === 'function' ? ringline : ringline.handler
  return async (req, res, next) => {
    const controller = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) controller.abort()
    })
    try {
      const response = await handler(toRequest(req as NodeRequest, controller.signal, options))
      await writeResponse(response, res)
    } catch (error) {
      if (next) next(error)
      else if (!res.headersSent) {
        res.statusCode = 500
        res.end()
      } else res.destroy()
    }
  }
}
