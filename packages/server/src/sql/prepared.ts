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
