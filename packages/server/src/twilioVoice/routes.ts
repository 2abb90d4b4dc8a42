import type {
  CreateCallRequest,
  DeclineCallRequest,
  TwilioVoiceAutoConfigureRequest,
  TwilioVoiceConfigRequest,
  TwilioVoiceServerCallRequest,
  TwilioVoiceTokenRequest,
} from '@ringline/core/protocol'
import { defineRoute, type Route } from '../http/router'
import { assertNotRevoked } from '../revocation/revocation'
import type { TwilioVoiceApi } from './twilioVoice'

/** Twilio Voice routes: settings (admins change them), auto-configuration and call control for the browser `Device`. */
export function twilioVoiceRoutes(voice: TwilioVoiceApi): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/twilio/voice',
      handle: ({ principal, request }) => voice.twilioVoiceStatus(principal, request),
    }),
    defineRoute({
      method: 'PUT',
      path: '/twilio/voice',
      handle: ({ principal, body, request }) =>
        voice.saveTwilioVoice(principal, body as TwilioVoiceConfigRequest, request),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/twilio/voice',
      handle: ({ principal }) => voice.deleteTwilioVoice(principal),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/voice/auto-configure',
      handle: ({ principal, body, request }) =>
        voice.autoConfigureTwilioVoice(principal, body as TwilioVoiceAutoConfigureRequest, request),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/voice/calls',
      status: 201,
      // `initiate: 'server'` places the call through Twilio's REST API; otherwise the browser places it.
      handle: ({ principal, body, request }) =>
        (body as { initiate?: unknown } | null)?.initiate === undefined
          ? voice.createTwilioVoiceCall(principal, body as CreateCallRequest)
          : voice.startTwilioVoiceServerCall(principal, body as TwilioVoiceServerCallRequest, request),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/voice/calls/:id/answer',
      handle: ({ principal, params }) => voice.answerTwilioVoiceCall(principal, params.id ?? ''),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/voice/calls/:id/decline',
      handle: ({ principal, params, body }) =>
        voice.declineTwilioVoiceCall(principal, params.id ?? '', body as DeclineCallRequest),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/voice/calls/:id/hangup',
      handle: ({ principal, params }) => voice.hangupTwilioVoiceCall(principal, params.id ?? ''),
    }),
  ]
}

/** Wraps the `POST /token` route of a table so `{ transport: 'twilio' }` gets a Twilio Voice access token. */
export function withTwilioVoiceToken(voice: TwilioVoiceApi, routes: Route[]): Route[] {
  return routes.map((route) =>
    route.method === 'POST' && route.path === '/token'
      ? defineRoute({
          ...route,
          async handle(c) {
            const transport = (c.body as { transport?: unknown } | null)?.transport
            if (transport !== 'twilio') return route.handle(c)
            // The wrapped route checks revocation itself (`checksRevocation`), so this branch must too.
            if (route.checksRevocation)
              await assertNotRevoked(c.ctx, c.principal.tenantId, c.principal.userId)
            return voice.createTwilioVoiceToken(c.principal, c.body as TwilioVoiceTokenRequest)
          },
        })
      : route,
  )
}
