import { z } from 'zod'
import { callRecordSchema, connectionSchema, createCallRequestSchema, e164Schema } from './calls'

const accountSid = z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be an Account SID starting with AC')
const apiKeySid = z.string().regex(/^SK[0-9a-fA-F]{32}$/, 'must be an API Key SID starting with SK')
const appSid = z.string().regex(/^AP[0-9a-fA-F]{32}$/, 'must be a TwiML App SID starting with AP')
const authToken = z.string().min(16).max(128)

/** `PUT /twilio/voice` body: Programmable Voice settings entered by hand. */
export const twilioVoiceConfigRequestSchema = z.object({
  accountSid,
  apiKeySid,
  apiKeySecret: z.string().min(16).max(128),
  /** Signs Twilio's webhooks; needed to verify `X-Twilio-Signature`. */
  authToken,
  twimlAppSid: appSid,
  callerId: e164Schema.optional(),
})
/** `PUT /twilio/voice` body. */
export type TwilioVoiceConfigRequest = z.infer<typeof twilioVoiceConfigRequestSchema>

/** `POST /twilio/voice/auto-configure` body: account credentials; the API key and TwiML app are created. */
export const twilioVoiceAutoConfigureRequestSchema = z.object({
  accountSid,
  authToken,
  callerId: e164Schema.optional(),
  /** Numbers of the account whose inbound calls should ring the browsers (their voice app is set to the TwiML app). */
  inboundNumbers: z.array(e164Schema).max(50).optional(),
})
/** `POST /twilio/voice/auto-configure` body. */
export type TwilioVoiceAutoConfigureRequest = z.infer<typeof twilioVoiceAutoConfigureRequestSchema>

/** `GET /twilio/voice` response: what is configured, secrets never included. */
export const twilioVoiceStatusSchema = z.object({
  configured: z.boolean(),
  hasTwimlApp: z.boolean(),
  /** How the settings came: auto-configured, entered by hand, or the server's `TWILIO_*` environment (single tenant). */
  setupMethod: z.enum(['auto', 'manual', 'env']).nullable(),
  accountSid: z.string().nullable(),
  apiKeySid: z.string().nullable(),
  twimlAppSid: z.string().nullable(),
  callerId: z.string().nullable(),
  /** The URLs the TwiML app must point at (voice and status callback). */
  webhooks: z
    .object({ voiceUrl: z.string(), statusCallbackUrl: z.string(), fallbackUrl: z.string().optional() })
    .nullable(),
  updatedAt: z.string().nullable(),
})
/** `GET /twilio/voice` response. */
export type TwilioVoiceStatus = z.infer<typeof twilioVoiceStatusSchema>

/** `POST /token` body for the Twilio transport: a Voice access token for the signed-in user. */
export const twilioVoiceTokenRequestSchema = z.object({
  transport: z.literal('twilio'),
  /** Seconds; clamped to Twilio's maximum of 24 h. Default 1 h. */
  ttl: z.number().int().min(1).optional(),
})
/** `POST /token` body for the Twilio transport. */
export type TwilioVoiceTokenRequest = z.infer<typeof twilioVoiceTokenRequestSchema>

/** `POST /token` response for the Twilio transport. */
export const twilioVoiceTokenResponseSchema = z.object({
  transport: z.literal('twilio'),
  token: z.string(),
  /** The Twilio client identity (`<tenant>:<user>` escaped into `[A-Za-z0-9_]`). */
  identity: z.string(),
  ttl: z.number().int(),
  expiresAt: z.string(),
})
/** `POST /token` response for the Twilio transport. */
export type TwilioVoiceTokenResponse = z.infer<typeof twilioVoiceTokenResponseSchema>

/** What the browser does with a Twilio Voice call: place it (`dial`) or accept the ringing invite (`accept`). */
export const twilioVoiceLegSchema = z.object({
  action: z.enum(['dial', 'accept']),
  callId: z.string(),
  /** Parameters for `Device.connect({ params })` (dial), matched by the TwiML webhook. */
  params: z.record(z.string(), z.string()),
})
/** What the browser does with a Twilio Voice call. */
export type TwilioVoiceLeg = z.infer<typeof twilioVoiceLegSchema>

/** `POST /twilio/voice/calls` and `/twilio/voice/calls/:id/answer` response. */
export const twilioVoiceCallResponseSchema = z.object({
  call: callRecordSchema,
  connection: connectionSchema,
  twilio: twilioVoiceLegSchema,
})
/** `POST /twilio/voice/calls` and `/twilio/voice/calls/:id/answer` response. */
export type TwilioVoiceCallResponse = z.infer<typeof twilioVoiceCallResponseSchema>

/**
 * `POST /twilio/voice/calls` body with `initiate: 'server'`: the server places the call through Twilio's REST Calls
 * API, ringing the caller's browser (`client:<tenant>:<user>`) first and dialling `to` once they answer.
 */
export const twilioVoiceServerCallRequestSchema = createCallRequestSchema.extend({
  initiate: z.literal('server'),
  /** Seconds the browser rings before Twilio gives up (default 30, 5–600). */
  timeout: z.number().int().min(5).max(600).optional(),
})
/** `POST /twilio/voice/calls` body with `initiate: 'server'`. */
export type TwilioVoiceServerCallRequest = z.infer<typeof twilioVoiceServerCallRequestSchema>

/** `POST /twilio/voice/calls` response with `initiate: 'server'`: the record and Twilio's call (`CA…`, `queued`). */
export const twilioVoiceServerCallResponseSchema = z.object({
  call: callRecordSchema,
  twilio: z.object({ callSid: z.string(), status: z.string() }),
})
/** `POST /twilio/voice/calls` response with `initiate: 'server'`. */
export type TwilioVoiceServerCallResponse = z.infer<typeof twilioVoiceServerCallResponseSchema>
