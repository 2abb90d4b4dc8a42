import type { Pool, PoolClient } from 'pg'
import { createSqlStore } from './sqlStore'
import type { RinglineStore, SqlDriver, Transaction } from './types'

/** Options of `postgresStore`: a connection string, or a `pg` Pool you own. */
export type PostgresStoreOptions = (
  | { connectionString: string; pool?: never }
  | { pool: Pool; connectionString?: never }
) & {
  /** Pool size when Ringline creates the pool (default 10). */
  max?: number
  /** Run migrations on first use (default true); otherwise run `ringline migrate`. */
  migrate?: boolean
}

function wrap(client: Pool | PoolClient): Transaction {
  return {
    async query(sql, params) {
      const result = await client.query(sql, params as unknown[])
      return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length }
    },
    async exec(sql) {
      await client.query(sql)
    },
  }
}

/**
 * PostgreSQL (or Supabase) through `pg`, the production store. Several server instances on one database
 * share events through `LISTEN/NOTIFY`.
 * @example createRingline({ store: postgresStore({ connectionString: process.env.DATABASE_URL! }), authorize })
 */
export function postgresStore(options: PostgresStoreOptions): RinglineStore {
  let pool: Promise<Pool> | undefined
  const ownsPool = !options.pool
  const open = (): Promise<Pool> => {
    pool ??= options.pool
      ? Promise.resolve(options.pool)
      : import('pg')
          .then((mod) => (mod.default ?? mod) as typeof import('pg'))
          .then((pg) => {
            const created = new pg.Pool({
              connectionString: options.connectionString,
              max: options.max ?? 10,
            })
            // An idle client losing its connection must not crash the process.
            created.on('error', () => {})
            return created
          })
    return pool
  }
  const listeners = new Set<PoolClient>()

  const driver: SqlDriver = {
    kind: 'postgres',
    async query(sql, params) {
      return wrap(await open()).query(sql, params)
    },
    async exec(sql) {
      await (await open()).query(sql)
    },
    async transaction(fn) {
      const client = await (await open()).connect()
      try {
        await client.query('BEGIN')
        const result = await fn(wrap(client))
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    async listen(channel, onPayload) {
      const client = await (await open()).connect()
      listeners.add(client)
      client.on('notification', (message) => {
        if (message.channel === channel && message.payload !== undefined) onPayload(message.payload)
      })
      client.on('error', () => {})
      await client.query(`LISTEN "${channel.replace(/"/g, '')}"`)
      return async () => {
        if (!listeners.delete(client)) return
        await client.query(`UNLISTEN "${channel.replace(/"/g, '')}"`).catch(() => {})
        client.release()
      }
    },
    async notify(channel, payload) {
      await (await open()).query('SELECT pg_notify($1, $2)', [channel, payload])
    },
    async close() {
      for (const client of listeners) client.release()
      listeners.clear()
      if (pool && ownsPool) await (await pool).end()
      pool = undefined
    },
  }
  return createSqlStore(driver, options)
}
