import {
  type CallRecord,
  type CreateCallRequest,
  createCallRequestSchema,
  type DeclineCallRequest,
  declineCallRequestSchema,
  type TwilioVoiceAutoConfigureRequest,
  type TwilioVoiceCallResponse,
  type TwilioVoiceConfigRequest,
  type TwilioVoiceStatus,
  type TwilioVoiceTokenRequest,
  type TwilioVoiceTokenResponse,
  twilioVoiceAutoConfigureRequestSchema,
  twilioVoiceConfigRequestSchema,
  twilioVoiceTokenRequestSchema,
} from '@ringline/core/protocol'
import { HttpError } from '../http/errors'
import { parse } from '../http/validate'
import type { Principal } from '../types'
import type { TwilioVoice } from './twilioVoice'

/** Twilio Voice operations as plain functions (the `/twilio/voice` routes, its token and its webhooks). */
export interface TwilioVoiceApi {
  /** What is configured (no secrets), with webhook URLs derived from `request` (`GET /twilio/voice`). */
  twilioVoiceStatus(principal: Principal, request: Request): Promise<TwilioVoiceStatus>
  /** Stores Twilio Voice settings entered by hand after checking them; admins (`PUT /twilio/voice`). */
  saveTwilioVoice(
    principal: Principal,
    body: TwilioVoiceConfigRequest,
    request: Request,
  ): Promise<TwilioVoiceStatus>
  /** Forgets the tenant's Twilio Voice settings (`DELETE /twilio/voice`). */
  deleteTwilioVoice(principal: Principal): Promise<{ deleted: boolean }>
  /** Creates the API key and TwiML app from account credentials; admins (`POST /twilio/voice/auto-configure`). */
  autoConfigureTwilioVoice(
    principal: Principal,
    body: TwilioVoiceAutoConfigureRequest,
    request: Request,
  ): Promise<TwilioVoiceStatus>
  /** A Twilio Voice access token for the principal's browser `Device` (`POST /token` `{ transport: 'twilio' }`). */
  createTwilioVoiceToken(
    principal: Principal,
    body: TwilioVoiceTokenRequest,
  ): Promise<TwilioVoiceTokenResponse>
  /** Records and guards an outbound Twilio Voice call (`POST /twilio/voice/calls`). */
  createTwilioVoiceCall(principal: Principal, body: CreateCallRequest): Promise<TwilioVoiceCallResponse>
  /** Atomic claim of a ringing inbound Twilio Voice call (`POST /twilio/voice/calls/:id/answer`). */
  answerTwilioVoiceCall(principal: Principal, id: string): Promise<TwilioVoiceCallResponse>
  /** Declines (or, with `reject`, rejects) a ringing Twilio Voice call (`POST /twilio/voice/calls/:id/decline`). */
  declineTwilioVoiceCall(
    principal: Principal,
    id: string,
    body?: DeclineCallRequest,
  ): Promise<{ call: CallRecord }>
  /** Hangs up a Twilio Voice call (`POST /twilio/voice/calls/:id/hangup`). */
  hangupTwilioVoiceCall(principal: Principal, id: string): Promise<{ call: CallRecord }>
  /** Verified TwiML for browser-placed and inbound calls (`POST /webhooks/twilio/voice`). */
  handleTwilioVoiceWebhook(request: Request, rawBody: string): Promise<Response>
  /** Verified status callbacks and `<Dial action>` requests (`POST /webhooks/twilio/status`). */
  handleTwilioStatusWebhook(request: Request, rawBody: string): Promise<Response>
}

/** Settings writes are for admins; checked before the body so members learn nothing from validation. */
function admin(principal: Principal): Principal {
  if (principal.role !== 'admin')
    throw new HttpError('FORBIDDEN', 'Only workspace admins can change Twilio Voice.')
  return principal
}

/** The Twilio Voice operations over the server's one Twilio Voice service, validating their input. */
export function createTwilioVoiceApi(voice: TwilioVoice): TwilioVoiceApi {
  return {
    twilioVoiceStatus: (principal, request) => voice.status(principal, request),
    saveTwilioVoice: async (principal, body, request) =>
      voice.saveConfig(admin(principal), parse(twilioVoiceConfigRequestSchema, body), request),
    deleteTwilioVoice: (principal) => voice.deleteConfig(principal),
    autoConfigureTwilioVoice: async (principal, body, request) =>
      voice.autoConfigure(admin(principal), parse(twilioVoiceAutoConfigureRequestSchema, body), request),
    createTwilioVoiceToken: async (principal, body) =>
      voice.token(principal, parse(twilioVoiceTokenRequestSchema, body)),
    createTwilioVoiceCall: async (principal, body) =>
      voice.createCall(principal, parse(createCallRequestSchema, body)),
    answerTwilioVoiceCall: (principal, id) => voice.answerCall(principal, id),
    declineTwilioVoiceCall: async (principal, id, body = {}) =>
      voice.declineCall(principal, id, parse(declineCallRequestSchema, body)),
    hangupTwilioVoiceCall: (principal, id) => voice.hangupCall(principal, id),
    handleTwilioVoiceWebhook: (request, rawBody) => voice.handleVoiceWebhook(request, rawBody),
    handleTwilioStatusWebhook: (request, rawBody) => voice.handleStatusWebhook(request, rawBody),
  }
}
