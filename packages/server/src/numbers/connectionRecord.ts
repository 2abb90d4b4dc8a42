// A number connection's record, names and SIP target: what connecting a number writes and how it is shown.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { NumberConnection, NumberRouting } from '@ringline/core/protocol'
import { isHttpError } from '../http/errors'
import { type OnboardingDeps, tenantTag } from './onboardingDeps'
import { normalizeSipTarget } from './sipTarget'
import { TwilioOnboardingError } from './twilioErrors'
import {
  CONNECT_STEPS,
  type ConnectStep,
  type NumberConnectionRecord,
  type RoutingPolicy,
  type TrunkStrategy,
} from './types'

/** Input of `connectNumber` beyond the tenant: `connectNumberRequestSchema` plus an optional SIP target. */
export interface ConnectNumberInput {
  /** Move the number even if it sits on a trunk Ringline did not create. */
  force?: boolean
  trunkStrategy?: TrunkStrategy
  routing?: RoutingPolicy
  /** Only honoured with `allowSipTargetOverride`. */
  sipTarget?: string
}

/** Friendly name of the origination URL Ringline manages. */
export const ORIGINATION_URL_NAME = 'Ringline LiveKit'
export const PN_RE = /^PN[0-9a-fA-F]{32}$/
const PASSWORD_RULE = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{12,}$/

/** Friendly name of the tenant's Ringline trunk. */
export function trunkFriendlyName(tenantId: string, strategy: TrunkStrategy, e164: string): string {
  return strategy === 'shared' ? `Ringline ${tenantTag(tenantId)}` : `Ringline ${tenantTag(tenantId)} ${e164}`
}
/** Friendly name of a trunk's termination credential list (unique per account on Twilio). */
export const credentialListName = (trunkSid: string) => `Ringline ${trunkSid}`
/** Deterministic termination username of a trunk, so a rerun finds its credential. */
export const terminationUsername = (trunkSid: string) =>
  `rl${createHash('sha256').update(trunkSid).digest('hex').slice(0, 16)}`

export function newPassword(): string {
  for (;;) {
    const p = randomBytes(24).toString('base64url')
    if (PASSWORD_RULE.test(p)) return p
  }
}

/** A fresh connection row. */
export function newConnectionRecord(
  tenantId: string,
  phoneNumberSid: string,
  e164: string,
  now: Date,
  strategy: TrunkStrategy,
): NumberConnectionRecord {
  return {
    id: `nc_${randomUUID()}`,
    tenantId,
    phoneNumberSid,
    e164,
    trunkSid: null,
    originationUrlSid: null,
    credentialListSid: null,
    livekitInboundTrunkId: null,
    livekitDispatchRuleId: null,
    livekitOutboundTrunkId: null,
    routingPolicy: { policy: 'ring-all' },
    status: 'connecting',
    createdAt: now,
    updatedAt: now,
    trunkStrategy: strategy,
    sipTarget: null,
    terminationDomain: null,
    credentialSid: null,
    terminationUsername: null,
    terminationPasswordCiphertext: null,
    terminationPasswordKeyId: null,
    steps: [],
    lastErrorCode: null,
  }
}

/** Percentage of steps done. */
export function progressOf(steps: ConnectStep[]): number {
  const done = steps.filter(
    (s) => s.status === 'created' || s.status === 'reused' || s.status === 'updated',
  ).length
  return Math.round((100 * done) / CONNECT_STEPS.length)
}

/** A connect request's routing as stored: agent options become the dispatch's JSON job metadata. */
export function storedRouting(routing: NumberRouting): RoutingPolicy {
  const { agent, ...rest } = routing
  if (!agent) return rest
  if (agent.mode === 'none') return { ...rest, agent }
  const { options, ...named } = agent
  return { ...rest, agent: options === undefined ? named : { ...named, metadata: JSON.stringify(options) } }
}

/** The safe subset of a stored routing policy that responses carry: agent options (metadata) left out. */
export function publicRouting(policy: RoutingPolicy): NumberRouting {
  const out: NumberRouting = { policy: policy.policy }
  if (policy.users) out.users = policy.users
  if (policy.tags) out.tags = policy.tags
  const agent = policy.agent
  if (agent) {
    out.agent =
      agent.mode === 'none'
        ? agent
        : agent.mode === 'agent-first'
          ? { mode: agent.mode, agentName: agent.agentName }
          : { mode: agent.mode, agentName: agent.agentName, afterSeconds: agent.afterSeconds }
  }
  return out
}

/** The wire shape of a stored connection. */
export function toNumberConnection(
  record: NumberConnectionRecord,
  drift: string[] = [],
  statusOverride?: NumberConnection['status'],
): NumberConnection {
  const status: NumberConnection['status'] =
    statusOverride ??
    (record.status === 'connected'
      ? 'connected'
      : record.status === 'disconnected'
        ? 'disconnected'
        : 'partial')
  return {
    phoneNumberSid: record.phoneNumberSid,
    e164: record.e164,
    status,
    trunkSid: record.trunkSid,
    sipTarget: record.sipTarget,
    steps: record.steps,
    drift,
    progress: progressOf(record.steps),
    connectionId: record.id,
    routing: publicRouting(record.routingPolicy),
  }
}

/** Resolve and validate the SIP target for a connect call. */
export function resolveSipTarget(
  deps: OnboardingDeps,
  requested: string | undefined,
  requestId: string,
): string {
  if (requested !== undefined && !deps.allowSipTargetOverride) {
    throw new TwilioOnboardingError(
      'INVALID_REQUEST',
      'sipTarget cannot be chosen per request on this server (allowSipTargetOverride is off)',
      {
        requestId,
        details: { field: 'sipTarget' },
      },
    )
  }
  const target = requested ?? deps.sipTarget
  if (!target) {
    throw new TwilioOnboardingError(
      'NOT_CONFIGURED',
      'No LiveKit SIP URI configured: set twilio.sipTarget (e.g. sip:abc123.sip.livekit.cloud)',
      { requestId },
    )
  }
  return normalizeSipTarget(target, requestId)
}

export function livekitError(error: unknown, step: string, requestId: string): TwilioOnboardingError {
  if (error instanceof TwilioOnboardingError) return error
  if (isHttpError(error)) {
    return new TwilioOnboardingError(error.code, error.message, { requestId })
  }
  // The provider's message is not echoed: it may quote the request, which can hold trunk credentials.
  const name = error instanceof Error ? error.name : 'error'
  return new TwilioOnboardingError(
    'LIVEKIT_UNAVAILABLE',
    `LiveKit SIP provisioning failed while ${step} (${name}); check LIVEKIT_URL and the API key, then retry`,
    {
      requestId,
      retryable: true,
    },
  )
}
