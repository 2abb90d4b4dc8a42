// Webhooks of one room that arrive together commit together (group commit), and joins of an open room skip the
// transaction: the contracts each must keep, on PGlite (server-unit) and PostgreSQL (server-integration).
import type { RinglineEvent } from '@ringline/core/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { createRingline, type Ringline } from '../src/ringline'
import type { EachOptions, RinglineStore, Transaction } from '../src/sql/types'
import {
  API_KEY,
  API_SECRET,
  captureLogger,
  STORE_KINDS,
  testAuthorize,
  USERS,
  wrapTransactions,
} from './helpers'
import { signedWebhook } from './webhookSigner'

const ROOM = 'int-acme-batch'
const room = { name: ROOM, sid: 'RM_batch' }

/** A participant_joined of `identity` in the test room (or `inRoom`), as `handleLivekitWebhook` takes it. */
async function join(
  identity: string,
  id?: string,
  inRoom: { name: string; sid: string } = room,
): Promise<{ body: string; auth: string }> {
  const request = await signedWebhook(
    {
      event: 'participant_joined',
      room: inRoom,
      participant: { sid: `PA_${identity}`, identity, state: 'ACTIVE', joinedAt: '1750000000' },
    },
    id ? { id } : {},
  )
  return { body: await request.text(), auth: request.headers.get('authorization') ?? '' }
}

/** A participant_left of `identity` in the test room, as `handleLivekitWebhook` takes it. */
async function left(identity: string): Promise<{ body: string; auth: string }> {
  const request = await signedWebhook({
    event: 'participant_left',
    room,
    participant: { sid: `PA_${identity}`, identity, state: 'DISCONNECTED', joinedAt: '1750000000' },
  })
  return { body: await request.text(), auth: request.headers.get('authorization') ?? '' }
}

/** The rooms `b0`… `b<n-1>` (alice opened each) and their LiveKit names. */
const otherRooms = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ short: `b${i}`, name: `int-acme-b${i}`, sid: `RM_b${i}` }))

/**
 * Wraps a store: `seen(sql, params)` hears every query run in a transaction, and `seenEach(paramsList, options)`
 * each `queryEach` call.
 */
function watchedStore(
  base: RinglineStore,
  seen: (sql: string, params?: unknown[]) => void,
  seenEach: (paramsList: unknown[][], options?: EachOptions) => void = () => {},
): RinglineStore {
  return wrapTransactions(base, (tx) => ({
    query: (sql, params) => {
      seen(sql, params)
      return tx.query(sql, params)
    },
    // Statements run once per parameter list in one round trip: heard once per list.
    ...(tx.queryEach
      ? {
          queryEach: (sql: string, paramsList: unknown[][], options?: EachOptions) => {
            seenEach(paramsList, options)
            for (const params of paramsList) seen(sql, params)
            return tx.queryEach?.(sql, paramsList, options) as ReturnType<
              NonNullable<Transaction['queryEach']>
            >
          },
        }
      : {}),
    // Statements that go out with the next one or the COMMIT: heard when queued.
    ...(tx.defer
      ? {
          defer: (sql: string, params?: unknown[]) => {
            seen(sql, params)
            tx.defer?.(sql, params)
          },
        }
      : {}),
  }))
}

/** The rooms a transaction's advisory-lock statement names (inlined as string literals). */
const lockedRooms = (sql: string): string[] | undefined =>
  /pg_advisory_xact_lock/.test(sql)
    ? [...sql.matchAll(/'((?:[^']|'')*)'/g)].map((m) => (m[1] ?? '').replace(/''/g, "'"))
    : undefined

/** Wraps a store: `failing(sql, params)` true makes that query throw (inside transactions too). */
function faultyStore(
  base: RinglineStore,
  failing: (sql: string, params?: unknown[]) => boolean,
): RinglineStore {
  const guard = <T extends Pick<Transaction, 'query'>>(q: T): T['query'] =>
    ((sql: string, params?: unknown[]) => {
      if (failing(sql, params)) return Promise.reject(new Error('injected store failure'))
      return q.query(sql, params)
    }) as T['query']
  // A statement run once per parameter list fails when one of its runs would.
  const guardEach = (tx: Transaction): Pick<Transaction, 'queryEach'> =>
    tx.queryEach
      ? {
          queryEach: (sql, paramsList, options) =>
            paramsList.some((params) => failing(sql, params))
              ? Promise.reject(new Error('injected store failure'))
              : (tx.queryEach?.(sql, paramsList, options) as ReturnType<
                  NonNullable<Transaction['queryEach']>
                >),
        }
      : {}
  // A statement that goes out with the next one or the COMMIT fails there: the server raises in its place.
  const guardDefer = (tx: Transaction): Pick<Transaction, 'defer'> =>
    tx.defer
      ? {
          defer: (sql, params) =>
            tx.defer?.(
              failing(sql, params) ? "DO $$ BEGIN RAISE EXCEPTION 'injected store failure'; END $$" : sql,
              failing(sql, params) ? undefined : params,
            ),
        }
      : {}
  return {
    ...wrapTransactions(base, (tx) => ({ query: guard(tx), ...guardEach(tx), ...guardDefer(tx) })),
    query: guard(base),
  }
}

const count = async (store: RinglineStore, sql: string, params: unknown[] = []) =>
  Number((await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]?.n)

describe.each(STORE_KINDS)('webhook batching and fast joins on %s', (_kind, make) => {
  let ringline: Ringline | undefined
  let store: RinglineStore
  afterEach(async () => {
    await ringline?.close()
    ringline = undefined
  })

  async function start(wrap: (s: RinglineStore) => RinglineStore = (s) => s): Promise<Ringline> {
    store = await make()
    ringline = createRingline({
      livekit: { url: 'http://127.0.0.1:9', apiKey: API_KEY, apiSecret: API_SECRET },
      store: wrap(store),
      authorize: testAuthorize,
      logger: captureLogger(),
      reconcileIntervalSeconds: 0,
    })
    await ringline.ready()
    // The room's call: alice opened it.
    await ringline.api.joinRoom(USERS.alice!, 'batch')
    return ringline
  }

  it('concurrent copies of one webhook id, among other webhooks of the room: one applies, one dedupe row', async () => {
    const r = await start()
    const copy = await join('acme:bob', 'EV_same')
    const others = await Promise.all(['acme:carol', 'acme:dave', 'acme:erin'].map((id) => join(id)))
    const sent = [copy, others[0]!, copy, others[1]!, copy, copy, others[2]!, copy]
    const outcomes = await Promise.all(sent.map((w) => r.api.handleLivekitWebhook(w.body, w.auth)))
    const ofCopy = outcomes.filter((_, i) => sent[i] === copy).map((o) => o.outcome)
    expect(ofCopy.filter((o) => o === 'processed')).toHaveLength(1)
    expect(ofCopy.filter((o) => o === 'duplicate')).toHaveLength(4)
    expect(outcomes.filter((_, i) => sent[i] !== copy).map((o) => o.outcome)).toEqual([
      'processed',
      'processed',
      'processed',
    ])
    expect(await count(store, "ringline_webhook_events WHERE id = 'EV_same'")).toBe(1)
    const rooms = await r.api.listRooms(USERS.alice!)
    expect(rooms.rooms[0]?.participants.map((p) => p.identity).sort()).toEqual([
      'acme:alice',
      'acme:bob',
      'acme:carol',
      'acme:dave',
      'acme:erin',
    ])
    // And sent again later, a copy is still a duplicate.
    expect((await r.api.handleLivekitWebhook(copy.body, copy.auth)).outcome).toBe('duplicate')
  })

  it('a batch that cannot commit answers every webhook 503 and writes nothing; sent again, all apply', async () => {
    let down = false
    const r = await start((s) => faultyStore(s, (sql) => down && /ringline_events/.test(sql)))
    const seen: RinglineEvent[] = []
    const unsubscribe = r.api.subscribe(USERS.alice!, (e) => seen.push(e))
    const logged = await count(store, 'ringline_events')
    const hooks = await Promise.all(
      ['acme:f1', 'acme:f2', 'acme:f3', 'acme:f4', 'acme:f5'].map((id) => join(id)),
    )
    down = true
    const results = await Promise.allSettled(hooks.map((w) => r.api.handleLivekitWebhook(w.body, w.auth)))
    expect(results.map((x) => x.status)).toEqual(Array(5).fill('rejected'))
    for (const x of results)
      expect((x as PromiseRejectedResult).reason).toMatchObject({ code: 'STORE_UNAVAILABLE' })
    expect(await count(store, "ringline_webhook_events WHERE id LIKE 'EV_test_%'")).toBe(0)
    expect(await count(store, "ringline_call_participants WHERE identity LIKE 'acme:f%'")).toBe(0)
    expect(await count(store, 'ringline_events')).toBe(logged)
    expect(seen).toEqual([])
    down = false
    const again = await Promise.all(hooks.map((w) => r.api.handleLivekitWebhook(w.body, w.auth)))
    expect(again.map((o) => o.outcome)).toEqual(Array(5).fill('processed'))
    expect(await count(store, "ringline_call_participants WHERE identity LIKE 'acme:f%'")).toBe(5)
    unsubscribe()
  })

  it('a webhook that fails alone is answered 503 alone: the others of its batch apply', async () => {
    const r = await start((s) =>
      faultyStore(
        s,
        (sql, params) => /ringline_webhook_events/.test(sql) && !!params?.includes('acme:poison'),
      ),
    )
    const hooks = await Promise.all(['acme:g1', 'acme:poison', 'acme:g2', 'acme:g3'].map((id) => join(id)))
    const results = await Promise.allSettled(hooks.map((w) => r.api.handleLivekitWebhook(w.body, w.auth)))
    expect(results.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect(await count(store, "ringline_call_participants WHERE identity LIKE 'acme:g%'")).toBe(3)
    expect(await count(store, "ringline_call_participants WHERE identity = 'acme:poison'")).toBe(0)
  })

  it('webhooks of several rooms arriving together commit together; each room publishes in its order', async () => {
    const locks: string[][] = []
    const r = await start((s) =>
      watchedStore(s, (sql) => {
        const rooms = lockedRooms(sql)
        if (rooms) locks.push(rooms)
      }),
    )
    const rooms = otherRooms(4)
    for (const x of rooms) await r.api.joinRoom(USERS.alice!, x.short)
    const seen: RinglineEvent[] = []
    const unsubscribe = r.api.subscribe(USERS.alice!, (e) => seen.push(e))
    locks.length = 0
    // Three joins in each room, the rooms interleaved.
    const hooks = await Promise.all(
      Array.from({ length: 12 }, (_, i) => join(`acme:m${i}`, undefined, rooms[i % 4])),
    )
    const outcomes = await Promise.all(hooks.map((w) => r.api.handleLivekitWebhook(w.body, w.auth)))
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(12).fill('processed'))
    // Fewer transactions than webhooks, and one of them held several rooms (each room's lock once).
    expect(locks.length).toBeLessThan(12)
    expect(locks.some((x) => x.length > 1)).toBe(true)
    for (const x of locks) expect(new Set(x).size).toBe(x.length)
    const listed = await r.api.listRooms(USERS.alice!)
    for (const [k, x] of rooms.entries()) {
      const info = listed.rooms.find((y) => y.name === x.short)
      expect(info?.participants.map((p) => p.identity).sort()).toEqual(
        ['acme:alice', `acme:m${k}`, `acme:m${k + 4}`, `acme:m${k + 8}`].sort(),
      )
      // Each room's updates only grow and end with everyone.
      const counts = seen
        .filter((e) => e.type === 'room.updated' && e.room?.name === x.short)
        .map((e) => (e.type === 'room.updated' ? (e.room?.participants.length ?? -1) : -1))
      expect(counts.at(-1)).toBe(4)
      for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1] as number)
    }
    unsubscribe()
  })

  it('a batch of several rooms that fails is applied again one webhook at a time: only the poison is 503', async () => {
    const locks: string[][] = []
    const r = await start((s) =>
      faultyStore(
        watchedStore(s, (sql) => {
          const rooms = lockedRooms(sql)
          if (rooms) locks.push(rooms)
        }),
        (sql, params) => /ringline_webhook_events/.test(sql) && !!params?.includes('acme:poison'),
      ),
    )
    const rooms = otherRooms(3)
    for (const x of rooms) await r.api.joinRoom(USERS.alice!, x.short)
    locks.length = 0
    const ids = ['acme:p0', 'acme:p1', 'acme:p2', 'acme:p3', 'acme:poison', 'acme:p5', 'acme:p6', 'acme:p7']
    const hooks = await Promise.all(ids.map((id, i) => join(id, undefined, rooms[i % 3])))
    const results = await Promise.allSettled(hooks.map((w) => r.api.handleLivekitWebhook(w.body, w.auth)))
    expect(results.map((x) => x.status)).toEqual(
      ids.map((id) => (id === 'acme:poison' ? 'rejected' : 'fulfilled')),
    )
    // The poison shared a transaction with webhooks of other rooms, which then applied alone.
    const poisonRoom = rooms[ids.indexOf('acme:poison') % 3]!.name
    expect(locks.some((x) => x.length > 1 && x.includes(poisonRoom))).toBe(true)
    expect(await count(store, "ringline_call_participants WHERE identity LIKE 'acme:p_'")).toBe(7)
    expect(await count(store, "ringline_call_participants WHERE identity = 'acme:poison'")).toBe(0)
    expect(await count(store, "ringline_webhook_events WHERE identity LIKE 'acme:p_'")).toBe(7)
  })

  it('publishes a room once per committed batch, in the order its webhooks applied, live and in the event log', async () => {
    const r = await start()
    const seen: RinglineEvent[] = []
    const unsubscribe = r.api.subscribe(USERS.alice!, (e) => seen.push(e))
    const identities = Array.from({ length: 12 }, (_, i) => `acme:o${i}`)
    const hooks = await Promise.all(identities.map((id) => join(id)))
    await Promise.all(hooks.map((w) => r.api.handleLivekitWebhook(w.body, w.auth)))
    const updates = seen.filter((e) => e.type === 'room.updated')
    // A committed batch publishes the room once, as the batch left it: the counts only grow, the last event has
    // everyone, and no two events say the same.
    const counts = updates.map((e) => (e.type === 'room.updated' ? (e.room?.participants.length ?? -1) : -1))
    expect(counts.length).toBeGreaterThan(0)
    expect(counts.length).toBeLessThan(identities.length)
    expect(counts.at(-1)).toBe(identities.length + 1)
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1] as number)
    const { rows } = await store.query<{ id: string }>(
      "SELECT id FROM ringline_events WHERE event->>'type' = 'room.updated' ORDER BY seq",
    )
    expect(rows.map((x) => x.id).slice(-updates.length)).toEqual(updates.map((e) => e.id))
    unsubscribe()
  })

  it('a lone webhook whose handler issues statements records in its one trip, without rolling back', async () => {
    const statements: string[] = []
    let eachRuns = 0
    const r = await start((s) =>
      watchedStore(
        s,
        (sql) => statements.push(sql),
        (paramsList) => {
          eachRuns += paramsList.length
        },
      ),
    )
    // The room's LiveKit instance is not bound to its call yet: the handler binds it and records the join itself.
    const fresh = { name: 'int-acme-lone', sid: 'RM_lone' }
    await r.api.joinRoom(USERS.alice!, 'lone')
    const seen: RinglineEvent[] = []
    const unsubscribe = r.api.subscribe(USERS.alice!, (e) => seen.push(e))
    statements.length = 0
    const hook = await join('acme:bob', undefined, fresh)
    expect((await r.api.handleLivekitWebhook(hook.body, hook.auth)).outcome).toBe('processed')
    unsubscribe()
    // The room it publishes is read after the handler's own statements.
    const update = seen.filter((e) => e.type === 'room.updated').at(-1)
    expect(
      update?.type === 'room.updated' && update.room?.participants.map((p) => p.identity).sort(),
    ).toEqual(['acme:alice', 'acme:bob'])
    const listed = await r.api.listRooms(USERS.alice!)
    expect(
      listed.rooms
        .find((x) => x.name === 'lone')
        ?.participants.map((p) => p.identity)
        .sort(),
    ).toEqual(['acme:alice', 'acme:bob'])
    // Its handler issued statements of its own (beyond the dedupe row's)...
    const own = statements.filter((sql) => !/ringline_webhook_events|pg_advisory_xact_lock/.test(sql))
    expect(own.length).toBeGreaterThan(0)
    // ...and where runs record in one trip, the webhook took it and nothing was rolled back to redo it.
    if (eachRuns > 0 || store.kind === 'postgres') {
      expect(eachRuns).toBe(1)
      expect(statements.filter((sql) => sql.startsWith('ROLLBACK TO SAVEPOINT'))).toEqual([])
    }
  })

  it("a batch of joins recorded on their call reads its room in the run's trip, and publishes it right", async () => {
    const statements: string[] = []
    const reads: unknown[] = []
    const r = await start((s) =>
      watchedStore(
        s,
        (sql) => statements.push(sql),
        (_, options) => {
          if (options?.after) reads.push(options.after)
        },
      ),
    )
    const seen: RinglineEvent[] = []
    const unsubscribe = r.api.subscribe(USERS.alice!, (e) => seen.push(e))
    // The first join binds the LiveKit room to its call; the later ones are recorded on it by their statements.
    const first = await join('acme:q0')
    await r.api.handleLivekitWebhook(first.body, first.auth)
    statements.length = 0
    reads.length = 0
    const hooks = await Promise.all(['acme:q1', 'acme:q2', 'acme:q3', 'acme:q4'].map((id) => join(id)))
    await Promise.all(hooks.map((w) => r.api.handleLivekitWebhook(w.body, w.auth)))
    const everyone = ['acme:alice', 'acme:q0', 'acme:q1', 'acme:q2', 'acme:q3', 'acme:q4']
    const last = seen.filter((e) => e.type === 'room.updated').at(-1)
    expect(last?.type === 'room.updated' && last.room?.participants.map((p) => p.identity).sort()).toEqual(
      everyone,
    )
    const listed = await r.api.listRooms(USERS.alice!)
    expect(listed.rooms[0]?.participants.map((p) => p.identity).sort()).toEqual(everyone)
    // Leaves and a join together: the room published has the ones present only.
    const mixed = await Promise.all([left('acme:q1'), left('acme:q2'), join('acme:q5'), left('acme:q0')])
    await Promise.all(mixed.map((w) => r.api.handleLivekitWebhook(w.body, w.auth)))
    const present = ['acme:alice', 'acme:q3', 'acme:q4', 'acme:q5']
    const after = seen.filter((e) => e.type === 'room.updated').at(-1)
    expect(after?.type === 'room.updated' && after.room?.participants.map((p) => p.identity).sort()).toEqual(
      present,
    )
    if (store.kind === 'postgres') {
      // The room reads went with the runs: no statement of their own.
      expect(reads.length).toBeGreaterThan(1)
      expect(statements.filter((sql) => /FROM ringline_call_participants/.test(sql))).toEqual([])
    }
    unsubscribe()
  })

  it('a token per request keeps one open session per user; after leaving, a token joins again', async () => {
    const r = await start()
    const sessions = async (identity: string) => {
      const { rows } = await store.query<{ sessions: unknown }>(
        'SELECT sessions FROM ringline_call_participants WHERE identity = $1',
        [identity],
      )
      const value = rows[0]?.sessions
      return Object.keys((typeof value === 'string' ? JSON.parse(value) : value) as object)
    }
    for (let i = 0; i < 5; i++) {
      const token = await r.api.createToken(USERS.bob!, { room: 'batch' })
      expect(token.callId).toBeTruthy()
    }
    expect(await sessions('acme:bob')).toHaveLength(1)
    let rooms = await r.api.listRooms(USERS.alice!)
    expect(rooms.rooms[0]?.participants.map((p) => p.identity).sort()).toEqual(['acme:alice', 'acme:bob'])
    await r.api.leaveRoom(USERS.bob!, 'batch')
    rooms = await r.api.listRooms(USERS.alice!)
    expect(rooms.rooms[0]?.participants.map((p) => p.identity)).toEqual(['acme:alice'])
    const back = await r.api.joinRoom(USERS.bob!, 'batch')
    expect(back.room.participants.map((p) => p.identity).sort()).toEqual(['acme:alice', 'acme:bob'])
    expect(await sessions('acme:bob')).toHaveLength(2)
    // Concurrent first tokens of new users for one room: each is recorded once, present.
    const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((userId) => ({ userId, tenantId: 'acme' }))
    await Promise.all(users.map((u) => r.api.createToken(u, { room: 'batch' })))
    await Promise.all(users.map((u) => r.api.createToken(u, { room: 'batch' })))
    rooms = await r.api.listRooms(USERS.alice!)
    expect(rooms.rooms[0]?.participants).toHaveLength(8)
    for (const u of users) expect(await sessions(`acme:${u.userId}`)).toHaveLength(1)
  })

  it('createToken refuses a revoked user before writing anything', async () => {
    const r = await start()
    await r.api.revokeUser('acme', 'mallory')
    await expect(
      r.api.createToken({ userId: 'mallory', tenantId: 'acme' }, { room: 'batch' }),
    ).rejects.toMatchObject({
      code: 'ACCESS_REVOKED',
    })
    await expect(
      r.api.createToken({ userId: 'mallory', tenantId: 'acme' }, { room: 'fresh' }),
    ).rejects.toMatchObject({
      code: 'ACCESS_REVOKED',
    })
    expect(await count(store, "ringline_call_participants WHERE identity = 'acme:mallory'")).toBe(0)
    expect(await count(store, "ringline_calls WHERE room_name = 'int-acme-fresh'")).toBe(0)
  })
})
