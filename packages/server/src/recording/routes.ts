import { paramRoute } from '../http/paramRoute'
import { defineRoute } from '../http/router'
import { recordingPlayback, startRecording, stopRecording } from './recordingOperations'

/** Recording routes of a call: start, stop, play back. */
export const recordingRoutes = [
  paramRoute('POST', '/calls/:id/recording', startRecording),
  paramRoute('DELETE', '/calls/:id/recording', stopRecording),
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
