import type { z } from 'zod'
import type { RinglineContext } from '../context'
import type { Principal } from '../types'
import { defineRoute, type Route } from './router'
import { parse } from './validate'

/** An operation on the one `:param` of a route's path (a call id, a room name). */
type ParamOp = (ctx: RinglineContext, principal: Principal, param: string) => Promise<unknown>
/** The same, taking the route's JSON body as parsed by its schema. */
type ParamBodyOp<B> = (ctx: RinglineContext, principal: Principal, param: string, body: B) => Promise<unknown>

/**
 * A route whose path has one `:param` (`/calls/:id/hangup`) and whose handler is `op(ctx, principal, param)`;
 * with `schema`, `op(ctx, principal, param, body)` with the body parsed by it (400 `INVALID_REQUEST` naming the
 * field otherwise). A missing parameter is passed as `''`.
 */
export function paramRoute(method: Route['method'], path: string, op: ParamOp): Route
export function paramRoute<S extends z.ZodType>(
  method: Route['method'],
  path: string,
  op: ParamBodyOp<z.output<S>>,
  schema: S,
): Route
export function paramRoute(
  method: Route['method'],
  path: string,
  op: ParamBodyOp<unknown>,
  schema?: z.ZodType,
): Route {
  const names = path.split('/').filter((segment) => segment.startsWith(':'))
  const name = names.length === 1 ? names[0]?.slice(1) : undefined
  if (!name) throw new Error(`paramRoute: ${path} must have exactly one :param`)
  return defineRoute({
    method,
    path,
    handle: schema
      ? ({ ctx, principal, params, body }) => op(ctx, principal, params[name] ?? '', parse(schema, body))
      : ({ ctx, principal, params }) => (op as ParamOp)(ctx, principal, params[name] ?? ''),
  })
}
