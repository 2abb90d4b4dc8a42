import { mkdir } from 'node:fs/promises'
import type { PGlite } from '@electric-sql/pglite'
import { retryingOnce } from '../retryingOnce'
import { PglitePrepared } from './pglitePrepared'
import { createSqlStore } from './sqlStore'
import type { RinglineStore, SqlDriver } from './types'

/** Options of `pgliteStore`. */
export interface PgliteStoreOptions {
  /** Folder for the database files; `undefined` keeps everything in memory. */
  dataDir?: string
  /** Run migrations on first use (default true); otherwise run `ringline migrate`. */
  migrate?: boolean
}

/** Builds a driver on a PGlite instance created lazily on first use. */
export function pgliteDriver(kind: 'pglite' | 'memory', dataDir?: string): SqlDriver {
  // A failed open is retried on the next query rather than remembered.
  const open = retryingOnce(async (): Promise<PGlite> => {
    // PGlite creates its own folder but not missing parents (`.data/pglite` on a fresh checkout).
    if (dataDir && !dataDir.includes('://')) await mkdir(dataDir, { recursive: true })
    const lib = await import('@electric-sql/pglite')
    const db = await lib.PGlite.create(dataDir)
    prepared = new PglitePrepared(db, lib)
    return db
  })
  // Statements with parameters run as named prepared statements (parsed and planned once).
  let prepared: PglitePrepared | undefined
  return {
    kind,
    async query(sql, params) {
      const db = await open()
      if (params?.length && prepared) {
        const named = prepared
        return db._runExclusiveTransaction(() => named.query(sql, params, false))
      }
      const result = await db.query<never>(sql, params as unknown[])
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length }
    },
    async exec(sql) {
      await (await open()).exec(sql)
    },
    async transaction(fn) {
      return (await open()).transaction((tx) =>
        fn({
          async query(sql, params) {
            if (params?.length && prepared) return prepared.query(sql, params, true)
            const result = await tx.query<never>(sql, params as unknown[])
            return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length }
          },
          async exec(sql) {
            await tx.exec(sql)
          },
        }),
      )
    },
    async close() {
      const db = open.peek()
      open.reset()
      if (db) await (await db).close()
    },
  }
}

/**
 * The embedded default store: PostgreSQL compiled to WebAssembly, in a data folder or in memory.
 * @example createRingline({ store: pgliteStore({ dataDir: '.data/ringline' }), authorize })
 */
export function pgliteStore(options: PgliteStoreOptions = {}): RinglineStore {
  return createSqlStore(pgliteDriver('pglite', options.dataDir), options)
}
