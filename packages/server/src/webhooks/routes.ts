import { defineRoute } from '../http/router'
import { handleLivekitWebhook } from './livekitWebhook'

/** `POST /webhooks/livekit`: verified against the raw body; 2xx once stored, 5xx when it could not be (LiveKit retries). */
export const livekitWebhookRoutes = [
  defineRoute({
    method: 'POST',
    path: '/webhooks/livekit',
    auth: 'none',
    body: 'raw',
    handle: ({ ctx, rawBody, request }) =>
      handleLivekitWebhook(ctx, rawBody, request.headers.get('authorization')),
  }),
]
