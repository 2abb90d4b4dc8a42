// `queryEach` on PostgreSQL: one statement run once per parameter list in one round trip (a session PL/pgSQL function),
// each run seeing the runs before it, with the parameters typed as the server infers them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/sql/postgresStore'
import type { RinglineStore, Transaction } from '../src/sql/types'
import { freshDatabaseUrl } from './helpers'

const UPSERT = `WITH up AS (
    INSERT INTO each_t (id, n, flag, at, doc) VALUES ($1, $2, $3, $4::timestamptz, $5)
    ON CONFLICT (id) DO UPDATE SET n = each_t.n + excluded.n RETURNING n)
  SELECT (SELECT n FROM up) AS n, (SELECT count(*) FROM each_t)::int AS total`

const each = (tx: Transaction): NonNullable<Transaction['queryEach']> => {
  if (!tx.queryEach) throw new Error('no queryEach on PostgreSQL')
  return tx.queryEach.bind(tx)
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

  it('refuses array parameters (not sent as PostgreSQL arrays)', async () => {
    await expect(store.transaction((tx) => each(tx)('SELECT $1::text[] AS a', [[['x']]]))).rejects.toThrow(
      /array and binary parameters/,
    )
  })
})
