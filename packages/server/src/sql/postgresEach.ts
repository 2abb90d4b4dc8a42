// `queryEach` on PostgreSQL: one statement run once per parameter list, in order, in one round trip, through a
// PL/pgSQL function of the session (`pg_temp`) that loops over the lists. node-postgres sends one statement at a time
// (no pipelining), so a batch of N webhooks would otherwise cost N round trips.
import { createHash } from 'node:crypto'
import { quoteLiteral } from './prepared'

/** `prefix` and a hash of `sql`: a name that can only ever stand for this statement text. */
function textName(prefix: string, sql: string): string {
  return `${prefix}${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`
}

/** The session function running `sql` for each parameter list (`pg_temp.<name>`). */
export function eachFunctionName(sql: string): string {
  return textName('ringline_each_', sql)
}

const executableNames = new Map<string, string>()

/**
 * The name `sql` is `PREPARE`d under for `EXECUTE`: from its text, so that a server session another process
 * prepared it in (a pooler between) can only hold this very statement under it, never another one.
 */
export function executableName(sql: string): string {
  let name = executableNames.get(sql)
  if (name === undefined) {
    name = textName('ringline_x_', sql)
    executableNames.set(sql, name)
  }
  return name
}

/**
 * The statements reading `sql`'s parameter types as the server infers them (`PREPARE`, then
 * `pg_prepared_statements`); no parameters, so they go out as one simple query. The last result's one row has `types`.
 */
export function paramTypesQuery(sql: string): string {
  return `PREPARE ringline_each_types AS ${sql};
SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = 'ringline_each_types';
DEALLOCATE ringline_each_types`
}

const TYPE_NAME = /^[a-z_][a-z0-9_ ."]*(\[\])*$/i

/**
 * `CREATE FUNCTION pg_temp.<name>(ringline_batch jsonb)`: for each element of the batch (a JSON array of parameter lists, each
 * value text or null), runs `sql` with `$n` the n-th value cast to `types[n - 1]`, and returns that run's rows as
 * one JSON array. PL/pgSQL plans the statement once per session and runs each iteration after the previous one,
 * so each sees the writes of the runs before it, exactly as separate statements in the transaction would.
 */
export function defineEachFunction(name: string, sql: string, types: string[]): string {
  if (sql.includes('$ringline_each$')) throw new Error('queryEach: the statement uses the function quote')
  const body = sql.replace(/\$(\d+)/g, (_, digits: string) => {
    const n = Number(digits)
    const type = types[n - 1]
    if (!type || !TYPE_NAME.test(type)) throw new Error(`queryEach: no usable type for $${n} (${type})`)
    return `(ringline_params->>${n - 1})::${type}`
  })
  return `CREATE OR REPLACE FUNCTION pg_temp.${name}(ringline_batch jsonb) RETURNS SETOF jsonb LANGUAGE plpgsql AS $ringline_each$
DECLARE ringline_params jsonb; ringline_row record; ringline_rows jsonb;
BEGIN
  FOR ringline_params IN SELECT value FROM jsonb_array_elements(ringline_batch) LOOP
    ringline_rows := '[]'::jsonb;
    FOR ringline_row IN ${body} LOOP
      ringline_rows := ringline_rows || jsonb_build_array(to_jsonb(ringline_row));
    END LOOP;
    RETURN NEXT ringline_rows;
  END LOOP;
END $ringline_each$`
}

/** A parameter as the text PostgreSQL parses into its type (as `pg` sends it), or null. */
function encodeParam(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  if (Array.isArray(value) || value instanceof Uint8Array)
    throw new TypeError('ringline: array and binary parameters cannot be inlined (queryEach, defer)')
  return JSON.stringify(value)
}

/** The call of the session function on `paramsList`, its runs' rows in order (one row each: `r`). */
export function callEachFunction(name: string, paramsList: unknown[][]): string {
  const batch = JSON.stringify(paramsList.map((params) => params.map(encodeParam)))
  return `SELECT r FROM pg_temp.${name}(${quoteLiteral(batch)}::jsonb) WITH ORDINALITY AS each_run(r, i) ORDER BY i`
}

/**
 * `sql` with each `$n` replaced by parameter n as a quoted literal (or NULL): like an unspecified-type parameter,
 * a quoted literal takes the type its context gives it.
 */
export function inlineParams(sql: string, params: unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, digits: string) => {
    const n = Number(digits)
    if (n < 1 || n > params.length) throw new Error(`inlineParams: no parameter $${n}`)
    return paramLiteral(params[n - 1])
  })
}

/** A parameter as a quoted literal (or NULL), taking the type its place gives it as a parameter would. */
export function paramLiteral(value: unknown): string {
  const text = encodeParam(value)
  return text === null ? 'NULL' : quoteLiteral(text)
}

/** A savepoint's name, checked (it is inlined). */
export function savepointName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`queryEach: invalid savepoint name ${name}`)
  return name
}
