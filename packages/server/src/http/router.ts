import { ServerError } from 'livekit-server-sdk'
import type { RinglineContext } from '../context'
import { assertNotRevoked } from '../revocation/revocation'
import { assertPrincipalIds } from '../tokens'
import type { Principal } from '../types'
import { HttpError, isHttpError } from './errors'

/** What a route handler receives. */
export interface RouteContext {
  request: Request
  /** URL parameters, decoded (`:id`, `:name`). */
  params: Record<string, string>
  query: URLSearchParams
  /** The signed-in principal (routes with `auth: 'none'` get `null`). */
  principal: Principal
  /** Parsed JSON body (`{}` when empty) for `body: 'json'` routes. */
  body: unknown
  /** The body exactly as received, for `body: 'raw'` routes (webhooks). */
  rawBody: string
  requestId: string
  ctx: RinglineContext
  /** Headers added to the response. */
  headers: Headers
}

/** One entry of the route table. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Path under the base path, with `:param` segments. */
  path: string
  /** `'none'` for webhooks and health; everything else requires `authorize`. */
  auth?: 'required' | 'none'
  /** `json` (default for POST/PUT/DELETE), `raw` (webhooks: any content type, webhook size cap) or `none`. */
  body?: 'json' | 'raw' | 'none'
  /** Response status for a plain-object result (default 200). */
  status?: number
  /**
   * The route refuses a revoked user itself, in the read it makes anyway (`POST /token`'s join), so the router
   * skips its own revocation read. A route that sets this must refuse revoked users on every path.
   */
  checksRevocation?: boolean
  handle(c: RouteContext): Promise<Response | unknown>
}

/** Declares a route (an identity function that keeps the table typed). */
export function defineRoute(route: Route): Route {
  return route
}

interface CompiledRoute {
  route: Route
  pattern: RegExp
  names: string[]
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/
const STATE_CHANGING = new Set(['POST', 'PUT', 'DELETE', 'PATCH'])

function compile(route: Route): CompiledRoute {
  const names: string[] = []
  const source = route.path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        names.push(segment.slice(1))
        return '([^/]+)'
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('/')
  return { route, pattern: new RegExp(`^${source}/?$`), names }
}

function mediaType(request: Request): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
}

function selfOrigin(request: Request, url: URL, trustProxy: boolean): string {
  if (trustProxy) {
    const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim()
    const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim()
    if (host) return `${proto ?? url.protocol.replace(':', '')}://${host}`.toLowerCase()
  }
  // The Host header is what the browser addressed; frameworks may rewrite request.url (Next reports
  // `localhost` for a page served on 127.0.0.1), and a cross-site page cannot set Host.
  const host = request.headers.get('host')
  return (host ? `${url.protocol}//${host}` : url.origin).toLowerCase()
}

/** Cross-site request forgery guard: a browser request must come from our own origin or an allowed one. */
function checkOrigin(request: Request, url: URL, ctx: RinglineContext): void {
  const origin = request.headers.get('origin')
  const site = request.headers.get('sec-fetch-site')
  let allowed: boolean
  if (origin === null) {
    // No Origin: a server-to-server client, unless the browser says it is cross-site.
    allowed = site === null || site === 'same-origin' || site === 'none'
  } else {
    const o = origin.toLowerCase().replace(/\/+$/, '')
    allowed =
      o !== 'null' &&
      (o === selfOrigin(request, url, ctx.config.trustProxy) || ctx.config.allowedOrigins.includes(o))
  }
  if (!allowed) {
    throw new HttpError(
      'FORBIDDEN',
      'Cross-origin request refused; add the origin to `allowedOrigins` if it is yours.',
    )
  }
}

async function readBody(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? 'NaN')
  const tooLarge = () => new HttpError('PAYLOAD_TOO_LARGE', `The body is larger than ${limit} bytes.`)
  if (Number.isFinite(declared) && declared > limit) throw tooLarge()
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

function json(status: number, data: unknown, headers: Headers): Response {
  headers.set('content-type', 'application/json; charset=utf-8')
  return new Response(
    JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)),
    { status, headers },
  )
}

/** Maps an unexpected error to a safe coded error (never leaking its message). */
function toHttpError(error: unknown, ctx: RinglineContext): HttpError {
  if (isHttpError(error)) return error
  const e = error as { name?: string; message?: string; severity?: string; code?: string }
  if (
    error instanceof ServerError ||
    (e?.name === 'TypeError' && /fetch failed/i.test(e.message ?? '')) ||
    e?.name === 'TimeoutError'
  ) {
    return new HttpError(
      'LIVEKIT_UNAVAILABLE',
      'LiveKit could not be reached or refused the request; try again.',
      { cause: error },
    )
  }
  if (
    e?.severity !== undefined ||
    (ctx.store.kind === 'postgres' && /^(ECONNREFUSED|ECONNRESET|57P0\d|08\d\d\d)$/.test(e?.code ?? ''))
  ) {
    return new HttpError('STORE_UNAVAILABLE', 'The call store could not be reached; try again.', {
      cause: error,
    })
  }
  return new HttpError('INTERNAL', 'Something went wrong; the request id identifies it in the server logs.', {
    cause: error,
  })
}

/** Builds the Fetch handler: route table, security checks, authentication, JSON in and out, coded errors. */
export function createRouter(ctx: RinglineContext, routes: Route[]): (request: Request) => Promise<Response> {
  const table = routes.map(compile)
  return async (request) => {
    const started = performance.now()
    const incoming = request.headers.get('x-request-id')
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID()
    const headers = new Headers({
      'x-request-id': requestId,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    })
    let response: Response
    try {
      response = await dispatch(request, requestId, headers)
    } catch (caught) {
      const error = toHttpError(caught, ctx)
      if (error.status >= 500) {
        ctx.logger.error(`ringline: ${request.method} failed with ${error.code}`, {
          requestId,
          path: safePath(request.url),
          error: error.cause ?? error,
        })
      }
      const errorHeaders = new Headers(headers)
      for (const [k, v] of Object.entries(error.headers ?? {})) errorHeaders.set(k, v)
      response = json(error.status, error.toBody(requestId), errorHeaders)
    }
    ctx.logger.debug('ringline: request', {
      requestId,
      method: request.method,
      path: safePath(request.url),
      status: response.status,
      ms: Math.round(performance.now() - started),
    })
    return response
  }

  function safePath(url: string): string {
    try {
      return new URL(url).pathname.slice(0, 200)
    } catch {
      return '?'
    }
  }

  async function dispatch(request: Request, requestId: string, headers: Headers): Promise<Response> {
    const url = new URL(request.url)
    const base = ctx.config.basePath
    if (base && url.pathname !== base && !url.pathname.startsWith(`${base}/`)) {
      throw new HttpError('NOT_FOUND', 'No such route.')
    }
    const path = url.pathname.slice(base.length) || '/'
    let matched: { compiled: CompiledRoute; match: RegExpExecArray } | undefined
    let pathMatched = false
    for (const compiled of table) {
      const match = compiled.pattern.exec(path)
      if (!match) continue
      pathMatched = true
      if (
        compiled.route.method === request.method ||
        (request.method === 'HEAD' && compiled.route.method === 'GET')
      ) {
        matched = { compiled, match }
        break
      }
    }
    if (!matched) {
      throw pathMatched
        ? new HttpError('NOT_FOUND', `Method ${request.method.slice(0, 10)} is not allowed here.`, {
            status: 405,
          })
        : new HttpError('NOT_FOUND', 'No such route.')
    }
    const { route } = matched.compiled
    const params: Record<string, string> = {}
    for (const [i, name] of matched.compiled.names.entries()) {
      try {
        params[name] = decodeURIComponent(matched.match[i + 1] ?? '')
      } catch {
        throw new HttpError('INVALID_REQUEST', `${name}: malformed URL encoding.`, { field: name })
      }
    }
    const bodyKind = route.body ?? (STATE_CHANGING.has(route.method) ? 'json' : 'none')
    // Browser requests from other sites are refused on every authenticated route (reads included: an
    // event stream opened by another site would count its victim as online).
    if ((route.auth ?? 'required') === 'required') checkOrigin(request, url, ctx)
    // Who is asking comes before what they sent: an unauthenticated request learns nothing about its body.
    let principal: Principal | null = null
    if ((route.auth ?? 'required') === 'required') {
      principal = await ctx.authorize(request)
      if (!principal)
        throw new HttpError(
          'UNAUTHENTICATED',
          'Sign in first: authorize() returned no user for this request.',
        )
      assertPrincipalIds(principal.tenantId, principal.userId)
      principal = {
        userId: principal.userId,
        tenantId: principal.tenantId,
        ...(typeof principal.name === 'string' ? { name: principal.name.slice(0, 64) } : {}),
        role: principal.role === 'admin' ? 'admin' : 'member',
      }
      // A revoked user (sign-out, tenant switch) gets no token, refresh, stream or call until `restoreUser`.
      if (!route.checksRevocation) await assertNotRevoked(ctx, principal.tenantId, principal.userId)
    }
    if (STATE_CHANGING.has(request.method) && bodyKind !== 'raw') {
      if (mediaType(request) !== 'application/json') {
        throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'Send the request with Content-Type: application/json.')
      }
    }
    let rawBody = ''
    let body: unknown = {}
    if (bodyKind === 'raw') {
      rawBody = await readBody(request, ctx.config.maxWebhookBytes)
    } else if (bodyKind === 'json') {
      rawBody = await readBody(request, ctx.config.maxBodyBytes)
      if (rawBody.trim() !== '') {
        try {
          body = JSON.parse(rawBody)
        } catch {
          throw new HttpError('INVALID_REQUEST', 'The body is not valid JSON.')
        }
      }
    }
    const result = await route.handle({
      request,
      params,
      query: url.searchParams,
      principal: principal as Principal,
      body,
      rawBody,
      requestId,
      ctx,
      headers,
    })
    if (result instanceof Response) return result
    return json(route.status ?? 200, result, headers)
  }
}
