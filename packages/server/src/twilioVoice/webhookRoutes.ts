import { defineRoute, type Route } from '../http/router'
import type { TwilioVoiceApi } from './twilioVoice'

/** Twilio Voice webhooks: TwiML for calls and status callbacks, each verified with X-Twilio-Signature. */
export function twilioWebhookRoutes(voice: TwilioVoiceApi): Route[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/webhooks/twilio/voice',
      auth: 'none',
      body: 'raw',
      handle: ({ request, rawBody }) => voice.handleTwilioVoiceWebhook(request, rawBody),
    }),
    defineRoute({
      method: 'POST',
      path: '/webhooks/twilio/status',
      auth: 'none',
      body: 'raw',
      handle: ({ request, rawBody }) => voice.handleTwilioStatusWebhook(request, rawBody),
    }),
    defineRoute({
      method: 'POST',
      path: '/webhooks/twilio/fallback',
      auth: 'none',
      body: 'raw',
      handle: ({ request, rawBody }) => voice.handleTwilioFallbackWebhook(request, rawBody),
    }),
  ]
}
