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

/** `snake_case` → `camelCase`, as a type (`api_key_sid` → `apiKeySid`). */
export type Camel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<Camel<Tail>>}`
  : S

/** Per-column conversions of {@link camelColumns}: a column's value in, the field's value out. */
export type ColumnConversions<R, C extends keyof R> = { [K in C]?: (value: R[K]) => unknown }

/** The object {@link camelColumns} makes of `columns` of a row of type `R`. */
export type CamelColumns<R, C extends keyof R & string, V> = {
  [K in C as Camel<K>]: K extends keyof V ? (V[K] extends (value: never) => infer O ? O : R[K]) : R[K]
}

const camelNames = new Map<string, string>()

/** A column name in `camelCase` (`api_key_sid` → `apiKeySid`). */
export function camel<S extends string>(column: S): Camel<S> {
  let name = camelNames.get(column)
  if (name === undefined) {
    name = column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
    camelNames.set(column, name)
  }
  return name as Camel<S>
}

/**
 * The fields of a row: each of `columns`, in that order, under its `camelCase` name, passed through its
 * conversion in `convert` when it has one (timestamps, JSON, numbers); other columns of the row are left out.
 * @example camelColumns(row, ['id', 'created_at'], { created_at: iso }) // { id, createdAt: '2024-…Z' }
 */
export function camelColumns<
  R,
  const C extends readonly (keyof R & string)[],
  const V extends ColumnConversions<R, C[number]> = Record<never, never>,
>(row: R, columns: C, convert?: V): CamelColumns<R, C[number], V> {
  const out: Record<string, unknown> = {}
  const conversions = (convert ?? {}) as Record<string, ((value: unknown) => unknown) | undefined>
  for (const column of columns) {
    const value = row[column]
    const conversion = conversions[column]
    out[camel(column)] = conversion ? conversion(value) : value
  }
  return out as CamelColumns<R, C[number], V>
}

/**
 * The query parameters of `columns` (`$1…` in that order) from an object's `camelCase` fields, each passed
 * through its conversion in `convert` when it has one (`JSON.stringify` for `jsonb` columns).
 */
export function columnValues<const C extends readonly string[]>(
  record: { [K in C[number] as Camel<K>]: unknown },
  columns: C,
  convert: { [K in C[number]]?: (value: never) => unknown } = {},
): unknown[] {
  const fields = record as Record<string, unknown>
  const conversions = convert as Record<string, ((value: unknown) => unknown) | undefined>
  return columns.map((column) => {
    const value = fields[camel(column)]
    const conversion = conversions[column]
    return conversion ? conversion(value) : value
  })
}

/** Options of {@link upsertSql}. */
export interface UpsertOptions {
  /** The unique column(s) of `ON CONFLICT (…)`. */
  conflict: string
  /** Columns an update leaves as they are; every other column is set to its `EXCLUDED` value. */
  keep?: readonly string[]
  /** Columns whose parameter is cast `::jsonb`. */
  jsonb?: readonly string[]
  /** Further assignments of the update, after the copied columns (`updated_at = now()`). */
  set?: readonly string[]
  /** What the statement returns (`*`, a column list); nothing by default. */
  returning?: string
}

/**
 * `INSERT INTO table (columns) VALUES ($1, …) ON CONFLICT (conflict) DO UPDATE SET column = EXCLUDED.column, …`
 * for a row whose parameters are `columns` in order (see {@link columnValues}).
 */
export function upsertSql(table: string, columns: readonly string[], options: UpsertOptions): string {
  const keep = new Set(options.keep ?? [])
  const jsonb = new Set(options.jsonb ?? [])
  const values = columns.map((c, i) => `$${i + 1}${jsonb.has(c) ? '::jsonb' : ''}`)
  const set = [
    ...columns.filter((c) => !keep.has(c)).map((c) => `${c} = EXCLUDED.${c}`),
    ...(options.set ?? []),
  ]
  const returning = options.returning ? ` RETURNING ${options.returning}` : ''
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values.join(', ')})
  ON CONFLICT (${options.conflict}) DO UPDATE SET ${set.join(', ')}${returning}`
}
