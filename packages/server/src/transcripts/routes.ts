import { defineRoute } from '../http/router'
import { getTranscript } from './transcriptOperations'

/** The stored transcript of a call. */
export const transcriptRoutes = [
  defineRoute({
    method: 'GET',
    path: '/calls/:id/transcript',
    handle: ({ ctx, principal, params }) => getTranscript(ctx, principal, params.id ?? ''),
  }),
]
