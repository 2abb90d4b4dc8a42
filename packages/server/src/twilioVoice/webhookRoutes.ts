import { defineRoute, type Route } from '../http/router'
import type { TwilioVoice } from './twilioVoice'

/** Twilio Voice webhooks: TwiML for calls and status callbacks, each verified with X-Twilio-Signature. */
export function twilioWebhookRoutes(voice: TwilioVoice): Route[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/webhooks/twilio/voice',
      auth: 'none',
      body: 'raw',
      handle: ({ request, rawBody }) => voice.handleVoiceWebhook(request, rawBody),
    }),
    defineRoute({
      method: 'POST',
      path: '/webhooks/twilio/status',
      auth: 'none',
      body: 'raw',
      handle: ({ request, rawBody }) => voice.handleStatusWebhook(request, rawBody),
    }),
  ]
}
