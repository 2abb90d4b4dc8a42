import {
  createCallRequestSchema,
  declineCallRequestSchema,
  listCallsQuerySchema,
  transferCallRequestSchema,
} from '@ringline/core/protocol'
import { defineRoute } from '../http/router'
import { parse } from '../http/validate'
import { createCall, getCallDetail, hangupCall, listCalls, transferCall } from './calls'
import { answerCall, declineCall } from './inbound'

/** Phone-call routes: dial, history, answer, decline, hang up, transfer. */
export const callRoutes = [
  defineRoute({
    method: 'POST',
    path: '/calls',
    status: 201,
    handle: ({ ctx, principal, body }) => createCall(ctx, principal, parse(createCallRequestSchema, body)),
  }),
  defineRoute({
    method: 'GET',
    path: '/calls',
    handle: ({ ctx, principal, query }) => {
      const raw: Record<string, string> = {}
      for (const [k, v] of query) if (!(k in raw)) raw[k] = v
      return listCalls(ctx, principal, parse(listCallsQuerySchema, raw))
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/calls/:id',
    handle: ({ ctx, principal, params }) => getCallDetail(ctx, principal, params.id ?? ''),
  }),
  defineRoute({
    method: 'POST',
    path: '/calls/:id/answer',
    handle: ({ ctx, principal, params }) => answerCall(ctx, principal, params.id ?? ''),
  }),
  defineRoute({
    method: 'POST',
    path: '/calls/:id/decline',
    handle: ({ ctx, principal, params, body }) =>
      declineCall(ctx, principal, params.id ?? '', parse(declineCallRequestSchema, body)),
  }),
  defineRoute({
    method: 'POST',
    path: '/calls/:id/hangup',
    handle: ({ ctx, principal, params }) => hangupCall(ctx, principal, params.id ?? ''),
  }),
  defineRoute({
    method: 'POST',
    path: '/calls/:id/transfer',
    handle: ({ ctx, principal, params, body }) =>
      transferCall(ctx, principal, params.id ?? '', parse(transferCallRequestSchema, body)),
  }),
]
