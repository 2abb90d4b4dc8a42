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
})
