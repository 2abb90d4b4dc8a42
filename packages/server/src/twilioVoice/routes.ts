import {
  createCallRequestSchema,
  declineCallRequestSchema,
  twilioVoiceAutoConfigureRequestSchema,
  twilioVoiceConfigRequestSchema,
  twilioVoiceTokenRequestSchema,
} from '@ringline/core/protocol'
import { HttpError } from '../http/errors'
import { defineRoute, type Route } from '../http/router'
import { parse } from '../http/validate'
import type { Principal } from '../types'
import type { TwilioVoice } from './twilioVoice'

/** Settings writes are for admins; checked before the body so members learn nothing from validation. */
function admin(principal: Principal): Principal {
  if (principal.role !== 'admin')
    throw new HttpError('FORBIDDEN', 'Only workspace admins can change Twilio Voice.')
  return principal
}

/** Twilio Voice routes: settings (admins change them), auto-configuration and call control for the browser `Device`. */
export function twilioVoiceRoutes(voice: TwilioVoice): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/twilio/voice',
      handle: ({ principal, request }) => voice.status(principal, request),
    }),
    defineRoute({
      method: 'PUT',
      path: '/twilio/voice',
      handle: ({ principal, body, request }) =>
        voice.saveConfig(admin(principal), parse(twilioVoiceConfigRequestSchema, body), request),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/twilio/voice',
      handle: ({ principal }) => voice.deleteConfig(principal),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/voice/auto-configure',
      handle: ({ principal, body, request }) =>
        voice.autoConfigure(admin(principal), parse(twilioVoiceAutoConfigureRequestSchema, body), request),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/voice/calls',
      status: 201,
      handle: ({ principal, body }) => voice.createCall(principal, parse(createCallRequestSchema, body)),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/voice/calls/:id/answer',
      handle: ({ principal, params }) => voice.answerCall(principal, params.id ?? ''),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/voice/calls/:id/decline',
      handle: ({ principal, params, body }) =>
        voice.declineCall(principal, params.id ?? '', parse(declineCallRequestSchema, body)),
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/voice/calls/:id/hangup',
      handle: ({ principal, params }) => voice.hangupCall(principal, params.id ?? ''),
    }),
  ]
}

/** Wraps the `POST /token` route of a table so `{ transport: 'twilio' }` gets a Twilio Voice access token. */
export function withTwilioVoiceToken(voice: TwilioVoice, routes: Route[]): Route[] {
  return routes.map((route) =>
    route.method === 'POST' && route.path === '/token'
      ? defineRoute({
          ...route,
          handle(c) {
            const transport = (c.body as { transport?: unknown } | null)?.transport
            if (transport !== 'twilio') return route.handle(c)
            return voice.token(c.principal, parse(twilioVoiceTokenRequestSchema, c.body))
          },
        })
      : route,
  )
}
