import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as lib from '@electric-sql/pglite'
import { afterEach, describe, expect, it } from 'vitest'
import { PglitePrepared } from './pglitePrepared'
import { pgliteStore } from './pgliteStore'

const open: lib.PGlite[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const db of open.splice(0)) await db.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function database(): Promise<lib.PGlite> {
  const db = await lib.PGlite.create()
  open.push(db)
  await db.exec(
    'CREATE TABLE t (id text PRIMARY KEY, n int, flag boolean, at timestamptz, doc jsonb, tags text[], big bigint)',
  )
  return db
}

/** Runs `sql` prepared, as the driver does outside a transaction. */
const run = (db: lib.PGlite, p: PglitePrepared, sql: string, params: unknown[]) =>
  db._runExclusiveTransaction(() => p.query(sql, params, false))

describe('PglitePrepared', () => {
  it('gives the rows and counts PGlite’s query() gives, for every parameter and result type', async () => {
    const db = await database()
    const p = new PglitePrepared(db, lib)
    const insert = 'INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *'
    const at = new Date('2026-12-07T10:00:00.123Z')
    const row = ['a', 7, true, at, { k: ['x', 1] }, ['red', 'gr"een'], 9007199254740993n]
    const viaPrepared = await run(db, p, insert, row)
    const viaQuery = await db.query('SELECT * FROM t WHERE id = $1', ['a'])
    expect(viaPrepared.rows).toEqual(viaQuery.rows)
    expect(viaPrepared.rowCount).toBe(1)
    expect(viaPrepared.rows[0]).toMatchObject({ id: 'a', n: 7, flag: true, at, doc: { k: ['x', 1] } })
    // The same statement again, now from its prepared form; nulls and an update count.
    expect((await run(db, p, insert, ['b', null, null, null, null, null, null])).rows[0]).toMatchObject({
      id: 'b',
      n: null,
    })
    expect((await run(db, p, 'UPDATE t SET n = $1 WHERE id <> $2', [3, 'zzz'])).rowCount).toBe(2)
  })

  it('a statement’s error reaches the caller with its code, and the statement still runs afterwards', async () => {
    const db = await database()
    const p = new PglitePrepared(db, lib)
    const insert = 'INSERT INTO t (id) VALUES ($1)'
    await run(db, p, insert, ['dup'])
    await expect(run(db, p, insert, ['dup'])).rejects.toMatchObject({ code: '23505' })
    await run(db, p, insert, ['next'])
    // In a transaction: the error aborts it, and the rollback leaves nothing of it.
    await expect(
      db.transaction(async () => {
        await p.query(insert, ['in-tx'], true)
        await p.query(insert, ['dup'], true)
      }),
    ).rejects.toMatchObject({ code: '23505' })
    const { rows } = await db.query<{ id: string }>('SELECT id FROM t ORDER BY id')
    expect(rows.map((r) => r.id)).toEqual(['dup', 'next'])
  })

  it('closes the least recently used statements beyond its maximum, and runs them again when asked', async () => {
    const db = await database()
    const p = new PglitePrepared(db, lib, 3)
    for (let i = 0; i < 8; i++) {
      const { rows } = await run(db, p, `SELECT $1::int + ${i} AS v`, [1])
      expect(rows).toEqual([{ v: 1 + i }])
    }
    const { rows: left } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_prepared_statements',
    )
    expect(left[0]?.n).toBe(3)
    expect((await run(db, p, 'SELECT $1::int + 0 AS v', [5])).rows).toEqual([{ v: 5 }])
  })

  it('a statement whose result type changed (a migration) is prepared again; in a transaction, on the retry', async () => {
    const db = await database()
    const p = new PglitePrepared(db, lib)
    const select = 'SELECT * FROM t WHERE id = $1'
    await run(db, p, 'INSERT INTO t (id) VALUES ($1)', ['m'])
    expect((await run(db, p, select, ['m'])).rows[0]).not.toHaveProperty('added')
    await db.exec('ALTER TABLE t ADD COLUMN added text')
    expect((await run(db, p, select, ['m'])).rows[0]).toHaveProperty('added', null)
    await db.exec('ALTER TABLE t ADD COLUMN again text')
    await expect(db.transaction(() => p.query(select, ['m'], true))).rejects.toMatchObject({ code: '0A000' })
    const retried = await db.transaction(() => p.query(select, ['m'], true))
    expect(retried.rows[0]).toHaveProperty('again', null)
  })

  it('pgliteStore: statements with parameters outside a transaction reach the data folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ringline-pglite-prepared-'))
    dirs.push(root)
    const first = pgliteStore({ dataDir: join(root, 'db') })
    await first.query(
      'INSERT INTO ringline_calls (id, tenant_id, direction, status, room_name) VALUES ($1, $2, $3, $4, $5)',
      ['c1', 't1', 'internal', 'in-progress', 'int-t1-x'],
    )
    await first.close()
    const again = pgliteStore({ dataDir: join(root, 'db') })
    const { rows } = await again.query<{ id: string }>('SELECT id FROM ringline_calls WHERE tenant_id = $1', [
      't1',
    ])
    expect(rows.map((r) => r.id)).toEqual(['c1'])
    await again.close()
  })
})
