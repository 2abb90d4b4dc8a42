import type { connectStepSchema } from '@ringline/core/protocol'
import type { z } from 'zod'
import type { RoutingPolicy } from './numberRepository'

/** One step of connecting a number (`connectStepSchema`). */
export type ConnectStep = z.infer<typeof connectStepSchema>
/** Name of a connect step. */
export type ConnectStepName = ConnectStep['step']
/** Outcome of a connect step. */
export type ConnectStepStatus = ConnectStep['status']

/** The order steps run and are reported in. */
export const CONNECT_STEPS: readonly ConnectStepName[] = [
  'trunk',
  'origination-url',
  'phone-number',
  'credential-list',
  'livekit-inbound-trunk',
  'livekit-dispatch-rule',
  'livekit-outbound-trunk',
]

/** How inbound calls to a number ring and which agent joins, as stored (`routing_policy`). */
export type { RoutingPolicy } from './numberRepository'

/** One trunk per tenant (`shared`, default) or one per number (`dedicated`). */
export type TrunkStrategy = 'shared' | 'dedicated'

/** Row of `ringline_twilio_integrations` (1:1 with its columns). */
export interface TwilioIntegrationRecord {
  tenantId: string
  accountSid: string
  apiKeySid: string
  /** `secret_ciphertext`: secret-box envelope of the API key secret, bound to `twilio:<tenantId>`. */
  secretCiphertext: string
  /** `secret_key_id`. */
  secretKeyId: string
  status: 'verified' | 'saved' | 'invalid'
  createdAt: Date
  updatedAt: Date
}

/**
 * Row of `ringline_number_connections`. Fields up to `updatedAt` exist in migration 0001; the ones
 * after are proposed extra columns (see the report), needed so a retry reconciles instead of duplicating.
 */
export interface NumberConnectionRecord {
  id: string
  tenantId: string
  phoneNumberSid: string
  e164: string
  trunkSid: string | null
  originationUrlSid: string | null
  credentialListSid: string | null
  livekitInboundTrunkId: string | null
  livekitDispatchRuleId: string | null
  livekitOutboundTrunkId: string | null
  routingPolicy: RoutingPolicy
  /** `connecting` while a connect runs, `partial` after a failed one. */
  status: 'connecting' | 'connected' | 'partial' | 'disconnected'
  createdAt: Date
  updatedAt: Date
  // ---- proposed columns
  /** `trunk_strategy`. */
  trunkStrategy: TrunkStrategy
  /** `sip_target`: the origination SIP URI configured. */
  sipTarget: string | null
  /** `termination_domain`: `<x>.pstn.twilio.com`, the LiveKit outbound trunk address. */
  terminationDomain: string | null
  /** `credential_sid`: the termination credential (CR…). */
  credentialSid: string | null
  /** `termination_username`. */
  terminationUsername: string | null
  /** `termination_password_ciphertext`: secret-box envelope bound to `twilio-termination:<trunkSid>`. */
  terminationPasswordCiphertext: string | null
  /** `termination_password_key_id`. */
  terminationPasswordKeyId: string | null
  /** `steps` (jsonb): the last connect/disconnect report. */
  steps: ConnectStep[]
  /** `last_error_code`: code of the last failed connect, if any. */
  lastErrorCode: string | null
}

/** Audit actions written by the onboarding service. */
export type TwilioAuditAction =
  | 'twilio.credentials.verified'
  | 'twilio.credentials.saved'
  | 'twilio.credentials.deleted'
  | 'twilio.number.connected'
  | 'twilio.number.disconnected'

/** Row of `ringline_audit_log` (1:1 with its columns); `detail` never holds secrets. */
export interface AuditEntry {
  id: string
  tenantId: string | null
  userId: string | null
  action: TwilioAuditAction
  target: string | null
  detail: Record<string, unknown>
  createdAt: Date
}

/**
 * The storage the onboarding service needs. The SQL store implements it on
 * `ringline_twilio_integrations`, `ringline_number_connections` and `ringline_audit_log`.
 */
export interface TwilioOnboardingStore {
  /** The tenant's integration, or null. */
  getIntegration(tenantId: string): Promise<TwilioIntegrationRecord | null>
  /** Insert or replace the tenant's integration. */
  saveIntegration(record: TwilioIntegrationRecord): Promise<void>
  /** Delete the tenant's integration; true if there was one. */
  deleteIntegration(tenantId: string): Promise<boolean>
  /** The connection of a Twilio number (PN…), whichever tenant holds it. */
  getConnection(phoneNumberSid: string): Promise<NumberConnectionRecord | null>
  /** All connection rows of a tenant, any status. */
  listConnections(tenantId: string): Promise<NumberConnectionRecord[]>
  /** Insert or update a connection row by `phoneNumberSid` (called after every created SID). */
  saveConnection(record: NumberConnectionRecord): Promise<void>
  /** Append an audit row. */
  appendAudit(entry: AuditEntry): Promise<void>
  /**
   * Run `fn` while holding an exclusive lock on `key`, across every server instance sharing the store
   * (SQL: `pg_advisory_xact_lock(hashtext(key))` in a transaction, or a lock row). Calls with the same key run one at a time.
   */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>
}

/** Result of a LiveKit provisioning call; `status` says whether it was made or found. */
export interface ProvisionResult {
  status?: 'created' | 'reused' | 'updated'
}

/**
 * The LiveKit side of connecting a number, injected by the server (livekit-server-sdk `SipClient`).
 * Every method must be idempotent: called again with the same input it reuses what exists.
 */
export interface LivekitSipProvisioner {
  /** Ensure the inbound trunk for `e164` and its dispatch rule (room prefix `in-<tenant>`, attributes `ringline.tenant`/`ringline.number`). */
  provisionInbound(input: {
    e164: string
    tenantId: string
    policy: RoutingPolicy
    existing?: { trunkId: string | null; ruleId: string | null }
  }): Promise<{
    trunkId: string
    ruleId: string
    trunkStatus?: ProvisionResult['status']
    ruleStatus?: ProvisionResult['status']
  }>
  /** Ensure an outbound trunk to the Twilio termination domain with these digest credentials. */
  ensureOutboundTrunk(input: {
    address: string
    auth: { username: string; password: string }
    tenantId: string
    numbers: string[]
    existingId?: string | null
  }): Promise<{ trunkId: string } & ProvisionResult>
  /** Remove the inbound trunk and dispatch rule of a number (missing ones are fine). */
  removeInbound(input: {
    e164: string
    tenantId: string
    trunkId: string | null
    ruleId: string | null
  }): Promise<void>
}

/** Structured log sink; entries never carry secrets. */
export interface OnboardingLogger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
}

/** Who is calling: every operation is scoped to one tenant. */
export interface OnboardingContext {
  tenantId: string
  userId?: string | null
  /** Correlation id echoed in errors; generated when omitted. */
  requestId?: string
}
