import { z } from 'zod'
import { TWILIO_ACCOUNT_SID_PATTERN, TWILIO_API_KEY_SID_PATTERN } from './constants'

/** Twilio credentials for bring-your-own-number: an API key of the account (preferred) — never the auth token in logs. */
export const twilioCredentialsRequestSchema = z.object({
  accountSid: z.string().regex(TWILIO_ACCOUNT_SID_PATTERN, 'must be an Account SID starting with AC'),
  apiKeySid: z.string().regex(TWILIO_API_KEY_SID_PATTERN, 'must be an API Key SID starting with SK'),
  apiKeySecret: z.string().min(16).max(128),
})
/** Twilio credentials body. */
export type TwilioCredentialsRequest = z.infer<typeof twilioCredentialsRequestSchema>

/** Stored integration, secret masked. */
export const twilioIntegrationSchema = z.object({
  accountSid: z.string(),
  apiKeySid: z.string(),
  apiKeySecretMasked: z.string(),
  status: z.enum(['verified', 'saved', 'invalid']),
  updatedAt: z.string(),
})
/** Stored integration, secret masked. */
export type TwilioIntegration = z.infer<typeof twilioIntegrationSchema>

/** A number of the tenant's Twilio account. */
export const twilioNumberSchema = z.object({
  sid: z.string(),
  e164: z.string(),
  friendlyName: z.string(),
  voiceCapable: z.boolean(),
  trunkSid: z.string().nullable(),
  connected: z.boolean(),
})
/** A number of the tenant's Twilio account. */
export type TwilioNumber = z.infer<typeof twilioNumberSchema>

/** `GET /twilio/numbers` response. */
export const listTwilioNumbersResponseSchema = z.object({ numbers: z.array(twilioNumberSchema) })

/** `POST /twilio/numbers/:sid/connect` body. */
export const connectNumberRequestSchema = z.object({
  force: z.boolean().optional(),
  trunkStrategy: z.enum(['shared', 'dedicated']).optional(),
  routing: z
    .object({ policy: z.enum(['ring-all', 'ring-user']), users: z.array(z.string()).optional() })
    .optional(),
})
/** `POST /twilio/numbers/:sid/connect` body. */
export type ConnectNumberRequest = z.infer<typeof connectNumberRequestSchema>

/** One step of connecting a number, reported as it goes. */
export const connectStepSchema = z.object({
  step: z.enum([
    'trunk',
    'origination-url',
    'phone-number',
    'credential-list',
    'livekit-inbound-trunk',
    'livekit-dispatch-rule',
    'livekit-outbound-trunk',
  ]),
  status: z.enum(['created', 'reused', 'updated', 'failed', 'skipped']),
  sid: z.string().nullable(),
})
/** Connection status of a number: stored state vs Twilio's, drift called out. */
export const numberConnectionSchema = z.object({
  phoneNumberSid: z.string(),
  e164: z.string(),
  status: z.enum(['connected', 'disconnected', 'partial', 'drift']),
  trunkSid: z.string().nullable(),
  sipTarget: z.string().nullable(),
  steps: z.array(connectStepSchema),
  drift: z.array(z.string()),
  progress: z.number().int().min(0).max(100),
})
/** Connection status of a number. */
export type NumberConnection = z.infer<typeof numberConnectionSchema>

/** `POST /twilio/credentials/verify` response: the integration as it would be stored (masked), plus what the probe found. */
export const verifyTwilioCredentialsResponseSchema = twilioIntegrationSchema.extend({
  ok: z.literal(true),
  status: z.literal('verified'),
  /** False when the account answers but Elastic SIP Trunking is off (connecting would fail with TRUNKING_NOT_ENABLED). */
  trunkingEnabled: z.boolean(),
})
/** `POST /twilio/credentials/verify` response. */
export type VerifyTwilioCredentialsResponse = z.infer<typeof verifyTwilioCredentialsResponseSchema>

/** `GET /twilio/credentials` response: the stored integration, masked, or null when none is saved. */
export const twilioCredentialsStatusSchema = z.object({ integration: twilioIntegrationSchema.nullable() })
/** `GET /twilio/credentials` response. */
export type TwilioCredentialsStatus = z.infer<typeof twilioCredentialsStatusSchema>

/** `DELETE /twilio/credentials` response. */
export const deleteTwilioCredentialsResponseSchema = z.object({ deleted: z.boolean() })
