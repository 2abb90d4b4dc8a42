// `queryEach` on PostgreSQL: one statement run once per parameter list in one round trip (a session PL/pgSQL function),
// each run seeing the runs before it, with the parameters typed as the server infers them.

import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executableName } from '../src/sql/postgresEach'
import { postgresStore } from '../src/sql/postgresStore'
import { preparable } from '../src/sql/prepared'
import type { EachRows, RinglineStore, Transaction } from '../src/sql/types'
import { freshDatabaseUrl } from './helpers'

const UPSERT = `WITH up AS (
    INSERT INTO each_t (id, n, flag, at, doc) VALUES ($1, $2, $3, $4::timestamptz, $5)
    ON CONFLICT (id) DO UPDATE SET n = each_t.n + excluded.n RETURNING n)
  SELECT (SELECT n FROM up) AS n, (SELECT count(*) FROM each_t)::int AS total`

/** `tx.queryEach`'s runs (after `SAVEPOINT <savepoint>` when one is named). */
const each =
  (tx: Transaction) =>
  async (sql: string, paramsList: unknown[][], savepoint?: string): Promise<EachRows> => {
    if (!tx.queryEach) throw new Error('no queryEach on PostgreSQL')
    return (await tx.queryEach(sql, paramsList, { savepoint })).runs
  }

describe('queryEach on PostgreSQL', () => {
  let store: RinglineStore
  beforeAll(async () => {
    store = postgresStore({ connectionString: await freshDatabaseUrl(), max: 1 })
    await store.exec(
      'CREATE TABLE each_t (id text PRIMARY KEY, n int NOT NULL, flag boolean, at timestamptz, doc jsonb)',
    )
  })
  afterAll(() => store.close())

  it('runs in order, each run seeing the writes of the runs before it, typed parameters and odd text intact', async () => {
    const odd = `it's a "quote" \\ back\\slash, ünïcødé ☎ $1 $$`
    const runs = await store.transaction((tx) =>
      each(tx)(UPSERT, [
        [odd, 1, true, new Date('2026-12-01T10:00:00Z'), JSON.stringify({ a: [1, 'x'] })],
        [odd, 2, null, null, null],
        ['b', 5, false, '2026-12-02T00:00:00.000Z', null],
      ]),
    )
    expect(runs).toEqual([[{ n: 1, total: 0 }], [{ n: 3, total: 1 }], [{ n: 5, total: 1 }]])
    const { rows } = await store.query<{ id: string; n: number; flag: boolean; at: Date; doc: unknown }>(
      'SELECT * FROM each_t ORDER BY id',
    )
    expect(rows.map((r) => r.id)).toEqual(['b', odd])
    expect(rows[1]).toMatchObject({ n: 3, flag: true, doc: { a: [1, 'x'] } })
    expect(rows[1]?.at.toISOString()).toBe('2026-12-01T10:00:00.000Z')
    expect(rows[0]).toMatchObject({ n: 5, flag: false })
  })

  it('rolling back to its savepoint undoes every run, and the transaction goes on', async () => {
    await store.transaction(async (tx) => {
      await tx.query("INSERT INTO each_t (id, n) VALUES ('kept', 1)")
      await each(tx)(
        UPSERT,
        [
          ['gone1', 1, null, null, null],
          ['gone2', 1, null, null, null],
        ],
        'each_sp',
      )
      await tx.query('ROLLBACK TO SAVEPOINT each_sp')
      await tx.query("INSERT INTO each_t (id, n) VALUES ('after', 1)")
    })
    const { rows } = await store.query<{ id: string }>(
      "SELECT id FROM each_t WHERE id IN ('kept', 'gone1', 'gone2', 'after') ORDER BY id",
    )
    expect(rows.map((r) => r.id)).toEqual(['after', 'kept'])
  })

  it('a transaction that rolled back its function definition defines it again next time', async () => {
    const sql = `SELECT $1::int + 1 AS next`
    await expect(
      store.transaction(async (tx) => {
        await each(tx)(sql, [[1]])
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    // One connection (max: 1): the same session, where the rolled-back function no longer exists.
    const runs = await store.transaction((tx) => each(tx)(sql, [[41], [1]]))
    expect(runs).toEqual([[{ next: 42 }], [{ next: 2 }]])
  })

  it('a failing run fails the call and nothing of the runs stays', async () => {
    await expect(
      store.transaction((tx) =>
        each(tx)(UPSERT, [
          ['fail1', 1, null, null, null],
          ['fail2', null, null, null, null],
        ]),
      ),
    ).rejects.toMatchObject({ code: '23502' })
    const { rows } = await store.query("SELECT id FROM each_t WHERE id LIKE 'fail%'")
    expect(rows).toEqual([])
  })

  it('runs its `after` statement after the runs, in the same trip, seeing their writes', async () => {
    const result = await store.transaction(async (tx) => {
      if (!tx.queryEach) throw new Error('no queryEach on PostgreSQL')
      return tx.queryEach(
        UPSERT,
        [
          ['then1', 1, null, null, null],
          ['then1', 2, null, null, null],
        ],
        { after: { sql: 'SELECT id, n FROM each_t WHERE id = $1', params: ['then1'] } },
      )
    })
    expect(result.runs).toEqual([
      [{ n: 1, total: expect.any(Number) }],
      [{ n: 3, total: expect.any(Number) }],
    ])
    expect(result.after).toEqual([{ id: 'then1', n: 3 }])
  })

  it('refuses array parameters (not sent as PostgreSQL arrays)', async () => {
    await expect(store.transaction((tx) => each(tx)('SELECT $1::text[] AS a', [[['x']]]))).rejects.toThrow(
      /array and binary parameters/,
    )
  })
})

describe('queryEach: a definition survives rolling back to the savepoint', () => {
  it('the function, defined in the trip of a run rolled back to its savepoint, is there in later transactions', async () => {
    // One connection: the session whose temporary schema holds the function.
    const store = postgresStore({ connectionString: await freshDatabaseUrl(), max: 1 })
    try {
      const sql = `SELECT $1::int * 2 AS twice`
      await store.transaction(async (tx) => {
        expect(await each(tx)(sql, [[1]], 'each_sp')).toEqual([[{ twice: 2 }]])
        await tx.query('ROLLBACK TO SAVEPOINT each_sp')
      })
      expect(await store.transaction((tx) => each(tx)(sql, [[21]]))).toEqual([[{ twice: 42 }]])
    } finally {
      await store.close()
    }
  })
})

describe('queryEach: a session without the function', () => {
  /**
   * A transaction-mode pooler: one client whose transactions go to two server sessions in turn (the next one
   * never had a temporary schema).
   */
  async function behindPooler(url: string) {
    const real = new pg.Pool({ connectionString: url, max: 2 })
    const sessions = [await real.connect(), await real.connect()]
    const send = (session: pg.PoolClient, args: unknown[]) =>
      (session.query as unknown as (...a: unknown[]) => unknown).apply(session, args)
    let turn = 0
    const client = {
      query: (...args: unknown[]) => send(sessions[turn % 2] as pg.PoolClient, args),
      on() {},
      removeListener() {},
      release() {
        turn += 1
      },
    }
    const pool = {
      connect: async () => client,
      query: (...args: unknown[]) => send(sessions[0] as pg.PoolClient, args),
      on() {},
      async end() {
        for (const s of sessions) s.release()
        await real.end()
      },
    }
    return pool as unknown as pg.Pool
  }

  it.each([
    ['a pooler hands the next transaction another session', '3F000'],
    ['DISCARD TEMP dropped it', '42883'],
  ])('when %s: that call fails (%s), and queryEach is off from then on', async (how, code) => {
    const url = await freshDatabaseUrl()
    const pool = how.startsWith('a pooler') ? await behindPooler(url) : undefined
    // One connection otherwise: the session that had the function.
    const store = pool ? postgresStore({ pool }) : postgresStore({ connectionString: url, max: 1 })
    try {
      const sql = `SELECT $1::int - 1 AS prev`
      expect(await store.transaction((tx) => each(tx)(sql, [[1]]))).toEqual([[{ prev: 0 }]])
      if (!pool) await store.exec('DISCARD TEMP')
      await expect(store.transaction((tx) => each(tx)(sql, [[2]]))).rejects.toMatchObject({ code })
      // The next transactions run their statements one by one (no queryEach), and the store works.
      expect(await store.transaction(async (tx) => tx.queryEach === undefined)).toBe(true)
      expect(await store.transaction(async (tx) => (await tx.query(sql, [5])).rows)).toEqual([{ prev: 4 }])
    } finally {
      await store.close()
      await pool?.end()
    }
  })
})

describe('defer on PostgreSQL', () => {
  let store: RinglineStore
  /** Every text the store's connections sent (one entry per round trip). */
  const sent: string[] = []
  let pool: pg.Pool
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await freshDatabaseUrl(), max: 1 })
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown
      ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const first = args[0]
        sent.push(typeof first === 'string' ? first : ((first as { text?: string })?.text ?? ''))
        return query(...args)
      }
    })
    store = postgresStore({ pool })
    await store.exec(
      'CREATE TABLE defer_t (id text PRIMARY KEY, n int, doc jsonb, at timestamptz, ok boolean)',
    )
  })
  afterAll(async () => {
    await store.close()
    await pool.end()
  })

  const defer = (tx: Transaction): NonNullable<Transaction['defer']> => {
    if (!tx.defer) throw new Error('no defer on PostgreSQL')
    return tx.defer.bind(tx)
  }
  const ids = async () =>
    (await store.query<{ id: string }>('SELECT id FROM defer_t ORDER BY id')).rows.map((r) => r.id)

  it('goes out with BEGIN and the next statement in one round trip, in order, parameters inlined intact', async () => {
    const odd = `it's "odd" \\ back\\slash $1 $$ ünïcødé ☎`
    sent.length = 0
    const seen = await store.transaction(async (tx) => {
      defer(tx)('INSERT INTO defer_t (id, n, doc, at, ok) VALUES ($1, $2, $3, $4, $5)', [
        odd,
        7,
        { a: [1, 'x'], odd },
        new Date('2026-12-01T10:00:00Z'),
        true,
      ])
      defer(tx)('INSERT INTO defer_t (id, n) VALUES ($1, $2)', ['second', null])
      return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM defer_t')).rows[0]?.n
    })
    expect(seen).toBe(2)
    // BEGIN, both deferred statements and the read: one trip; then the COMMIT.
    expect(sent).toHaveLength(2)
    expect(sent[0]).toMatch(/^BEGIN;[\s\S]*INSERT[\s\S]*INSERT[\s\S]*SELECT count/)
    expect(sent[1]).toBe('COMMIT')
    const { rows } = await store.query<{ id: string; n: number | null; doc: unknown; at: Date; ok: boolean }>(
      'SELECT * FROM defer_t ORDER BY id',
    )
    expect(rows.map((r) => r.id).sort()).toEqual([odd, 'second'].sort())
    const first = rows.find((r) => r.id === odd)
    expect(first).toMatchObject({ n: 7, doc: { a: [1, 'x'], odd }, ok: true })
    expect(first?.at.toISOString()).toBe('2026-12-01T10:00:00.000Z')
    expect(rows.find((r) => r.id === 'second')?.n).toBeNull()
    await store.exec('DELETE FROM defer_t')
  })

  it('the last deferred statements go out with the COMMIT; before a parameterised query, just before it', async () => {
    sent.length = 0
    await store.transaction(async (tx) => {
      defer(tx)("INSERT INTO defer_t (id) VALUES ('a')")
      const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM defer_t WHERE id = $1', [
        'a',
      ])
      expect(rows[0]?.n).toBe(1)
      defer(tx)("INSERT INTO defer_t (id) VALUES ('b')")
    })
    expect(sent[0]).toMatch(/^BEGIN;\s*INSERT/)
    expect(sent.at(-1)).toMatch(/INSERT[\s\S]*'b'[\s\S]*;\s*COMMIT$/)
    expect(await ids()).toEqual(['a', 'b'])
    await store.exec('DELETE FROM defer_t')
  })

  it('a deferred statement that fails fails the commit, and nothing of the transaction stays', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.query("INSERT INTO defer_t (id) VALUES ('before')")
        defer(tx)("INSERT INTO defer_t (id) VALUES ('deferred')")
        defer(tx)('INSERT INTO defer_t (id, n) VALUES ($1, $2)', ['bad', 'not a number'])
      }),
    ).rejects.toMatchObject({ code: '22P02' })
    expect(await ids()).toEqual([])
    // The connection is usable afterwards (the failed transaction was rolled back).
    await store.transaction(async (tx) => defer(tx)("INSERT INTO defer_t (id) VALUES ('later')"))
    expect(await ids()).toEqual(['later'])
    await store.exec('DELETE FROM defer_t')
  })

  it('a preparable statement is PREPAREd once per connection, then EXECUTEd, a rollback keeping it', async () => {
    const insert = preparable('INSERT INTO defer_t (id, n) VALUES ($1, $2)')
    sent.length = 0
    await store.transaction(async (tx) => defer(tx)(insert, ['p1', 1]))
    // A transaction that rolls back after its statements went out.
    await expect(
      store.transaction(async (tx) => {
        defer(tx)(insert, ['p2', 2])
        await tx.query('SELECT 1')
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    await store.transaction(async (tx) => defer(tx)(insert, ["p3 it's", null]))
    const prepares = sent.filter((text) => text.startsWith('PREPARE'))
    expect(prepares).toHaveLength(1)
    expect(prepares[0]).toMatch(/^PREPARE ringline_x_[0-9a-f]{16} AS INSERT INTO defer_t/)
    // Named from its text: a session holding a statement under that name holds this one.
    expect(prepares[0]?.split(' ')[1]).toBe(executableName(insert))
    expect(executableName(`${insert} `)).not.toBe(executableName(insert))
    const executes = sent.filter((text) => /EXECUTE ringline_x_[0-9a-f]{16}\(/.test(text))
    expect(executes).toHaveLength(3)
    expect(executes.at(-1)).toMatch(/EXECUTE ringline_x_[0-9a-f]{16}\('p3 it''s', NULL\);\s*COMMIT$/)
    expect(await ids()).toEqual(['p1', "p3 it's"])
    await store.exec('DELETE FROM defer_t')
  })

  it("queryEach's `after` goes out as an EXECUTE of its prepared statement, after the runs", async () => {
    const read = preparable('SELECT count(*)::int AS n FROM defer_t WHERE id LIKE $1')
    sent.length = 0
    const result = await store.transaction(async (tx) => {
      if (!tx.queryEach) throw new Error('no queryEach on PostgreSQL')
      return tx.queryEach('INSERT INTO defer_t (id) VALUES ($1) RETURNING id', [['t1'], ['t2']], {
        after: { sql: read, params: ['t%'] },
      })
    })
    expect(result.runs).toEqual([[{ id: 't1' }], [{ id: 't2' }]])
    expect(result.after).toEqual([{ n: 2 }])
    expect(sent.some((text) => /EXECUTE ringline_x_[0-9a-f]{16}\('t%'\)$/.test(text))).toBe(true)
    await store.exec('DELETE FROM defer_t')
  })

  it('refuses parameters it cannot inline, and a $n without its parameter', async () => {
    await expect(store.transaction(async (tx) => defer(tx)('SELECT $1::text[]', [['x']]))).rejects.toThrow(
      /cannot be inlined/,
    )
    await expect(store.transaction(async (tx) => defer(tx)('SELECT $2::text', ['x']))).rejects.toThrow(
      /no parameter \$2/,
    )
  })

  // Last: it turns prepared statements off for this store.
  it('a session that lost its prepared statements (DISCARD ALL, a pooler): that commit fails, then they are inlined', async () => {
    const insert = preparable('INSERT INTO defer_t (id, n) VALUES ($1, $2)')
    await store.transaction(async (tx) => defer(tx)(insert, ['d1', 1]))
    await store.exec('DEALLOCATE ALL')
    await expect(store.transaction(async (tx) => defer(tx)(insert, ['d2', 2]))).rejects.toMatchObject({
      code: '26000',
    })
    sent.length = 0
    await store.transaction(async (tx) => defer(tx)(insert, ['d3', 3]))
    expect(sent.at(-1)).toMatch(/^BEGIN;\s*INSERT INTO defer_t \(id, n\) VALUES \('d3', '3'\);\s*COMMIT$/)
    expect(await ids()).toEqual(['d1', 'd3'])
  })
})
