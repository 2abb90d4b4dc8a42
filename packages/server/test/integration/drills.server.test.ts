// Failure drills on real processes: a Ringline server restarted, PostgreSQL stopped, the LISTEN connection killed.
// Each kills or restarts something real and asserts what a user (the `/events` stream) and the record see.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Room } from '@livekit/rtc-node'
import { createEventStream } from '@ringline/core'
import type { RinglineEvent } from '@ringline/core/protocol'
import { connectSandbox } from '@ringline/sandbox'
import { AccessToken } from 'livekit-server-sdk'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { toNodeHandler } from '../../src/adapters/node'
import { createRingline, type Ringline } from '../../src/ringline'
import { postgresStore } from '../../src/sql/postgresStore'
import type { Principal } from '../../src/types'
import { API_KEY, API_SECRET, captureLogger, freshDatabaseUrl, req, testAuthorize, USERS } from '../helpers'
import { type PgCluster, startPgCluster } from '../pgCluster'
import { SseReader } from '../sse'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** What a failed wait prints beside its message (the test's state). */
let debug: (() => string) | undefined

/** Polls `check` until it is truthy (generous timeouts: the machine is shared; nothing here is a timing claim). */
async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 60_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${debug ? `: ${debug()}` : ''}`)
    await sleep(100)
  }
}

/** One Ringline server process, as a deployment runs it: `createRingline` over node:http on a port. */
interface Served {
  ringline: Ringline
  baseUrl: string
  port: number
  logger: ReturnType<typeof captureLogger>
  /** Every answer of the webhook route: HTTP status and the outcome it reported. */
  webhookAnswers: Array<{ status: number; outcome?: string; event?: string }>
  /** Events this server published to `principal` (what a stream of theirs on this server gets). */
  published: RinglineEvent[]
  /** While set, `GET /events` answers 503 (the client has not reconnected yet). */
  holdEvents: boolean
  close(): Promise<void>
}

async function serve(options: {
  databaseUrl: string
  users: Record<string, Principal>
  watch: Principal
  port?: number
  holdEvents?: boolean
}): Promise<Served> {
  const sandbox = connectSandbox(inject('ringlineSandbox'))
  const logger = captureLogger()
  const ringline = createRingline({
    livekit: {
      url: sandbox.livekit.url,
      apiKey: sandbox.livekit.apiKey,
      apiSecret: sandbox.livekit.apiSecret,
    },
    store: postgresStore({ connectionString: options.databaseUrl }),
    authorize: (request) => options.users[request.headers.get('x-user') ?? ''] ?? null,
    logger,
    reconcileIntervalSeconds: 0,
  })
  await ringline.ready()
  const published: RinglineEvent[] = []
  ringline.api.subscribe(options.watch, (e) => published.push(e))
  const node = toNodeHandler(ringline)
  const served: Served = {
    ringline,
    baseUrl: '',
    port: 0,
    logger,
    webhookAnswers: [],
    published,
    holdEvents: options.holdEvents ?? false,
    close: async () => {},
  }
  const server: Server = createServer((request, response) => {
    if (served.holdEvents && request.url?.startsWith('/api/ringline/events')) {
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_YET"}}')
      return
    }
    if (request.url === '/api/ringline/webhooks/livekit') {
      // Record what the route answered LiveKit (status and outcome), without changing the answer.
      const write = response.write.bind(response)
      const end = response.end.bind(response)
      const chunks: Buffer[] = []
      response.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (chunk) chunks.push(Buffer.from(chunk as Uint8Array))
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest)
      }) as typeof response.write
      response.end = ((chunk?: unknown, ...rest: unknown[]) => {
        if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Uint8Array))
        let body: { outcome?: string; event?: string } = {}
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        } catch {}
        served.webhookAnswers.push({
          status: response.statusCode,
          ...(body.outcome ? { outcome: body.outcome, event: body.event } : {}),
        })
        return (end as (...a: unknown[]) => typeof response)(chunk, ...rest)
      }) as typeof response.end
    }
    node(request, response)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  served.port = (server.address() as AddressInfo).port
  served.baseUrl = `http://127.0.0.1:${served.port}`
  served.close = async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    await ringline.close()
  }
  return served
}

function tenantUsers() {
  const tenant = `dr${Math.random().toString(36).slice(2, 8)}`
  const users: Record<string, Principal> = {
    alice: { userId: 'alice', tenantId: tenant, name: 'Alice', role: 'member' },
    bob: { userId: 'bob', tenantId: tenant, name: 'Bob', role: 'member' },
    carol: { userId: 'carol', tenantId: tenant, name: 'Carol', role: 'member' },
  }
  return { tenant, users }
}

const ids = (events: RinglineEvent[]) => events.map((e) => e.id)

describe('drill: the Ringline server restarted mid-call', { timeout: 180_000 }, () => {
  it('the /events stream resumes with Last-Event-ID on the new server and misses nothing; the call continues', async () => {
    const sandbox = connectSandbox(inject('ringlineSandbox'))
    const databaseUrl = await freshDatabaseUrl()
    const { tenant, users } = tenantUsers()
    const alice = users.alice!
    let server = await serve({ databaseUrl, users, watch: alice })
    const { port } = server
    const before = server
    // LiveKit posts to a fixed URL: while the server is down its deliveries fail and LiveKit retries them.
    const unforward = await sandbox.webhooks.forward(`${server.baseUrl}/api/ringline/webhooks/livekit`, {
      roomPrefix: `int-${tenant}-`,
      persistent: true,
    })
    const rooms: Room[] = []
    const received: RinglineEvent[] = []
    const stream = createEventStream({
      url: `${server.baseUrl}/api/ringline/events`,
      headers: async () => new Headers({ 'x-user': 'alice' }),
      backoff: { initialMs: 200, maxMs: 1000 },
      onEvent: (e) => received.push(e),
      onStatus: () => {},
    })
    debug = () =>
      JSON.stringify({
        received: received.map((e) => (e.type === 'room.updated' ? e.room?.participants : e.type)),
        answers: server.webhookAnswers,
        status: stream.status,
      })
    try {
      stream.start()
      await until('the stream online', () => stream.status === 'online')
      // A call: Alice and Bob in a room, media through LiveKit only.
      for (const who of ['alice', 'bob'] as const) {
        const joined = await server.ringline.api.joinRoom(users[who]!, 'standup')
        const room = new Room()
        await room.connect(sandbox.livekit.wsUrl, joined.connection.token)
        rooms.push(room)
      }
      // Carol joins through LiveKit alone (a token of the app's own): only LiveKit's webhook tells the record.
      const carolToken = new AccessToken(sandbox.livekit.apiKey, sandbox.livekit.apiSecret, {
        identity: `${tenant}:carol`,
        name: 'Carol',
      })
      carolToken.addGrant({ roomJoin: true, room: `int-${tenant}-standup` })
      const withCarol = (e: RinglineEvent) =>
        e.type === 'room.updated' && e.room?.participants.some((p) => p.userId === 'carol')
      // Both connected, as LiveKit's webhooks tell the record (and Alice's stream).
      await until(
        'both joins applied',
        () =>
          server.webhookAnswers.filter((a) => a.event === 'participant_joined' && a.outcome === 'processed')
            .length === 2,
      )
      const callId = (await server.ringline.api.listRooms(alice)).rooms.find(
        (r) => r.name === 'standup',
      )?.callId
      expect(callId).toBeTruthy()
      await until('the stream caught up', () => received.length === server.published.length)
      const lastBefore = stream.lastEventId
      expect(lastBefore).toBe(server.published.at(-1)?.id)

      // Restart: the server goes away; the stream notices and keeps retrying.
      await server.close()
      await until('the stream reconnecting', () => stream.status === 'connecting')
      // Meanwhile Carol connects: LiveKit's participant_joined finds no server and is retried.
      const carol = new Room()
      await carol.connect(sandbox.livekit.wsUrl, await carolToken.toJwt())
      rooms.push(carol)
      // The new server on the same store and port; the stream reconnects only after the new server published
      // Carol's join (as when LiveKit's retry lands before the browser's).
      server = await serve({ databaseUrl, users, watch: alice, port, holdEvents: true })
      await until("Carol's join applied by the new server", () => server.published.some(withCarol), 60_000)
      server.holdEvents = false
      await until('the stream online again', () => stream.status === 'online')
      await until("Carol's join on the resumed stream", () => received.some(withCarol))

      // Nothing missed, nothing twice: the stream got exactly what both servers published, in order.
      await until(
        'the stream caught up again',
        () => received.length >= before.published.length + server.published.length,
      )
      expect(ids(received)).toEqual([...ids(before.published), ...ids(server.published)])

      // The call continued: its media never depended on Ringline, and its record is the same open call.
      expect(rooms.every((r) => r.isConnected)).toBe(true)
      const detail = await server.ringline.api.getCall(alice, callId!)
      expect(detail.call.endedAt).toBeNull()
      expect(detail.call.roomName).toBe(`int-${tenant}-standup`)
      // And it goes on live: Bob leaves, the stream hears it from the new server.
      await rooms[1]!.disconnect()
      await until('Bob gone on the stream', () =>
        received.some(
          (e) =>
            e.type === 'room.updated' &&
            e.room !== null &&
            !e.room.participants.some((p) => p.userId === 'bob'),
        ),
      )
      expect(ids(received)).toEqual([...ids(before.published), ...ids(server.published)])
    } finally {
      stream.stop()
      for (const room of rooms) await room.disconnect().catch(() => {})
      await unforward()
      await server.close().catch(() => {})
    }
  })
})

describe('drill: PostgreSQL stopped while webhooks arrive', { timeout: 240_000 }, () => {
  let cluster: PgCluster
  beforeAll(async () => {
    cluster = await startPgCluster()
  })
  afterAll(() => cluster?.destroy())

  it('answers 503 while it is down; LiveKit’s retries then store every event exactly once', async () => {
    const sandbox = connectSandbox(inject('ringlineSandbox'))
    const { tenant, users } = tenantUsers()
    const alice = users.alice!
    const server = await serve({ databaseUrl: cluster.url, users, watch: alice })
    const roomName = `int-${tenant}-ops`
    const unforward = await sandbox.webhooks.forward(`${server.baseUrl}/api/ringline/webhooks/livekit`, {
      roomPrefix: roomName,
    })
    // What LiveKit sent for this room (each id once per attempt), as the relay saw it.
    const sent = await sandbox.webhooks.subscribe(undefined, { roomPrefix: roomName })
    const rooms: Room[] = []
    try {
      const aliceToken = (await server.ringline.api.joinRoom(alice, 'ops')).connection.token
      const bobToken = (await server.ringline.api.joinRoom(users.bob!, 'ops')).connection.token
      const aliceRoom = new Room()
      await aliceRoom.connect(sandbox.livekit.wsUrl, aliceToken)
      rooms.push(aliceRoom)
      await until('Alice present', () =>
        server.published.some(
          (e) =>
            e.type === 'room.updated' && e.room?.participants.some((p) => p.userId === 'alice' && p.joinedAt),
        ),
      )

      cluster.stop('fast')
      const answered = server.webhookAnswers.length
      // Bob connects and Alice leaves while PostgreSQL is down.
      const bobRoom = new Room()
      await bobRoom.connect(sandbox.livekit.wsUrl, bobToken)
      rooms.push(bobRoom)
      await until('a 503 for a webhook', () =>
        server.webhookAnswers.slice(answered).some((a) => a.status === 503),
      )
      await aliceRoom.disconnect()
      cluster.start()

      // LiveKit retries (1 s, 2 s, 4 s… apart): both events land once PostgreSQL is back.
      await until(
        "Bob's join and Alice's leave applied",
        () =>
          server.published.some(
            (e) =>
              e.type === 'room.updated' &&
              e.room?.participants.length === 1 &&
              e.room.participants[0]?.userId === 'bob' &&
              e.room.participants[0].joinedAt,
          ),
        90_000,
      )
      await bobRoom.disconnect()
      await until(
        'the room over',
        () => server.published.some((e) => e.type === 'room.updated' && e.room === null),
        90_000,
      )

      const during = server.webhookAnswers.slice(answered)
      // Down: 503 (LiveKit retries), never 500 or a 2xx that would drop the event.
      expect(during.filter((a) => a.status >= 500).every((a) => a.status === 503)).toBe(true)
      expect(during.every((a) => a.status === 503 || a.status === 200)).toBe(true)

      // Every event LiveKit sent for the room that Ringline applies is stored once, and applied once.
      const applied = new Set(['room_started', 'participant_joined', 'participant_left', 'room_finished'])
      const distinct = [...new Set(sent.deliveries.filter((d) => applied.has(d.event)).map((d) => d.id))]
      expect(distinct.length).toBeGreaterThanOrEqual(4) // room_started, 2 × joined, 2 × left, room_finished
      const db = new pg.Client({ connectionString: cluster.url })
      await db.connect()
      try {
        const { rows } = await db.query<{ id: string; n: string }>(
          'SELECT id, count(*) AS n FROM ringline_webhook_events WHERE room_name = $1 GROUP BY id',
          [roomName],
        )
        expect(rows.map((r) => r.id).sort()).toEqual(distinct.sort())
        // The record: Alice and Bob each joined and left exactly once; the call is closed once.
        const parts = await db.query<{ identity: string; joined: boolean; left: boolean }>(
          `SELECT p.identity, p.joined_at IS NOT NULL AS joined, p.left_at IS NOT NULL AS left
             FROM ringline_call_participants p JOIN ringline_calls c ON c.id = p.call_id
            WHERE c.room_name = $1 ORDER BY identity`,
          [roomName],
        )
        expect(parts.rows).toEqual([
          { identity: `${tenant}:alice`, joined: true, left: true },
          { identity: `${tenant}:bob`, joined: true, left: true },
        ])
      } finally {
        await db.end()
      }
      // Applied once each: as many `processed` answers as events, every other delivery a `duplicate`.
      const processed = server.webhookAnswers.filter((a) => a.outcome === 'processed').length
      expect(processed).toBe(distinct.length)
      const ended = server.published.filter((e) => e.type === 'room.updated' && e.room === null)
      expect(ended).toHaveLength(1)
    } finally {
      sent.close()
      for (const room of rooms) await room.disconnect().catch(() => {})
      await unforward()
      await server.close().catch(() => {})
    }
  })
})

describe('drill: the PostgreSQL LISTEN connection dropped', { timeout: 120_000 }, () => {
  it('reconnects, listens again, and delivers the events published meanwhile', async () => {
    // Two instances on one database, as behind a load balancer; Alice's stream is on B.
    const databaseUrl = await freshDatabaseUrl()
    const instance = () => {
      const logger = captureLogger()
      const ringline = createRingline({
        livekit: { url: 'http://127.0.0.1:9', apiKey: API_KEY, apiSecret: API_SECRET },
        store: postgresStore({ connectionString: databaseUrl }),
        authorize: testAuthorize,
        logger,
        reconcileIntervalSeconds: 0,
      })
      return { ringline, logger }
    }
    const a = instance()
    const b = instance()
    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    try {
      await Promise.all([a.ringline.ready(), b.ringline.ready()])
      const onB = new SseReader(await b.ringline.handler(req('GET', '/events', { user: 'alice' })))
      const published: RinglineEvent[] = []
      a.ringline.api.subscribe(USERS.alice!, (e) => published.push(e))
      await a.ringline.api.joinRoom(USERS.bob!, 'before')
      await onB.until((f) => f.some((x) => (x.data as { name?: string })?.name === 'before'), 20_000)

      // Kill the LISTEN sessions on this database (B's among them), as a failover or an idle-session killer would.
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()`,
      )
      expect(killed.rowCount).toBeGreaterThan(0)
      // Publish on A until B says it listens again: the first of these go out while B hears nothing.
      let i = 0
      do {
        await a.ringline.api.joinRoom(USERS.bob!, `during-${i++}`)
        await sleep(20)
      } while (!b.logger.lines.some((l) => l.includes('listening again')) && i < 500)
      expect(b.logger.lines.some((l) => l.includes('the LISTEN connection dropped'))).toBe(true)
      await a.ringline.api.joinRoom(USERS.bob!, 'after')

      const expected = ids(published.filter((e) => e.type === 'room.updated'))
      await onB.until((f) => expected.every((id) => f.some((x) => x.id === id)), 30_000)
      const got = onB.events().map((e) => e.id)
      // Every event A published reached B's stream, in A's order, each once.
      expect(got.filter((id) => expected.includes(id))).toEqual(expected)
      expect(new Set(got).size).toBe(got.length)
      await onB.cancel()
    } finally {
      await admin.end()
      await a.ringline.close()
      await b.ringline.close()
    }
  })
})
