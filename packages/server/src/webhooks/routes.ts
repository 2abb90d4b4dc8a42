import { defineRoute } from '../http/router'
import { handleLivekitWebhook } from './livekitWebhook'
import { webhookHealth } from './webhookHealth'

/**
 * `POST /webhooks/livekit`: verified against the raw body; 2xx once stored, 5xx when it could not be (LiveKit
 * retries). `GET /webhooks/health`: the tenant's last LiveKit event, for admins.
 */
export const livekitWebhookRoutes = [
  defineRoute({
    method: 'POST',
    path: '/webhooks/livekit',
    auth: 'none',
    body: 'raw',
    handle: ({ ctx, rawBody, request }) =>
      handleLivekitWebhook(ctx, rawBody, request.headers.get('authorization')),
  }),
  defineRoute({
    method: 'GET',
    path: '/webhooks/health',
    handle: ({ ctx, principal }) => webhookHealth(ctx, principal),
  }),
]
