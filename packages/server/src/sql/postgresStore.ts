import type { Pool, PoolClient } from 'pg'
import {
  callEachFunction,
  defineEachFunction,
  eachFunctionName,
  executableName,
  inlineParams,
  paramLiteral,
  paramTypesQuery,
  savepointName,
} from './postgresEach'
import { preparedName } from './prepared'
import { createSqlStore } from './sqlStore'
import type { EachOptions, EachResult, EachRows, RinglineStore, SqlDriver, Transaction } from './types'

/** Options of `postgresStore`: a connection string, or a `pg` Pool you own. */
export type PostgresStoreOptions = (
  | { connectionString: string; pool?: never }
  | { pool: Pool; connectionString?: never }
) & {
  /** Pool size when Ringline creates the pool (default 10). */
  max?: number
  /** Run migrations on first use (default true); otherwise run `ringline migrate`. */
  migrate?: boolean
  /**
   * Run the hot statements (webhooks) as named prepared statements, parsed and planned once per connection
   * (default true). Turned off by itself when the server says a prepared statement is missing or exists already,
   * as behind a transaction-mode pooler (PgBouncer before 1.21, Supavisor's transaction mode); `false` never tries.
   */
  prepare?: boolean
}

/** Whether statements may still be prepared (`prepare`, until a pooler refused them). */
interface Preparing {
  on: boolean
}

/**
 * `queryEach` support: on while statements are prepared (a direct session, not a transaction-mode pooler) and until
 * a session function went missing (a pooler after all). `statements`: each statement's session function name and
 * parameter types, made once per process; `defined`: the session functions each connection has (committed).
 */
interface Each {
  on: boolean
  statements: Map<string, { name: string; types: string[] }>
  defined: WeakMap<PoolClient, Set<string>>
  /** The statements each connection has `PREPARE`d (SQL-level, for deferred statements; a rollback keeps them). */
  executable: WeakMap<PoolClient, Set<string>>
}

/** A statement `defer` queued: its text, and the `PREPARE` its connection needs first when it is an `EXECUTE`. */
interface Deferred {
  text: string
  prepare?: { name: string; sql: string }
}

// The session function, or the session's temporary schema, went missing between two transactions of one client:
// another server session (a transaction-mode pooler), or a `DISCARD TEMP`/`DISCARD ALL`. `queryEach` is then off.
const SESSION_FUNCTION_GONE = new Set(['42883', '3F000'])

interface SimpleResult {
  rows: Array<Record<string, unknown>>
  rowCount: number | null
}

/** The results of a simple query of one or several statements, one per statement. */
const results = (result: unknown): SimpleResult[] =>
  (Array.isArray(result) ? result : [result]) as SimpleResult[]

/** The rows of the last statement of a simple query of one or several statements. */
function lastResult(result: unknown): { rows: Array<Record<string, unknown>>; rowCount: number } {
  const last = results(result).at(-1)
  return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? last?.rows.length ?? 0 }
}

// A prepared statement the connection lacks, or one its server already has: a transaction-mode pooler between.
const POOLED_PREPARE = new Set(['26000', '42P05'])

function wrap(client: Pool | PoolClient, preparing: Preparing): Transaction {
  return {
    async query(sql, params) {
      const name = preparing.on ? preparedName(sql) : undefined
      try {
        const result = name
          ? await client.query({ name, text: sql, values: params as unknown[] })
          : await client.query(sql, params as unknown[])
        return { rows: result.rows, rowCount: result.rowCount ?? result.rows.length }
      } catch (error) {
        if (name && POOLED_PREPARE.has((error as { code?: string }).code ?? '')) preparing.on = false
        throw error
      }
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
  const preparing: Preparing = { on: options.prepare !== false }
  const each: Each = { on: true, statements: new Map(), defined: new WeakMap(), executable: new WeakMap() }
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
  const stoppers = new Set<() => Promise<void>>()

  const driver: SqlDriver = {
    kind: 'postgres',
    async query(sql, params) {
      return wrap(await open(), preparing).query(sql, params)
    },
    async exec(sql) {
      await (await open()).query(sql)
    },
    async transaction(fn) {
      const client = await (await open()).connect()
      // A checked-out client has no error listener of the pool's: its connection dropping between two queries
      // (PostgreSQL stopped, a failover) would otherwise be an uncaught 'error' that ends the process.
      let broken: Error | undefined
      const onError = (error: Error) => {
        broken = error
      }
      client.on('error', onError)
      // BEGIN and the statements deferred meanwhile (`defer`) go out with the transaction's next statement when that
      // one has no parameters ("BEGIN; …; …", one round trip: the simple protocol takes several statements), else
      // just before it; the last deferred ones go out with the COMMIT.
      let begun = false
      const pending: Deferred[] = []
      const inner = wrap(client, preparing)
      // Session functions this transaction created: the connection has them once it commits.
      const definedHere: string[] = []
      // BEGIN (first time) and the deferred statements, after the PREPAREs they need that the connection lacks (one
      // trip each, once per connection and statement: parsed and planned once, as the prepared statements are).
      const prepareMissing = async (statements: Deferred[]): Promise<void> => {
        const executable = each.executable.get(client) ?? new Set<string>()
        for (const { prepare } of statements)
          if (prepare && !executable.has(prepare.name)) {
            await client.query(`PREPARE ${prepare.name} AS ${prepare.sql}`)
            executable.add(prepare.name)
            each.executable.set(client, executable)
          }
      }
      // A statement going out in another's trip: an EXECUTE of it prepared (when it is preparable and statements are
      // prepared), else its text with the parameters inlined.
      const riding = (sql: string, params?: unknown[]): Deferred => {
        if (params?.length && preparing.on && preparedName(sql)) {
          const name = executableName(sql)
          return { text: `EXECUTE ${name}(${params.map(paramLiteral).join(', ')})`, prepare: { name, sql } }
        }
        return { text: params?.length ? inlineParams(sql, params) : sql }
      }
      const before = async (): Promise<string[]> => {
        await prepareMissing(pending)
        const texts = pending.splice(0).map((d) => d.text)
        const head = begun ? texts : ['BEGIN', ...texts]
        begun = true
        return head
      }
      const simple = async (sql: string): Promise<unknown> =>
        client.query([...(await before()), sql].join(';\n'))
      const flush = async (): Promise<void> => {
        if (!begun || pending.length > 0) await client.query((await before()).join(';\n'))
      }
      const queryEach = async (
        sql: string,
        paramsList: unknown[][],
        { savepoint, after }: EachOptions = {},
      ): Promise<EachResult> => {
        const trailing = after ? riding(after.sql, after.params) : undefined
        if (trailing) await prepareMissing([trailing])
        let statement = each.statements.get(sql)
        if (!statement) {
          const described = results(await simple(paramTypesQuery(sql))).find((r) => r.rows[0]?.types)
          const types = described?.rows[0]?.types as string[] | undefined
          if (!types) throw new Error('queryEach: the server did not describe the statement')
          statement = { name: eachFunctionName(sql), types }
          each.statements.set(sql, statement)
        }
        const { name, types } = statement
        const known = each.defined.get(client)?.has(name) || definedHere.includes(name)
        // The definition before the savepoint: rolling back to it must not undo the function (nor the session's
        // temporary schema, created with it), which the connection is then taken to have.
        const statements = [
          ...(known ? [] : [defineEachFunction(name, sql, types)]),
          ...(savepoint ? [`SAVEPOINT ${savepointName(savepoint)}`] : []),
          callEachFunction(name, paramsList),
          ...(trailing ? [trailing.text] : []),
        ]
        try {
          const all = results(await simple(statements.join(';\n')))
          if (!known) definedHere.push(name)
          const runs = all.at(trailing ? -2 : -1)?.rows ?? []
          return {
            runs: runs.map((row) => row.r as EachRows[number]),
            after: trailing ? (all.at(-1)?.rows ?? []) : [],
          }
        } catch (error) {
          if (SESSION_FUNCTION_GONE.has((error as { code?: string }).code ?? '')) each.on = false
          throw error
        }
      }
      const tx: Transaction = {
        async query(sql, params) {
          if (begun && pending.length === 0) return inner.query(sql, params)
          if (params?.length) {
            await flush()
            return inner.query(sql, params)
          }
          return lastResult(await simple(sql)) as never
        },
        async exec(sql) {
          await flush()
          await inner.exec(sql)
        },
        defer(sql, params) {
          pending.push(riding(sql, params))
        },
        ...(preparing.on && each.on ? { queryEach } : {}),
      }
      try {
        const result = await fn(tx)
        if (begun || pending.length > 0) await client.query([...(await before()), 'COMMIT'].join(';\n'))
        if (definedHere.length > 0) {
          const defined = each.defined.get(client) ?? new Set<string>()
          for (const name of definedHere) defined.add(name)
          each.defined.set(client, defined)
        }
        return result
      } catch (error) {
        if (begun) await client.query('ROLLBACK').catch(() => {})
        // An EXECUTE whose statement this server session lacks (or a PREPARE it already has): a pooler between, or a
        // `DISCARD ALL`. Deferred statements are inlined from then on, as the others stop being prepared.
        if (POOLED_PREPARE.has((error as { code?: string }).code ?? '')) {
          preparing.on = false
          each.executable.delete(client)
        }
        throw error
      } finally {
        client.removeListener('error', onError)
        // A broken connection is discarded, not returned to the pool.
        client.release(broken)
      }
    },
    async listen(channel, onPayload, hooks = {}) {
      const quoted = `"${channel.replace(/"/g, '')}"`
      let current: PoolClient | undefined
      let stopped = false
      let lostAt: Date | undefined
      let retry: ReturnType<typeof setTimeout> | undefined
      // One connection held for LISTEN; when it dies (server restart, pg_terminate_backend, network) it is
      // replaced, with backoff, and the channel listened to again: notifications are never silently lost for good.
      const attach = async (): Promise<void> => {
        const client = await (await open()).connect()
        client.on('notification', (message) => {
          if (message.channel === channel && message.payload !== undefined) onPayload(message.payload)
        })
        const onLost = (error?: unknown) => lose(client, error ?? new Error('LISTEN connection ended'))
        client.on('error', onLost)
        client.on('end', () => onLost())
        try {
          await client.query(`LISTEN ${quoted}`)
        } catch (error) {
          client.release(error as Error)
          throw error
        }
        if (stopped) {
          client.release()
          return
        }
        current = client
        listeners.add(client)
      }
      const lose = (client: PoolClient, error: unknown) => {
        if (current !== client) return
        current = undefined
        listeners.delete(client)
        try {
          client.release(error instanceof Error ? error : new Error(String(error)))
        } catch {}
        lostAt ??= new Date()
        hooks.lost?.(error)
        reattach(0)
      }
      const reattach = (attempt: number) => {
        if (stopped) return
        retry = setTimeout(
          () => {
            retry = undefined
            attach().then(
              () => {
                if (stopped || !lostAt) return
                const since = lostAt
                lostAt = undefined
                hooks.resubscribed?.(since)
              },
              () => reattach(attempt + 1),
            )
          },
          Math.min(5000, 100 * 2 ** attempt),
        )
        ;(retry as { unref?: () => void }).unref?.()
      }
      await attach()
      const stop = async () => {
        if (stopped) return
        stopped = true
        stoppers.delete(stop)
        if (retry) clearTimeout(retry)
        const client = current
        current = undefined
        if (!client || !listeners.delete(client)) return
        await client.query(`UNLISTEN ${quoted}`).catch(() => {})
        client.release()
      }
      stoppers.add(stop)
      return stop
    },
    async notify(channel, payload) {
      await (await open()).query('SELECT pg_notify($1, $2)', [channel, payload])
    },
    async close() {
      for (const stop of [...stoppers]) await stop().catch(() => {})
      for (const client of listeners) client.release()
      listeners.clear()
      if (pool && ownsPool) await (await pool).end()
      pool = undefined
    },
  }
  return createSqlStore(driver, options)
}
