import {
  type ConnectNumberRequest,
  connectNumberRequestSchema,
  type NumberConnection,
  type TwilioCredentialsRequest,
  type TwilioCredentialsStatus,
  type TwilioIntegration,
  type TwilioNumber,
  twilioCredentialsRequestSchema,
  type VerifyTwilioCredentialsResponse,
} from '@ringline/core/protocol'
import { z } from 'zod'
import { env } from '../config'
import type { RinglineContext } from '../context'
import { createSecretBox, type SecretBox } from '../crypto/secretBox'
import { HttpError } from '../http/errors'
import { parse } from '../http/validate'
import type { Principal } from '../types'
import { storedRouting } from './connectionRecord'
import { lastInboundTo } from './lastInbound'
import { createLivekitSipProvisioner } from './livekitSipProvisioner'
import type { RetryOptions } from './retry'
import { sqlTwilioOnboardingStore } from './sqlTwilioOnboardingStore'
import {
  createTwilioRestClient,
  type TwilioCredentials,
  type TwilioRestClient,
  type TwilioRestClientOptions,
} from './twilioClient'
import { createTwilioOnboarding, type TwilioOnboarding } from './twilioOnboarding'
import type { LivekitSipProvisioner, TrunkStrategy, TwilioOnboardingStore } from './types'

/** The `twilio` option of `createRingline`: bring-your-own-Twilio-number settings. */
export interface TwilioServerOptions {
  /** The LiveKit SIP URI Twilio sends calls to, e.g. `sip:abc123.sip.livekit.cloud` (env `LIVEKIT_SIP_URI`). */
  sipTarget?: string
  /** One Twilio trunk per tenant (`shared`, default) or per number (`dedicated`). */
  trunkStrategy?: TrunkStrategy
  /** Let a connect request choose its own SIP target (default false). */
  allowSipTargetOverride?: boolean
  /** Options of the Twilio REST client (edge, region, timeout). */
  clientOptions?: TwilioRestClientOptions
  /** Retry policy of Twilio calls. */
  retry?: RetryOptions
  /** Writes (save/delete credentials, connect, disconnect) need `role: 'admin'` from `authorize` (default true). */
  requireAdmin?: boolean
  /** Credential checks (verify + save) a tenant may run per minute before 429 `RATE_LIMITED` (default 20). */
  verifyPerTenantPerMinute?: number
  /**
   * Where the LiveKit inbound trunks of connected numbers accept INVITEs from (IPs, CIDRs, host names). Default
   * `sip.inboundAllowedAddresses`, else Twilio's signalling ranges (`TWILIO_SIGNALING_ADDRESSES`).
   */
  inboundAllowedAddresses?: string[]
  /** Replace the LiveKit provisioner (default: `createLivekitSipProvisioner` on the server's LiveKit and store). */
  livekit?: LivekitSipProvisioner
  /** Replace the onboarding store (default: the server's SQL store). */
  store?: TwilioOnboardingStore
  /** Replace the Twilio client factory (default: the `twilio` package). */
  clientFactory?: (credentials: TwilioCredentials) => TwilioRestClient
}

/** The connect body plus `sipTarget`, honoured only with `allowSipTargetOverride`. */
const connectBodySchema = connectNumberRequestSchema.extend({
  sipTarget: z.string().min(1).max(300).optional(),
})

/**
 * The secret box of the server's `secretKey` (`RINGLINE_SECRET_KEY`, older keys in `RINGLINE_SECRET_KEY_PREVIOUS`).
 * Every secret it seals or opens is registered with the redactor, so it can never reach a log line.
 */
function redactingSecretBox(ctx: RinglineContext): SecretBox {
  let box: SecretBox | undefined
  const open = (): SecretBox => {
    const current = ctx.config.secretKey
    if (!current) {
      throw new HttpError(
        'NOT_CONFIGURED',
        'Storing Twilio credentials needs RINGLINE_SECRET_KEY (or `secretKey` in createRingline): 32 random bytes, e.g. `openssl rand -base64 32`.',
      )
    }
    const previous = (env('RINGLINE_SECRET_KEY_PREVIOUS') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    box ??= createSecretBox({ current, previous })
    return box
  }
  return {
    get currentKeyId() {
      return open().currentKeyId
    },
    encrypt(plaintext, context) {
      ctx.redactor.addSecret(plaintext)
      return open().encrypt(plaintext, context)
    },
    decrypt(ciphertext, context) {
      const plaintext = open().decrypt(ciphertext, context)
      ctx.redactor.addSecret(plaintext)
      return plaintext
    },
    needsRotation: (ciphertext) => open().needsRotation(ciphertext),
    rotate(ciphertext, context) {
      ctx.redactor.addSecret(open().decrypt(ciphertext, context))
      return open().rotate(ciphertext, context)
    },
  }
}

/** Builds the onboarding service of a server from its context and the `twilio` options. */
export function twilioOnboardingFor(
  ctx: RinglineContext,
  options: TwilioServerOptions = {},
): TwilioOnboarding {
  const clientOptions = options.clientOptions
  return createTwilioOnboarding({
    store: options.store ?? sqlTwilioOnboardingStore(ctx.store),
    secretBox: redactingSecretBox(ctx),
    livekit:
      options.livekit ??
      createLivekitSipProvisioner({
        store: ctx.store,
        livekit: ctx.livekit,
        ...((options.inboundAllowedAddresses ?? ctx.config.sip.inboundAllowedAddresses)
          ? {
              inboundAllowedAddresses:
                options.inboundAllowedAddresses ?? ctx.config.sip.inboundAllowedAddresses,
            }
          : {}),
      }),
    sipTarget: options.sipTarget ?? env('LIVEKIT_SIP_URI'),
    allowSipTargetOverride: options.allowSipTargetOverride ?? false,
    trunkStrategy: options.trunkStrategy ?? 'shared',
    retry: options.retry ?? {},
    logger: ctx.logger,
    clientFactory: options.clientFactory ?? ((c) => createTwilioRestClient(c, clientOptions)),
  })
}

/** Bring-your-own-Twilio-number operations as plain functions (the `/twilio/credentials` and `/twilio/numbers` routes). */
export interface NumbersApi {
  /** Checks Twilio credentials without storing them (`POST /twilio/credentials/verify`). */
  verifyTwilioCredentials(
    principal: Principal,
    body: TwilioCredentialsRequest,
    requestId?: string,
  ): Promise<VerifyTwilioCredentialsResponse>
  /** The tenant's stored Twilio credentials, masked (`GET /twilio/credentials`). */
  getTwilioCredentials(principal: Principal, requestId?: string): Promise<TwilioCredentialsStatus>
  /** Verifies and stores the tenant's Twilio credentials, encrypted; admins (`PUT /twilio/credentials`). */
  saveTwilioCredentials(
    principal: Principal,
    body: TwilioCredentialsRequest,
    requestId?: string,
  ): Promise<TwilioIntegration>
  /** Forgets the tenant's Twilio credentials; admins (`DELETE /twilio/credentials`). */
  deleteTwilioCredentials(principal: Principal, requestId?: string): Promise<{ deleted: boolean }>
  /** The Twilio account's numbers with their connection state (`GET /twilio/numbers`). */
  listTwilioNumbers(principal: Principal, requestId?: string): Promise<{ numbers: TwilioNumber[] }>
  /** Connects one number (`PN…`) to LiveKit, idempotently; admins (`POST /twilio/numbers/:sid/connect`). */
  connectTwilioNumber(
    principal: Principal,
    sid: string,
    body?: ConnectNumberRequest & { sipTarget?: string },
    requestId?: string,
  ): Promise<NumberConnection>
  /** Disconnects one number; admins (`POST /twilio/numbers/:sid/disconnect`). */
  disconnectTwilioNumber(principal: Principal, sid: string, requestId?: string): Promise<NumberConnection>
  /** A number's stored state against Twilio's (`GET /twilio/numbers/:sid/status`). */
  twilioNumberStatus(principal: Principal, sid: string, requestId?: string): Promise<NumberConnection>
}

/**
 * Builds the bring-your-own-number operations once per server: the onboarding service, the admin rule for
 * writes, the per-tenant limit on credential checks and input validation. Everything is scoped to the tenant.
 */
export function createNumbersApi(ctx: RinglineContext, options: TwilioServerOptions = {}): NumbersApi {
  const byoc = twilioOnboardingFor(ctx, options)
  const requireAdmin = options.requireAdmin ?? true
  const scope = (principal: Principal, write: boolean, requestId: string | undefined) => {
    if (write && requireAdmin && principal.role !== 'admin') {
      throw new HttpError(
        'FORBIDDEN',
        'Only workspace admins can change Twilio settings (authorize() must return role: "admin").',
      )
    }
    return {
      tenantId: principal.tenantId,
      userId: principal.userId,
      ...(requestId === undefined ? {} : { requestId }),
    }
  }
  const limitCredentialChecks = (principal: Principal) => {
    ctx.rateLimiter.take(
      `twilio-credentials:${principal.tenantId}`,
      options.verifyPerTenantPerMinute ?? 20,
      60_000,
      'credential checks',
    )
  }
  const checkSid = (sid: string) => {
    if (!/^PN[0-9a-fA-F]{32}$/.test(sid)) {
      throw new HttpError(
        'INVALID_REQUEST',
        'sid: a Twilio phone number SID is PN followed by 32 hex characters.',
        { field: 'sid' },
      )
    }
    return sid
  }
  const needsSecretKey = () => {
    if (!ctx.config.secretKey) {
      throw new HttpError(
        'NOT_CONFIGURED',
        'Twilio credentials are stored encrypted: set RINGLINE_SECRET_KEY (or `secretKey` in createRingline) on the server first, e.g. `openssl rand -base64 32`.',
      )
    }
  }

  return {
    async verifyTwilioCredentials(principal, body, requestId) {
      const octx = scope(principal, false, requestId)
      const credentials = parse(twilioCredentialsRequestSchema, body)
      limitCredentialChecks(principal)
      const verified = await byoc.verifyCredentials(octx, credentials)
      return {
        ok: true,
        accountSid: verified.accountSid,
        apiKeySid: verified.apiKeySid,
        apiKeySecretMasked: verified.apiKeySecretMasked,
        status: 'verified',
        updatedAt: new Date().toISOString(),
        trunkingEnabled: verified.trunkingEnabled,
      }
    },
    async getTwilioCredentials(principal, requestId) {
      return { integration: await byoc.getCredentials(scope(principal, false, requestId)) }
    },
    async saveTwilioCredentials(principal, body, requestId) {
      const octx = scope(principal, true, requestId)
      const credentials = parse(twilioCredentialsRequestSchema, body)
      needsSecretKey()
      limitCredentialChecks(principal)
      return byoc.saveCredentials(octx, credentials)
    },
    deleteTwilioCredentials: (principal, requestId) =>
      byoc.deleteCredentials(scope(principal, true, requestId)),
    listTwilioNumbers: (principal, requestId) => byoc.listNumbers(scope(principal, false, requestId)),
    async connectTwilioNumber(principal, sid, body = {}, requestId) {
      const octx = scope(principal, true, requestId)
      checkSid(sid)
      const parsed = parse(connectBodySchema, body)
      if (parsed.sipTarget !== undefined && !options.allowSipTargetOverride) {
        throw new HttpError(
          'INVALID_REQUEST',
          'sipTarget: this server does not let a request choose the SIP target (twilio.allowSipTargetOverride is off).',
          { field: 'sipTarget' },
        )
      }
      const { routing, ...rest } = parsed
      return byoc.connectNumber(octx, sid, {
        ...rest,
        ...(routing === undefined ? {} : { routing: storedRouting(routing) }),
      })
    },
    async disconnectTwilioNumber(principal, sid, requestId) {
      const octx = scope(principal, true, requestId)
      return byoc.disconnectNumber(octx, checkSid(sid))
    },
    async twilioNumberStatus(principal, sid, requestId) {
      const octx = scope(principal, false, requestId)
      const status = await byoc.numberStatus(octx, checkSid(sid))
      return { ...status, lastInbound: await lastInboundTo(ctx.store, principal.tenantId, status.e164) }
    },
  }
}
