import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEventStream, type EventStream } from './eventStream'
import type { RinglineEvent } from './protocol'
import type { RinglineError } from './ringlineError'
import { createFakeClock } from './testing/fakeClock'
import { makeEvent, makeRecord } from './testing/fakeServer'
import type { EventsStatus } from './types'

// A real SSE server on 127.0.0.1: the stream is tested against node:http, not a mock.
interface Connection {
  req: IncomingMessage
  res: ServerResponse
}

let server: ReturnType<typeof createServer>
let url: string
let connections: Connection[]
let respond: (req: IncomingMessage, res: ServerResponse) => boolean

beforeEach(async () => {
  connections = []
  respond = () => false
  server = createServer((req, res) => {
    if (respond(req, res)) return
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
    res.flushHeaders()
    connections.push({ req, res })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/ringline/events`
})

afterEach(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

function send(conn: Connection | undefined, event: RinglineEvent) {
  conn?.res.write(`id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200; i++) {
    if (check()) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`timed out waiting for ${what}`)
}

function open(options: { random?: number; idleTimeoutMs?: number; lastEventId?: string } = {}) {
  const clock = createFakeClock()
  const events: RinglineEvent[] = []
  const statuses: EventsStatus[] = []
  const errors: RinglineError[] = []
  const stream: EventStream = createEventStream({
    url,
    clock,
    random: () => options.random ?? 0.5,
    backoff: { initialMs: 1000, maxMs: 8000 },
    idleTimeoutMs: options.idleTimeoutMs,
    lastEventId: options.lastEventId,
    headers: async () => new Headers({ authorization: 'Bearer t' }),
    onEvent: (e) => events.push(e),
    onStatus: (s) => statuses.push(s),
    onError: (e) => errors.push(e),
  })
  return { stream, clock, events, statuses, errors }
}

describe('createEventStream (real HTTP server)', () => {
  it('connects, parses events with the protocol schemas and reports online', async () => {
    const s = open()
    s.stream.start()
    await until(() => connections.length === 1 && s.statuses.includes('online'), 'online')
    expect(connections[0]?.req.headers.accept).toBe('text/event-stream')
    expect(connections[0]?.req.headers.authorization).toBe('Bearer t')
    expect(connections[0]?.req.headers['last-event-id']).toBeUndefined()
    const ev = makeEvent('call.incoming', makeRecord({ direction: 'inbound' }))
    send(connections[0], ev)
    await until(() => s.events.length === 1, 'event')
    expect(s.events[0]).toEqual(ev)
    expect(s.stream.lastEventId).toBe(ev.id)
    s.stream.stop()
    expect(s.statuses).toEqual(['connecting', 'online', 'offline'])
  })

  it('reconnects with backoff and resumes with Last-Event-ID after the server drops the stream', async () => {
    const s = open({ random: 1 })
    s.stream.start()
    await until(() => connections.length === 1, 'first connection')
    const first = makeEvent('call.updated', makeRecord())
    send(connections[0], first)
    await until(() => s.events.length === 1, 'event')
    connections[0]?.res.end()
    await until(() => s.statuses.at(-1) === 'connecting', 'reconnecting status')
    // random()=1 → full delay: initialMs * 2^0 = 1000
    s.clock.advance(999)
    await new Promise((r) => setTimeout(r, 30))
    expect(connections).toHaveLength(1)
    s.clock.advance(1)
    await until(() => connections.length === 2, 'second connection')
    expect(connections[1]?.req.headers['last-event-id']).toBe(first.id)
    await until(() => s.stream.status === 'online', 'online again')
    expect(s.stream.attempt).toBe(0)
    s.stream.stop()
  })

  it('backs off exponentially with jitter while the server fails', async () => {
    respond = (_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { code: 'LIVEKIT_UNAVAILABLE', message: 'x', requestId: 'r' } }))
      return true
    }
    let hits = 0
    const inner = respond
    respond = (req, res) => {
      hits++
      return inner(req, res)
    }
    const s = open({ random: 0 }) // random 0 → half of each delay
    s.stream.start()
    await until(() => s.errors.length === 1, 'first failure')
    expect(s.errors[0]?.code).toBe('LIVEKIT_UNAVAILABLE')
    for (const half of [500, 1000, 2000, 4000, 4000]) {
      const before = hits
      s.clock.advance(half - 1)
      await new Promise((r) => setTimeout(r, 20))
      expect(hits).toBe(before)
      s.clock.advance(1)
      await until(() => hits === before + 1, `retry after ${half}`)
      await until(() => s.errors.length === hits, 'error reported')
    }
    s.stream.stop()
  })

  it('waits the longest delay after an auth error instead of hammering the server', async () => {
    let hits = 0
    respond = (_req, res) => {
      hits++
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { code: 'UNAUTHENTICATED', message: 'Sign in', requestId: 'r' } }))
      return true
    }
    const s = open({ random: 0 })
    s.stream.start()
    await until(() => s.errors.length === 1, 'auth failure')
    expect(s.errors[0]?.code).toBe('UNAUTHENTICATED')
    expect(s.errors[0]?.status).toBe(401)
    s.clock.advance(3999) // maxMs 8000, jittered to half with random()=0; a 503 would retry after 500
    await new Promise((r) => setTimeout(r, 30))
    expect(hits).toBe(1)
    s.clock.advance(1)
    await until(() => hits === 2, 'retry after the long delay')
    s.stream.stop()
  })

  it('reconnects when the stream goes silent (no heartbeat) for idleTimeoutMs', async () => {
    const s = open({ idleTimeoutMs: 45_000 })
    s.stream.start()
    await until(() => s.stream.status === 'online', 'online')
    connections[0]?.res.write(': ping\n\n')
    await new Promise((r) => setTimeout(r, 30))
    s.clock.advance(44_999)
    expect(s.stream.status).toBe('online')
    s.clock.advance(1)
    expect(s.stream.status).toBe('connecting')
    expect(s.errors.at(-1)?.message).toMatch(/silent/)
    s.clock.advance(1000)
    await until(() => connections.length === 2, 'reconnect')
    s.stream.stop()
  })

  it('skips events of unknown types and reports malformed ones without dropping the stream', async () => {
    const s = open()
    s.stream.start()
    await until(() => s.stream.status === 'online', 'online')
    connections[0]?.res.write('id: x1\nevent: agent.joined\ndata: {"type":"agent.joined"}\n\n')
    connections[0]?.res.write('id: x2\nevent: call.updated\ndata: {"type":"call.updated","id":"x2"}\n\n')
    connections[0]?.res.write('id: x3\nevent: call.updated\ndata: not json\n\n')
    const good = makeEvent('call.ended', makeRecord({ status: 'completed' }))
    send(connections[0], good)
    await until(() => s.events.length === 1, 'good event')
    expect(s.events[0]?.id).toBe(good.id)
    expect(s.errors.map((e) => e.code)).toEqual(['UPSTREAM_ERROR', 'UPSTREAM_ERROR'])
    expect(s.stream.status).toBe('online')
    s.stream.stop()
  })

  it('resumes from a given lastEventId on the first connect and closes the connection on stop', async () => {
    const s = open({ lastEventId: 'ev_41' })
    s.stream.start()
    await until(() => connections.length === 1, 'connection')
    expect(connections[0]?.req.headers['last-event-id']).toBe('ev_41')
    const closed = new Promise<void>((resolve) => connections[0]?.req.on('close', () => resolve()))
    s.stream.stop()
    await closed
    expect(s.stream.status).toBe('offline')
  })
})
