import {
  createCallRequestSchema,
  declineCallRequestSchema,
  listCallsQuerySchema,
  reportMuteRequestSchema,
  startConsultRequestSchema,
  transferCallRequestSchema,
} from '@ringline/core/protocol'
import { paramRoute } from '../http/paramRoute'
import { defineRoute } from '../http/router'
import { parse } from '../http/validate'
import { releaseAnswer } from './answerRelease'
import { createCall, getCallDetail, getCallDetailByRoom, hangupCall, listCalls, transferCall } from './calls'
import { answerConsult, cancelConsult, completeConsult, joinTransferredCall, startConsult } from './consult'
import { answerCall, declineCall } from './inbound'
import { reportMute } from './mute'

/** Phone-call routes: dial, history, answer, decline, hang up, mute reports, transfer (blind, and warm through a consult). */
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
  // Before `/calls/:id/…`: a room named `recording` or `transcript` must not reach those routes.
  paramRoute('GET', '/calls/by-room/:roomName', getCallDetailByRoom),
  paramRoute('GET', '/calls/:id', getCallDetail),
  paramRoute('POST', '/calls/:id/answer', answerCall),
  paramRoute('POST', '/calls/:id/decline', declineCall, declineCallRequestSchema),
  paramRoute('POST', '/calls/:id/release', releaseAnswer),
  paramRoute('POST', '/calls/:id/hangup', hangupCall),
  paramRoute('POST', '/calls/:id/mute', reportMute, reportMuteRequestSchema),
  paramRoute('POST', '/calls/:id/transfer', transferCall, transferCallRequestSchema),
  paramRoute('POST', '/calls/:id/consult', startConsult, startConsultRequestSchema),
  paramRoute('POST', '/calls/:id/consult/answer', answerConsult),
  paramRoute('POST', '/calls/:id/consult/complete', completeConsult),
  paramRoute('POST', '/calls/:id/consult/cancel', cancelConsult),
  paramRoute('POST', '/calls/:id/consult/join', joinTransferredCall),
]
