// postgresStore runs the statements marked `preparable` as named prepared statements, and stops when the server says
// one is missing (as a transaction-mode pooler that moved the client to another connection would).
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/sql/postgresStore'
import { preparable } from '../src/sql/prepared'
import { freshDatabaseUrl } from './helpers'

const HOT = preparable('SELECT $1::int + 1 AS n')

describe('prepared statements on PostgreSQL', () => {
  let pool: pg.Pool
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: await freshDatabaseUrl(), max: 1 })
  })
  afterAll(() => pool.end())

  /** The prepared statements of the pool's one connection. */
  const prepared = async () =>
    (await pool.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).rows.map(
      (r) => r.statement,
    )

  it('prepares a marked statement once per connection, and stops after the server lost one', async () => {
    const store = postgresStore({ pool, migrate: false })
    expect((await store.query<{ n: number }>(HOT, [1])).rows[0]?.n).toBe(2)
    expect(await store.transaction((tx) => tx.query<{ n: number }>(HOT, [2]))).toMatchObject({
      rows: [{ n: 3 }],
    })
    expect(await prepared()).toEqual([HOT])
    // The connection forgets it (a pooler would hand over another connection): the next run fails, then the store
    // runs its statements unprepared.
    await pool.query('DEALLOCATE ALL')
    await expect(store.query(HOT, [3])).rejects.toMatchObject({ code: '26000' })
    expect((await store.query<{ n: number }>(HOT, [4])).rows[0]?.n).toBe(5)
    expect(await prepared()).toEqual([])
  })

  it('prepares nothing with `prepare: false`', async () => {
    const store = postgresStore({ pool, migrate: false, prepare: false })
    await pool.query('DEALLOCATE ALL')
    expect((await store.query<{ n: number }>(HOT, [1])).rows[0]?.n).toBe(2)
    expect(await prepared()).toEqual([])
  })

  it('a transaction whose first statement has no parameters sends it with its BEGIN: inside the transaction', async () => {
    const store = postgresStore({ pool, migrate: false })
    await pool.query('CREATE TABLE IF NOT EXISTS lazy_begin (n int)')
    await expect(
      store.transaction(async (tx) => {
        await tx.query('INSERT INTO lazy_begin VALUES (1)')
        const { rows } = await tx.query<{ a: string; b: string }>(
          'SELECT txid_current()::text AS a, $1::text AS b',
          ['x'],
        )
        const first = await tx.query<{ id: string }>('SELECT txid_current()::text AS id')
        expect(first.rows[0]?.id).toBe(rows[0]?.a)
        throw new Error('roll back')
      }),
    ).rejects.toThrow('roll back')
    expect((await pool.query('SELECT count(*)::int AS n FROM lazy_begin')).rows[0]?.n).toBe(0)
    // Its result is the statement's own; a transaction with no statement commits nothing and fails nothing.
    expect(
      await store.transaction(async (tx) => (await tx.query<{ n: number }>('SELECT 41 + 1 AS n')).rows),
    ).toEqual([{ n: 42 }])
    expect(await store.transaction(async () => 'none')).toBe('none')
    await store.transaction(async (tx) => {
      await tx.query('INSERT INTO lazy_begin VALUES (2)')
    })
    expect((await pool.query('SELECT count(*)::int AS n FROM lazy_begin')).rows[0]?.n).toBe(1)
  })
})
