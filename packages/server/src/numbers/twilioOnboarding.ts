import { randomUUID } from 'node:crypto'
import {
  type NumberConnection,
  type TwilioCredentialsRequest,
  type TwilioIntegration,
  type TwilioNumber,
  twilioCredentialsRequestSchema,
} from '@ringline/core/protocol'
import { mask } from '../crypto/secretBox'
import { type ConnectNumberInput, toNumberConnection } from './connectionRecord'
import { connectNumberLocked } from './connectNumber'
import {
  integrationSecretContext,
  isNotFound,
  loadIntegration,
  type OnboardingDeps,
  openSecret,
  requestIdOf,
  resolveDeps,
  type TwilioOnboardingOptions,
  twilioCall,
} from './onboardingDeps'
import { TwilioOnboardingError } from './twilioErrors'
import type { AuditEntry, ConnectStep, NumberConnectionRecord, OnboardingContext } from './types'

/** Result of a successful credentials check. */
export interface VerifyCredentialsResult {
  ok: true
  accountSid: string
  apiKeySid: string
  apiKeySecretMasked: string
  /** False when the account answers but Elastic SIP Trunking is not enabled (connect would fail with TRUNKING_NOT_ENABLED). */
  trunkingEnabled: boolean
}

/** The bring-your-own-number operations, bound to a store, a secret box and a LiveKit provisioner. */
export interface TwilioOnboarding {
  /** Probe the account with the key (lists one number and one trunk); writes nothing but an audit row. */
  verifyCredentials(
    ctx: OnboardingContext,
    credentials: TwilioCredentialsRequest,
  ): Promise<VerifyCredentialsResult>
  /** Verify (unless `verify: false`), encrypt the secret and store the integration; returns it masked. */
  saveCredentials(
    ctx: OnboardingContext,
    credentials: TwilioCredentialsRequest,
    options?: { verify?: boolean },
  ): Promise<TwilioIntegration>
  /** The stored integration, masked, or null. */
  getCredentials(ctx: OnboardingContext): Promise<TwilioIntegration | null>
  /** Forget the stored credentials (Twilio configuration is left as it is). */
  deleteCredentials(ctx: OnboardingContext): Promise<{ deleted: boolean }>
  /** Every number of the account (all pages), with its current trunk and whether Ringline connected it. */
  listNumbers(ctx: OnboardingContext): Promise<{ numbers: TwilioNumber[] }>
  /** Idempotently connect a number to LiveKit; safe to retry and to run concurrently. */
  connectNumber(
    ctx: OnboardingContext,
    phoneNumberSid: string,
    input?: ConnectNumberInput,
  ): Promise<NumberConnection>
  /** Detach the number from the trunk and remove its LiveKit inbound trunk and rule; the record is kept. */
  disconnectNumber(ctx: OnboardingContext, phoneNumberSid: string): Promise<NumberConnection>
  /** Stored state against what Twilio says now, with drift spelled out. */
  numberStatus(ctx: OnboardingContext, phoneNumberSid: string): Promise<NumberConnection>
}

function audit(
  deps: OnboardingDeps,
  ctx: OnboardingContext,
  action: AuditEntry['action'],
  target: string | null,
  detail: Record<string, unknown>,
) {
  return deps.store.appendAudit({
    id: `audit_${randomUUID()}`,
    tenantId: ctx.tenantId,
    userId: ctx.userId ?? null,
    action,
    target,
    detail,
    createdAt: deps.now(),
  })
}

function parseCredentials(input: unknown, requestId: string): TwilioCredentialsRequest {
  const parsed = twilioCredentialsRequestSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue?.path.join('.') || undefined
    // Zod messages never quote the value, so the secret cannot leak through them.
    throw new TwilioOnboardingError(
      'INVALID_REQUEST',
      `Invalid Twilio credentials: ${field ? `${field} ` : ''}${issue?.message ?? 'invalid'}`,
      {
        requestId,
        details: field ? { field } : undefined,
      },
    )
  }
  return parsed.data
}

function maskedIntegration(
  record: { accountSid: string; apiKeySid: string; status: TwilioIntegration['status']; updatedAt: Date },
  secret: string,
): TwilioIntegration {
  return {
    accountSid: record.accountSid,
    apiKeySid: mask(record.apiKeySid),
    apiKeySecretMasked: mask(secret, { keepStart: 0 }),
    status: record.status,
    updatedAt: record.updatedAt.toISOString(),
  }
}

async function verify(
  deps: OnboardingDeps,
  ctx: OnboardingContext,
  credentials: TwilioCredentialsRequest,
  requestId: string,
): Promise<VerifyCredentialsResult> {
  const client = deps.clientFactory(credentials)
  const call = { tenantId: ctx.tenantId, requestId }
  // Standard keys cannot read /Accounts (reference §0.6): probe resources the onboarding needs instead.
  await twilioCall(deps, call, 'checking the credentials', () =>
    client.incomingPhoneNumbers.list({ limit: 1 }),
  )
  let trunkingEnabled = true
  try {
    await twilioCall(deps, call, 'checking Elastic SIP Trunking', () =>
      client.trunking.v1.trunks.list({ limit: 1 }),
    )
  } catch (error) {
    if (!(error instanceof TwilioOnboardingError) || error.code !== 'TRUNKING_NOT_ENABLED') throw error
    trunkingEnabled = false
  }
  return {
    ok: true,
    accountSid: credentials.accountSid,
    apiKeySid: mask(credentials.apiKeySid),
    apiKeySecretMasked: mask(credentials.apiKeySecret, { keepStart: 0 }),
    trunkingEnabled,
  }
}

function driftOf(
  record: NumberConnectionRecord | null,
  twilioTrunkSid: string | null,
  checks: { trunkExists: boolean | null; originationOk: boolean | null; credentialsLinked: boolean | null },
): string[] {
  const drift: string[] = []
  if (!record || record.status === 'disconnected') {
    if (record?.trunkSid && twilioTrunkSid === record.trunkSid)
      drift.push(`Number is still on Ringline trunk ${record.trunkSid} in Twilio although it is disconnected`)
    return drift
  }
  if (!record.trunkSid) return drift
  if (checks.trunkExists === false) drift.push(`Trunk ${record.trunkSid} no longer exists in Twilio`)
  if (twilioTrunkSid === null) drift.push(`Number is on no trunk in Twilio (expected ${record.trunkSid})`)
  else if (twilioTrunkSid !== record.trunkSid)
    drift.push(`Number is on trunk ${twilioTrunkSid} in Twilio (expected ${record.trunkSid})`)
  if (checks.originationOk === false)
    drift.push(`Trunk has no enabled origination URL to ${record.sipTarget ?? 'the LiveKit SIP URI'}`)
  if (checks.credentialsLinked === false)
    drift.push(
      `Termination credential list ${record.credentialListSid ?? ''} is not attached to the trunk`.replace(
        '  ',
        ' ',
      ),
    )
  return drift
}

/**
 * Create the bring-your-own-Twilio-number service: plain functions the `/twilio/*` routes call.
 * @example const byoc = createTwilioOnboarding({ store, secretBox, livekit, sipTarget: 'sip:abc.sip.livekit.cloud' })
 */
export function createTwilioOnboarding(options: TwilioOnboardingOptions): TwilioOnboarding {
  const deps = resolveDeps(options)
  const { store } = deps

  return {
    async verifyCredentials(ctx, input) {
      const requestId = requestIdOf(ctx)
      const credentials = parseCredentials(input, requestId)
      const result = await verify(deps, ctx, credentials, requestId)
      await audit(deps, ctx, 'twilio.credentials.verified', credentials.accountSid, {
        requestId,
        apiKeySid: credentials.apiKeySid,
        trunkingEnabled: result.trunkingEnabled,
      })
      return result
    },

    async saveCredentials(ctx, input, saveOptions = {}) {
      const requestId = requestIdOf(ctx)
      const credentials = parseCredentials(input, requestId)
      if (saveOptions.verify !== false) await verify(deps, ctx, credentials, requestId)
      const sealed = deps.secretBox.encrypt(credentials.apiKeySecret, integrationSecretContext(ctx.tenantId))
      const existing = await store.getIntegration(ctx.tenantId)
      const now = deps.now()
      const record = {
        tenantId: ctx.tenantId,
        accountSid: credentials.accountSid,
        apiKeySid: credentials.apiKeySid,
        secretCiphertext: sealed.ciphertext,
        secretKeyId: sealed.keyId,
        status: 'saved' as const,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      }
      await store.saveIntegration(record)
      await audit(deps, ctx, 'twilio.credentials.saved', credentials.accountSid, {
        requestId,
        apiKeySid: credentials.apiKeySid,
        replaced: existing !== null,
        keyId: sealed.keyId,
      })
      return maskedIntegration(record, credentials.apiKeySecret)
    },

    async getCredentials(ctx) {
      const requestId = requestIdOf(ctx)
      const record = await store.getIntegration(ctx.tenantId)
      if (!record) return null
      const secret = openSecret(
        deps,
        record.secretCiphertext,
        integrationSecretContext(ctx.tenantId),
        requestId,
      )
      return maskedIntegration(record, secret)
    },

    async deleteCredentials(ctx) {
      const requestId = requestIdOf(ctx)
      const existing = await store.getIntegration(ctx.tenantId)
      const deleted = await store.deleteIntegration(ctx.tenantId)
      if (deleted)
        await audit(deps, ctx, 'twilio.credentials.deleted', existing?.accountSid ?? null, {
          requestId,
          apiKeySid: existing?.apiKeySid,
        })
      return { deleted }
    },

    async listNumbers(ctx) {
      const requestId = requestIdOf(ctx)
      const { client } = await loadIntegration(deps, ctx.tenantId, requestId)
      const numbers = await twilioCall(
        deps,
        { tenantId: ctx.tenantId, requestId },
        'listing phone numbers',
        () => client.incomingPhoneNumbers.list({ pageSize: 1000 }),
      )
      const connections = new Map(
        (await store.listConnections(ctx.tenantId)).map((c) => [c.phoneNumberSid, c]),
      )
      return {
        numbers: numbers.map((n) => {
          const c = connections.get(n.sid)
          return {
            sid: n.sid,
            e164: n.phoneNumber,
            friendlyName: n.friendlyName,
            voiceCapable: n.capabilities?.voice !== false,
            trunkSid: n.trunkSid ?? null,
            connected: !!c && c.status === 'connected' && c.trunkSid === n.trunkSid,
          }
        }),
      }
    },

    connectNumber: (ctx, phoneNumberSid, input = {}) => connectNumberLocked(deps, ctx, phoneNumberSid, input),

    disconnectNumber(ctx, phoneNumberSid) {
      const requestId = requestIdOf(ctx)
      return store.withLock(`twilio:number:${ctx.tenantId}:${phoneNumberSid}`, async () => {
        const record = await store.getConnection(phoneNumberSid)
        if (!record || record.tenantId !== ctx.tenantId) {
          throw new TwilioOnboardingError(
            'NUMBER_NOT_FOUND',
            'This number is not connected in this workspace',
            { requestId },
          )
        }
        const { client } = await loadIntegration(deps, ctx.tenantId, requestId)
        const call = { tenantId: ctx.tenantId, requestId }
        const steps: ConnectStep[] = record.steps.length
          ? record.steps.map((s) => ({ ...s, status: 'skipped' as const }))
          : []
        const mark = (step: ConnectStep['step'], status: ConnectStep['status'], sid: string | null) => {
          const i = steps.findIndex((s) => s.step === step)
          if (i >= 0) steps[i] = { step, status, sid }
          else steps.push({ step, status, sid })
        }
        const detached = await twilioCall(deps, call, 'detaching the number from the trunk', async () => {
          let trunkSid: string | null
          try {
            trunkSid = (await client.incomingPhoneNumbers(phoneNumberSid).fetch()).trunkSid ?? null
          } catch (error) {
            if (isNotFound(error)) return false
            throw error
          }
          // Only detach from the trunk Ringline put it on; a number moved elsewhere since is left alone.
          if (!trunkSid || trunkSid !== record.trunkSid) return false
          try {
            await client.trunking.v1.trunks(trunkSid).phoneNumbers(phoneNumberSid).remove()
          } catch (error) {
            if (!isNotFound(error)) throw error
          }
          return true
        })
        mark('phone-number', detached ? 'updated' : 'skipped', phoneNumberSid)
        try {
          await deps.livekit.removeInbound({
            e164: record.e164,
            tenantId: ctx.tenantId,
            trunkId: record.livekitInboundTrunkId,
            ruleId: record.livekitDispatchRuleId,
          })
        } catch {
          throw new TwilioOnboardingError(
            'LIVEKIT_UNAVAILABLE',
            'Could not remove the LiveKit inbound trunk and dispatch rule; retry the disconnect',
            {
              requestId,
              retryable: true,
            },
          )
        }
        mark(
          'livekit-inbound-trunk',
          record.livekitInboundTrunkId ? 'updated' : 'skipped',
          record.livekitInboundTrunkId,
        )
        mark(
          'livekit-dispatch-rule',
          record.livekitDispatchRuleId ? 'updated' : 'skipped',
          record.livekitDispatchRuleId,
        )
        const updated: NumberConnectionRecord = {
          ...record,
          status: 'disconnected',
          livekitInboundTrunkId: null,
          livekitDispatchRuleId: null,
          steps,
          updatedAt: deps.now(),
        }
        await store.saveConnection(updated)
        await audit(deps, ctx, 'twilio.number.disconnected', phoneNumberSid, {
          requestId,
          e164: record.e164,
          trunkSid: record.trunkSid,
          detached,
        })
        return { ...toNumberConnection(updated), progress: 0 }
      })
    },

    async numberStatus(ctx, phoneNumberSid) {
      const requestId = requestIdOf(ctx)
      const { client } = await loadIntegration(deps, ctx.tenantId, requestId)
      const call = { tenantId: ctx.tenantId, requestId }
      const stored = await store.getConnection(phoneNumberSid)
      const record = stored && stored.tenantId === ctx.tenantId ? stored : null
      let number: Awaited<ReturnType<ReturnType<typeof client.incomingPhoneNumbers>['fetch']>>
      try {
        number = await twilioCall(deps, call, 'reading the phone number', () =>
          client.incomingPhoneNumbers(phoneNumberSid).fetch(),
        )
      } catch (error) {
        // Rejected credentials are a status to show (with what is stored), not a failure of the status read.
        if (!(error instanceof TwilioOnboardingError) || error.code !== 'AUTH_INVALID' || !record) throw error
        return { ...toNumberConnection(record), credentialsValid: false, originationUrls: [] }
      }
      let originationUrls: string[] = []
      const twilioTrunkSid = number.trunkSid ?? null
      const checks = {
        trunkExists: null as boolean | null,
        originationOk: null as boolean | null,
        credentialsLinked: null as boolean | null,
      }
      if (record?.trunkSid && record.status !== 'disconnected') {
        const tk = record.trunkSid
        await twilioCall(deps, call, 'reading the trunk', async () => {
          try {
            await client.trunking.v1.trunks(tk).fetch()
            checks.trunkExists = true
          } catch (error) {
            if (!isNotFound(error)) throw error
            checks.trunkExists = false
          }
          if (!checks.trunkExists) return
          const urls = await client.trunking.v1.trunks(tk).originationUrls.list({ pageSize: 100 })
          checks.originationOk = urls.some((o) => o.enabled && o.sipUrl === record.sipTarget)
          originationUrls = urls.filter((o) => o.enabled).map((o) => o.sipUrl)
          if (record.credentialListSid) {
            const links = await client.trunking.v1.trunks(tk).credentialsLists.list({ pageSize: 100 })
            checks.credentialsLinked = links.some((l) => l.sid === record.credentialListSid)
          }
        })
      }
      const drift = driftOf(record, twilioTrunkSid, checks)
      if (!record) {
        return {
          phoneNumberSid,
          e164: number.phoneNumber,
          status: 'disconnected',
          trunkSid: twilioTrunkSid,
          sipTarget: null,
          steps: [],
          drift,
          progress: 0,
          connectionId: null,
          credentialsValid: true,
          originationUrls,
          routing: null,
        }
      }
      const status = record.status === 'connected' && drift.length ? 'drift' : undefined
      return { ...toNumberConnection(record, drift, status), credentialsValid: true, originationUrls }
    },
  }
}
