import { createHash, randomUUID } from 'node:crypto'
import { type SecretBox, SecretBoxError } from '../crypto/secretBox'
import { type RetryOptions, withRetry } from './retry'
import { createTwilioRestClient, type TwilioCredentials, type TwilioRestClient } from './twilioClient'
import { TwilioOnboardingError } from './twilioErrors'
import type {
  LivekitSipProvisioner,
  OnboardingContext,
  OnboardingLogger,
  TrunkStrategy,
  TwilioIntegrationRecord,
  TwilioOnboardingStore,
} from './types'

/** Options of `createTwilioOnboarding`. */
export interface TwilioOnboardingOptions {
  store: TwilioOnboardingStore
  /** Encrypts the API key secret and termination passwords at rest. */
  secretBox: SecretBox
  /** The LiveKit side (inbound trunk + dispatch rule, outbound trunk). */
  livekit: LivekitSipProvisioner
  /** The LiveKit SIP URI Twilio sends calls to, e.g. `sip:abc123.sip.livekit.cloud` (`;transport=tcp` is added). */
  sipTarget?: string
  /** Let `connectNumber` callers pass their own `sipTarget` (default false). */
  allowSipTargetOverride?: boolean
  /** Trunk per tenant (`shared`, default) or per number (`dedicated`). */
  trunkStrategy?: TrunkStrategy
  retry?: RetryOptions
  logger?: OnboardingLogger
  /** Build the Twilio client (default: the `twilio` package with Ringline's error-keeping HTTP client). */
  clientFactory?: (credentials: TwilioCredentials) => TwilioRestClient
  now?: () => Date
}

/** Resolved options shared by the operations. */
export interface OnboardingDeps extends Required<Omit<TwilioOnboardingOptions, 'sipTarget' | 'logger'>> {
  sipTarget: string | undefined
  logger: OnboardingLogger
}

const silent: OnboardingLogger = { info: () => undefined, warn: () => undefined }

/** Fill defaults. */
export function resolveDeps(options: TwilioOnboardingOptions): OnboardingDeps {
  return {
    store: options.store,
    secretBox: options.secretBox,
    livekit: options.livekit,
    sipTarget: options.sipTarget,
    allowSipTargetOverride: options.allowSipTargetOverride ?? false,
    trunkStrategy: options.trunkStrategy ?? 'shared',
    retry: options.retry ?? {},
    logger: options.logger ?? silent,
    clientFactory: options.clientFactory ?? ((c) => createTwilioRestClient(c)),
    now: options.now ?? (() => new Date()),
  }
}

/** The request id of a call (given or fresh). */
export function requestIdOf(ctx: OnboardingContext): string {
  return ctx.requestId ?? `req_${randomUUID()}`
}

/** Associated data binding an integration's secret to its tenant. */
export const integrationSecretContext = (tenantId: string) => `twilio:${tenantId}`
/** Associated data binding a termination password to its trunk (shared by every number on it). */
export const terminationSecretContext = (trunkSid: string) => `twilio-termination:${trunkSid}`

/** Short stable tag of a tenant for Twilio friendly names (the tenant id itself is not sent to Twilio). */
export function tenantTag(tenantId: string): string {
  return createHash('sha256').update(tenantId).digest('hex').slice(0, 12)
}

/** Run a Twilio call with the retry policy, logging retries without secrets. */
export function twilioCall<T>(
  deps: OnboardingDeps,
  ctx: { tenantId: string; requestId: string },
  step: string,
  fn: () => Promise<T>,
): Promise<T> {
  return withRetry(fn, { requestId: ctx.requestId, step }, deps.retry, ({ attempt, delayMs, error }) =>
    deps.logger.warn('twilio.retry', {
      tenantId: ctx.tenantId,
      requestId: ctx.requestId,
      step,
      attempt,
      delayMs,
      code: error.code,
      twilioCode: error.twilio.code,
    }),
  )
}

/** Decrypt a stored secret, turning key problems into a clear error. */
export function openSecret(
  deps: OnboardingDeps,
  ciphertext: string,
  context: string,
  requestId: string,
): string {
  try {
    return deps.secretBox.decrypt(ciphertext, context)
  } catch (error) {
    const message = error instanceof SecretBoxError ? error.message : 'Stored secret could not be decrypted'
    throw new TwilioOnboardingError(error instanceof SecretBoxError ? error.code : 'INTERNAL', message, {
      requestId,
    })
  }
}

/** Load the tenant's integration and a client for it. */
export async function loadIntegration(
  deps: OnboardingDeps,
  tenantId: string,
  requestId: string,
): Promise<{ integration: TwilioIntegrationRecord; client: TwilioRestClient }> {
  const integration = await deps.store.getIntegration(tenantId)
  if (!integration) {
    throw new TwilioOnboardingError(
      'NOT_CONFIGURED',
      'No Twilio credentials saved for this workspace: save an API key first (PUT /twilio/credentials)',
      {
        requestId,
      },
    )
  }
  const apiKeySecret = openSecret(
    deps,
    integration.secretCiphertext,
    integrationSecretContext(tenantId),
    requestId,
  )
  const client = deps.clientFactory({
    accountSid: integration.accountSid,
    apiKeySid: integration.apiKeySid,
    apiKeySecret,
  })
  return { integration, client }
}

/** True for a Twilio 404 (raw or normalized). */
export function isNotFound(error: unknown): boolean {
  if (error instanceof TwilioOnboardingError) return error.twilio.status === 404
  return !!error && typeof error === 'object' && (error as { status?: unknown }).status === 404
}
