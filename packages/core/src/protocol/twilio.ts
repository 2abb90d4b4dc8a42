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

const agentNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be an agent name')
/** Free-form agent options (voice, prompt, …) sent as the JSON job metadata of the dispatch (at most 16 KiB). */
const agentOptionsSchema = z
  .record(z.string(), z.unknown())
  .refine((o) => JSON.stringify(o).length <= 16_384, 'must be at most 16 KiB as JSON')

/** The agent of a number's routing: none, an agent first, or an agent when nobody answers within `afterSeconds`. */
export const numberAgentRoutingSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }),
  z.object({
    mode: z.literal('agent-first'),
    agentName: agentNameSchema,
    options: agentOptionsSchema.optional(),
  }),
  z.object({
    mode: z.literal('agent-on-no-answer'),
    agentName: agentNameSchema,
    afterSeconds: z.number().int().min(1).max(600),
    options: agentOptionsSchema.optional(),
  }),
])
/** The agent of a number's routing. */
export type NumberAgentRouting = z.infer<typeof numberAgentRoutingSchema>

/** How inbound calls to a number are routed: who rings, which agent joins (with its options), free-form tags. */
export const numberRoutingSchema = z.object({
  policy: z.enum(['ring-all', 'ring-user']),
  users: z.array(z.string()).optional(),
  agent: numberAgentRoutingSchema.optional(),
  tags: z.array(z.string().min(1).max(64)).max(20).optional(),
})
/** How inbound calls to a number are routed. */
export type NumberRouting = z.infer<typeof numberRoutingSchema>

/** `POST /twilio/numbers/:sid/connect` body. */
export const connectNumberRequestSchema = z.object({
  force: z.boolean().optional(),
  trunkStrategy: z.enum(['shared', 'dedicated']).optional(),
  routing: numberRoutingSchema.optional(),
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
  /** Id of the stored connection (`ringline_number_connections.id`); null when the number was never connected. */
  connectionId: z.string().nullable().optional(),
  /** `GET …/status` only: whether the stored Twilio credentials were accepted when the status was read. */
  credentialsValid: z.boolean().optional(),
  /** `GET …/status` only: the SIP URIs of the trunk's enabled origination URLs, as Twilio reports them. */
  originationUrls: z.array(z.string()).optional(),
  /** The routing policy (agent options left out). */
  routing: numberRoutingSchema.nullable().optional(),
  /** `GET …/status` only: the last inbound call to this number and the last LiveKit webhook seen for it. */
  lastInbound: z
    .object({
      callId: z.string(),
      roomName: z.string(),
      fromNumber: z.string().nullable(),
      status: z.string(),
      startedAt: z.string(),
      /** When the last LiveKit webhook about that call's room arrived; null if none was recorded. */
      lastWebhookAt: z.string().nullable(),
    })
    .nullable()
    .optional(),
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
