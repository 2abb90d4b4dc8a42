import {
  connectNumberRequestSchema,
  type NumberConnection,
  type TwilioCredentialsStatus,
  twilioCredentialsRequestSchema,
  type VerifyTwilioCredentialsResponse,
} from '@ringline/core/protocol'
import { z } from 'zod'
import { env } from '../config'
import type { RinglineContext } from '../context'
import { createSecretBox, type SecretBox } from '../crypto/secretBox'
import { HttpError } from '../http/errors'
import { defineRoute, type Route, type RouteContext } from '../http/router'
import { parse } from '../http/validate'
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
    livekit: options.livekit ?? createLivekitSipProvisioner(ctx),
    sipTarget: options.sipTarget ?? env('LIVEKIT_SIP_URI'),
    allowSipTargetOverride: options.allowSipTargetOverride ?? false,
    trunkStrategy: options.trunkStrategy ?? 'shared',
    retry: options.retry ?? {},
    logger: ctx.logger,
    clientFactory: options.clientFactory ?? ((c) => createTwilioRestClient(c, clientOptions)),
  })
}

/**
 * The bring-your-own-number routes (DESIGN §5): credentials verify/save/read/delete, number listing, and an
 * idempotent connect, disconnect and status per Twilio number (`PN…`). Everything is scoped to the caller's tenant.
 */
export function twilioRoutes(options: TwilioServerOptions = {}): Route[] {
  const services = new WeakMap<RinglineContext, TwilioOnboarding>()
  const service = (ctx: RinglineContext): TwilioOnboarding => {
    let s = services.get(ctx)
    if (!s) {
      s = twilioOnboardingFor(ctx, options)
      services.set(ctx, s)
    }
    return s
  }
  const requireAdmin = options.requireAdmin ?? true
  const onboarding = (c: RouteContext, write: boolean) => {
    if (write && requireAdmin && c.principal.role !== 'admin') {
      throw new HttpError(
        'FORBIDDEN',
        'Only workspace admins can change Twilio settings (authorize() must return role: "admin").',
      )
    }
    return {
      byoc: service(c.ctx),
      ctx: { tenantId: c.principal.tenantId, userId: c.principal.userId, requestId: c.requestId },
    }
  }
  const limitCredentialChecks = (c: RouteContext) => {
    const wait = c.ctx.rateLimiter.hit(
      `twilio-credentials:${c.principal.tenantId}`,
      options.verifyPerTenantPerMinute ?? 20,
      60_000,
    )
    if (wait > 0) {
      throw new HttpError('RATE_LIMITED', `Too many credential checks; retry in ${wait} s.`, {
        headers: { 'retry-after': String(wait) },
      })
    }
  }
  const sidOf = (c: RouteContext) => {
    const sid = c.params.sid ?? ''
    if (!/^PN[0-9a-fA-F]{32}$/.test(sid)) {
      throw new HttpError(
        'INVALID_REQUEST',
        'sid: a Twilio phone number SID is PN followed by 32 hex characters.',
        {
          field: 'sid',
        },
      )
    }
    return sid
  }
  const needsSecretKey = (c: RouteContext) => {
    if (!c.ctx.config.secretKey) {
      throw new HttpError(
        'NOT_CONFIGURED',
        'Twilio credentials are stored encrypted: set RINGLINE_SECRET_KEY (or `secretKey` in createRingline) on the server first, e.g. `openssl rand -base64 32`.',
      )
    }
  }

  return [
    defineRoute({
      method: 'POST',
      path: '/twilio/credentials/verify',
      async handle(c): Promise<VerifyTwilioCredentialsResponse> {
        const { byoc, ctx } = onboarding(c, false)
        const credentials = parse(twilioCredentialsRequestSchema, c.body)
        limitCredentialChecks(c)
        const verified = await byoc.verifyCredentials(ctx, credentials)
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
    }),
    defineRoute({
      method: 'GET',
      path: '/twilio/credentials',
      async handle(c): Promise<TwilioCredentialsStatus> {
        const { byoc, ctx } = onboarding(c, false)
        return { integration: await byoc.getCredentials(ctx) }
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/twilio/credentials',
      async handle(c) {
        const { byoc, ctx } = onboarding(c, true)
        const credentials = parse(twilioCredentialsRequestSchema, c.body)
        needsSecretKey(c)
        limitCredentialChecks(c)
        return byoc.saveCredentials(ctx, credentials)
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/twilio/credentials',
      async handle(c) {
        const { byoc, ctx } = onboarding(c, true)
        return byoc.deleteCredentials(ctx)
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/twilio/numbers',
      async handle(c) {
        const { byoc, ctx } = onboarding(c, false)
        return byoc.listNumbers(ctx)
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/numbers/:sid/connect',
      async handle(c): Promise<NumberConnection> {
        const { byoc, ctx } = onboarding(c, true)
        const sid = sidOf(c)
        const body = parse(connectBodySchema, c.body)
        if (body.sipTarget !== undefined && !options.allowSipTargetOverride) {
          throw new HttpError(
            'INVALID_REQUEST',
            'sipTarget: this server does not let a request choose the SIP target (twilio.allowSipTargetOverride is off).',
            { field: 'sipTarget' },
          )
        }
        return byoc.connectNumber(ctx, sid, body)
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/twilio/numbers/:sid/disconnect',
      async handle(c): Promise<NumberConnection> {
        const { byoc, ctx } = onboarding(c, true)
        return byoc.disconnectNumber(ctx, sidOf(c))
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/twilio/numbers/:sid/status',
      async handle(c): Promise<NumberConnection> {
        const { byoc, ctx } = onboarding(c, false)
        return byoc.numberStatus(ctx, sidOf(c))
      },
    }),
  ]
}
