import { defineRoute } from '../http/router'
import { recordingPlayback, startRecording, stopRecording } from './recordingOperations'

/** Recording routes of a call: start, stop, play back. */
export const recordingRoutes = [
  defineRoute({
    method: 'POST',
    path: '/calls/:id/recording',
    handle: ({ ctx, principal, params }) => startRecording(ctx, principal, params.id ?? ''),
  }),
  defineRoute({
    method: 'DELETE',
    path: '/calls/:id/recording',
    handle: ({ ctx, principal, params }) => stopRecording(ctx, principal, params.id ?? ''),
  }),
  defineRoute({
    method: 'GET',
    path: '/calls/:id/recording',
    // A 302 to a short-lived signed URL, so `<audio src>` works; `?format=json` returns the link instead.
    handle: async ({ ctx, principal, params, query, headers }) => {
      const playback = await recordingPlayback(ctx, principal, params.id ?? '')
      if (query.get('format') === 'json') return playback
      headers.set('location', playback.url)
      return new Response(null, { status: 302, headers })
    },
  }),
]
