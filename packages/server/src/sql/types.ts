/** Something SQL can run on: the store itself or a transaction. Parameters are `$1, $2, …`. */
export interface Queryable {
  query<T = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<{ rows: T[]; rowCount: number }>
}

/** A transaction: queries plus multi-statement scripts (migrations). */
export interface Transaction extends Queryable {
  /** Runs a script of several statements without parameters. */
  exec(sql: string): Promise<void>
  /**
   * Runs `sql` once per parameter list of `paramsList`, in order, each run seeing the writes of the runs before it,
   * in one round trip, after `SAVEPOINT <options.savepoint>` when one is named, and then the one statement
   * `options.after` in the same trip; returns each run's rows (as JSON values: timestamps as ISO strings) and
   * `after`'s. Only where the driver can do it in one round trip (PostgreSQL); callers run the
   * statements one by one otherwise. `sql` must have no `$` inside its literals.
   */
  queryEach?(sql: string, paramsList: unknown[][], options?: EachOptions): Promise<EachResult>
  /**
   * Queues `sql` (its parameters inlined as literals), whose result nobody reads, to go out in the same round trip as
   * the transaction's next statement or its COMMIT; its error fails that statement or the commit. Only where that
   * saves a round trip (PostgreSQL); callers run it with `query` otherwise. Same `$` rule as `queryEach`.
   */
  defer?(sql: string, params?: unknown[]): void
}

/** The rows of each run of a `queryEach`, in the order of its parameter lists. */
export type EachRows = Array<Array<Record<string, unknown>>>

/** What a `queryEach` runs around its runs: the savepoint before them, one statement after them. */
export interface EachOptions {
  savepoint?: string
  after?: { sql: string; params?: unknown[] }
}

/** A `queryEach`'s results: each run's rows, and the rows of its `after` statement (none without one). */
export interface EachResult {
  runs: EachRows
  after: Array<Record<string, unknown>>
}

/** The low-level connection a store is built on (PGlite or a `pg` pool). */
export interface SqlDriver extends Transaction {
  readonly kind: 'pglite' | 'postgres' | 'memory'
  /** Runs `fn` in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
  /**
   * Cross-process notifications (PostgreSQL `LISTEN`); absent where one process owns the data. A dropped
   * connection is reopened and the channel listened to again (`hooks` hear both), until the returned stop.
   */
  listen?(
    channel: string,
    onPayload: (payload: string) => void,
    hooks?: ListenHooks,
  ): Promise<() => Promise<void>>
  /** Sends a notification (`pg_notify`). */
  notify?(channel: string, payload: string): Promise<void>
  close(): Promise<void>
}

/** Ringline's storage: one SQL implementation over PGlite or PostgreSQL, migrated on first use. */
export interface RinglineStore extends SqlDriver {
  /** Runs pending migrations once; every query waits for it. */
  migrate(): Promise<{ applied: number[] }>
}

/** What a `listen` tells its caller about its connection. */
export interface ListenHooks {
  /** The LISTEN connection was lost; notifications sent from now on are missed until `resubscribed`. */
  lost?(error: unknown): void
  /** Listening again after a loss that began at `lostAt` (this process's clock). */
  resubscribed?(lostAt: Date): void
}
