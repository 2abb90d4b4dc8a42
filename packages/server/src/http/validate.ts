import type { z } from 'zod'
import { HttpError } from './errors'

/** Parses `value` with a zod schema, or throws 400 `INVALID_REQUEST` naming the first bad field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.')
  const field = path === '' ? undefined : path
  const message = issue?.message ?? 'Invalid value'
  throw new HttpError('INVALID_REQUEST', field ? `${field}: ${message}` : message, field ? { field } : {})
}
