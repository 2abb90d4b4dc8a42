// Row helpers: PGlite and node-postgres return timestamps and JSON columns in different shapes.

/** A timestamp column as a `Date` (drivers give a `Date` or an ISO string). */
export function date(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value)
}

/** A timestamp column as an ISO 8601 string. */
export function iso(value: Date | string): string {
  return date(value).toISOString()
}

/** A nullable timestamp column as an ISO 8601 string or null. */
export function isoOrNull(value: Date | string | null): string | null {
  return value === null ? null : iso(value)
}

/** A JSON column as its value (drivers give the parsed value, or its text for `json` casts). */
export function json<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value
}
