// A fake Ringline server behind an injected fetch: JSON routes plus an /events stream the test pushes to.
// Promoted to @ringline/core/testing so React tests can run the real client against it.
import type { CallRecord, RinglineEvent } from '../protocol'

export interface RecordedRequest {
  method: string
  path: string
  body: unknown
  headers: Headers
  /** The query string's parameters. */
  query: Record<string, string>
  /** Values of the `:name` segments of the route that answered, e.g. `{ id: 'call_1' }` for `GET /calls/:id`. */
  params: Record<string, string>
}

type Handler = (
  req: RecordedRequest,
) => { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>

let eventSeq = 0

/** A call record with test defaults (outbound `call_1`), overridden field by field. */
export function makeRecord(overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    id: 'call_1',
    tenantId: 't1',
    direction: 'outbound',
    status: 'initiated',
    roomName: 'out-t1_call_1',
    fromNumber: '+14155550100',
    toNumber: '+14155550123',
    contactId: null,
    createdBy: 'u1',
    answeredBy: null,
    sipCallId: null,
    startedAt: '2026-01-01T00:00:00.000Z',
    answeredAt: null,
    endedAt: null,
    durationSeconds: null,
    endReason: null,
    ...overrides,
  }
}

/** A server event about `call`, with a fresh id. */
export function makeEvent<T extends RinglineEvent['type']>(type: T, call: CallRecord): RinglineEvent {
  return { id: `ev_${++eventSeq}`, at: new Date().toISOString(), type, call } as RinglineEvent
}

/** The LiveKit connection the fake server hands out for a record. */
export function connectionFor(record: CallRecord) {
  return { serverUrl: 'wss://lk.test', token: `token-${record.id}`, roomName: record.roomName }
}

/**
 * A fake server: `fetch` to inject, `on(route, handler)`, recorded `requests`, and `push(event)` onto `/events`.
 * Routes are `METHOD /path`; a path may have `:name` segments (`GET /calls/:id`), an exact route wins over them.
 */
export function createFakeServer(basePath = '/api/ringline') {
  const requests: RecordedRequest[] = []
  const handlers = new Map<string, Handler>()
  const streams: Array<{
    controller: ReadableStreamDefaultController<Uint8Array>
    open: boolean
    headers: Headers
  }> = []
  const encoder = new TextEncoder()

  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input), 'http://app.test')
    const path = url.pathname.slice(basePath.length)
    const method = init?.method ?? 'GET'
    const headers = new Headers(init?.headers)
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined
    const req: RecordedRequest = {
      method,
      path,
      body,
      headers,
      query: Object.fromEntries(url.searchParams),
      params: {},
    }
    requests.push(req)
    if (path === '/events') {
      let entry!: (typeof streams)[number]
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          entry = { controller, open: true, headers }
          streams.push(entry)
        },
        cancel() {
          entry.open = false
        },
      })
      init?.signal?.addEventListener('abort', () => {
        if (!entry.open) return
        entry.open = false
        try {
          entry.controller.error(new DOMException('aborted', 'AbortError'))
        } catch {}
      })
      return new Response(stream, { headers: { 'content-type': 'text/event-stream' } })
    }
    const handler = handlers.get(`${method} ${path}`) ?? matchPattern(method, path, req)
    if (!handler) {
      return Response.json(
        { error: { code: 'NOT_FOUND', message: `no route ${method} ${path}`, requestId: 'r' } },
        { status: 404 },
      )
    }
    const result = await handler(req)
    return Response.json(result.body ?? {}, { status: result.status ?? 200 })
  }

  /** A route with `:name` segments (e.g. `GET /calls/:id`) that matches; fills `req.params`. */
  function matchPattern(method: string, path: string, req: RecordedRequest): Handler | undefined {
    const segments = path.split('/')
    for (const [route, handler] of handlers) {
      const [routeMethod, routePath = ''] = route.split(' ')
      if (routeMethod !== method || !routePath.includes(':')) continue
      const pattern = routePath.split('/')
      if (pattern.length !== segments.length) continue
      const params: Record<string, string> = {}
      let match = true
      pattern.forEach((part, i) => {
        const segment = segments[i] ?? ''
        if (part.startsWith(':') && segment) params[part.slice(1)] = decodeURIComponent(segment)
        else if (part !== segment) match = false
      })
      if (match) {
        req.params = params
        return handler
      }
    }
    return undefined
  }

  return {
    fetch,
    requests,
    streams,
    on(route: string, handler: Handler) {
      handlers.set(route, handler)
    },
    /** Requests to a route, e.g. `POST /calls/call_1/hangup`. */
    calls(route: string) {
      return requests.filter((r) => `${r.method} ${r.path}` === route)
    },
    openStreams() {
      return streams.filter((s) => s.open)
    },
    push(event: RinglineEvent) {
      const chunk = `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`
      for (const s of streams) if (s.open) s.controller.enqueue(encoder.encode(chunk))
    },
    /** End every open stream as a server restart would. */
    closeStreams() {
      for (const s of streams) {
        if (!s.open) continue
        s.open = false
        s.controller.close()
      }
    },
  }
}

/** Let promises, microtasks and stream reads settle. */
export async function settle(rounds = 5) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0))
}

/** The fake server `createFakeServer` returns. */
export type FakeServer = ReturnType<typeof createFakeServer>
