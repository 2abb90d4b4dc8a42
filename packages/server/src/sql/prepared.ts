import type { Transaction } from './types'

/** Statement names of the texts `preparable` registered. */
const names = new Map<string, string>()

/**
 * Marks a hot statement's text as worth preparing: `postgresStore` then runs it as a named prepared statement
 * (parsed and planned once per connection, not on every run). Only for statements whose result columns cannot
 * change when a migration adds a column (no `*`), since PostgreSQL refuses to run a prepared statement whose result
 * type changed. Returns `sql` itself.
 */
export function preparable(sql: string): string {
  if (!names.has(sql)) names.set(sql, `ringline_${names.size + 1}`)
  return sql
}

/** The prepared-statement name of `sql` when `preparable` marked it, else `undefined`. */
export function preparedName(sql: string): string | undefined {
  return names.get(sql)
}

/**
 * `value` as an SQL string literal (quotes and backslashes escaped, `E'…'` when it has a backslash, as `pg`'s
 * `escapeLiteral`), for a statement that must carry no parameters (see `postgresStore`'s transactions).
 */
export function quoteLiteral(value: string): string {
  const quoted = `'${value.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`
  return value.includes('\\') ? ` E${quoted}` : quoted
}

/**
 * Runs `sql`, whose result nobody reads, in `q`'s next round trip when `q` can defer it (`Transaction.defer`), else
 * now.
 */
export async function deferOrQuery(
  q: Pick<Transaction, 'query' | 'defer'>,
  sql: string,
  params?: unknown[],
): Promise<void> {
  if (q.defer) q.defer(sql, params)
  else await q.query(sql, params)
}
