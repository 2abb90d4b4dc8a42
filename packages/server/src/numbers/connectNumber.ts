import { randomBytes, randomUUID } from 'node:crypto'
import type { NumberConnection } from '@ringline/core/protocol'
import {
  type ConnectNumberInput,
  credentialListName,
  livekitError,
  newConnectionRecord,
  newPassword,
  ORIGINATION_URL_NAME,
  PN_RE,
  resolveSipTarget,
  terminationUsername,
  toNumberConnection,
  trunkFriendlyName,
} from './connectionRecord'
import {
  isNotFound,
  loadIntegration,
  type OnboardingDeps,
  openSecret,
  requestIdOf,
  terminationSecretContext,
  twilioCall,
} from './onboardingDeps'
import type { TwilioRestClient } from './twilioClient'
import { TwilioOnboardingError } from './twilioErrors'
import {
  CONNECT_STEPS,
  type ConnectStep,
  type ConnectStepName,
  type ConnectStepStatus,
  type NumberConnectionRecord,
  type OnboardingContext,
  type TrunkStrategy,
} from './types'

/** Connect one number; the caller holds the per-number lock. */
export async function runConnect(
  deps: OnboardingDeps,
  ctx: OnboardingContext,
  phoneNumberSid: string,
  input: ConnectNumberInput,
): Promise<NumberConnection> {
  const requestId = requestIdOf(ctx)
  const tenantId = ctx.tenantId
  const call = { tenantId, requestId }
  if (!PN_RE.test(phoneNumberSid)) {
    throw new TwilioOnboardingError(
      'NUMBER_NOT_FOUND',
      'Not a Twilio phone number SID (PN followed by 32 hex characters)',
      { requestId },
    )
  }
  const sipTarget = resolveSipTarget(deps, input.sipTarget, requestId)
  const { client } = await loadIntegration(deps, tenantId, requestId)
  const { store, secretBox, livekit, logger } = deps

  const number = await twilioCall(deps, call, 'fetching the phone number', () =>
    client.incomingPhoneNumbers(phoneNumberSid).fetch(),
  )
  if (number.capabilities && number.capabilities.voice === false) {
    throw new TwilioOnboardingError(
      'INVALID_REQUEST',
      `${number.phoneNumber} cannot receive voice calls on Twilio`,
      { requestId },
    )
  }

  const strategy: TrunkStrategy = input.trunkStrategy ?? deps.trunkStrategy
  let record = await store.getConnection(phoneNumberSid)
  if (record && record.tenantId !== tenantId) {
    if (record.status !== 'disconnected') {
      throw new TwilioOnboardingError('NUMBER_IN_USE', 'This number is connected by another workspace', {
        requestId,
      })
    }
    record = null
  }
  const now = deps.now()
  const rec: NumberConnectionRecord =
    record ?? newConnectionRecord(tenantId, phoneNumberSid, number.phoneNumber, now, strategy)
  if (record && record.trunkStrategy !== strategy) {
    // A strategy switch means another trunk: forget the Twilio-side ids tied to the old one.
    Object.assign(rec, {
      trunkSid: null,
      originationUrlSid: null,
      credentialListSid: null,
      credentialSid: null,
      terminationDomain: null,
    })
    Object.assign(rec, {
      terminationUsername: null,
      terminationPasswordCiphertext: null,
      terminationPasswordKeyId: null,
    })
  }
  Object.assign(rec, {
    e164: number.phoneNumber,
    trunkStrategy: strategy,
    sipTarget,
    routingPolicy: input.routing ?? rec.routingPolicy,
    status: 'connecting',
    lastErrorCode: null,
  })
  const steps = new Map<ConnectStepName, ConnectStep>(
    CONNECT_STEPS.map((s) => [s, { step: s, status: 'skipped', sid: null }]),
  )
  const save = async () => {
    rec.steps = CONNECT_STEPS.map((s) => steps.get(s) as ConnectStep)
    rec.updatedAt = deps.now()
    await store.saveConnection(rec)
  }
  const done = async (step: ConnectStepName, status: ConnectStepStatus, sid: string | null) => {
    steps.set(step, { step, status, sid })
    logger.info('twilio.connect.step', { tenantId, requestId, phoneNumberSid, step, status, sid })
    await save()
  }
  await save()

  const siblings = async () =>
    (await store.listConnections(tenantId)).filter((c) => c.phoneNumberSid !== phoneNumberSid)
  let current: ConnectStepName = 'trunk'
  try {
    // 1. Trunk: stored → a sibling's shared trunk → found by friendly name (crash recovery) → created.
    const friendly = trunkFriendlyName(tenantId, strategy, number.phoneNumber)
    const trunkLockKey =
      strategy === 'shared' ? `twilio:trunk:${tenantId}` : `twilio:trunk:${tenantId}:${phoneNumberSid}`
    const previousTrunkSid = rec.trunkSid
    const trunk = await store.withLock(trunkLockKey, async () => {
      const found = await twilioCall(deps, call, 'finding or creating the trunk', async () => {
        const candidates = [rec.trunkSid]
        if (strategy === 'shared') {
          for (const s of await siblings())
            if (s.trunkStrategy === 'shared' && s.trunkSid) candidates.push(s.trunkSid)
        }
        for (const sid of new Set(candidates)) {
          if (!sid) continue
          try {
            return { trunk: await client.trunking.v1.trunks(sid).fetch(), status: 'reused' as const }
          } catch (error) {
            if (!isNotFound(error)) throw error
          }
        }
        const found = (await client.trunking.v1.trunks.list({ pageSize: 100 })).find(
          (t) => t.friendlyName === friendly,
        )
        if (found) return { trunk: found, status: 'reused' as const }
        for (let i = 0; ; i++) {
          const domainName = `ringline-${randomBytes(6).toString('hex')}.pstn.twilio.com`
          try {
            return {
              trunk: await client.trunking.v1.trunks.create({ friendlyName: friendly, domainName }),
              status: 'created' as const,
            }
          } catch (error) {
            // Domain taken (Twilio reserves deleted domains for 30 days): draw another name.
            if ((error as { code?: unknown }).code !== 21248 || i >= 4) throw error
          }
        }
      })
      // Persist before releasing the lock, so a concurrent connect of another number sees this trunk.
      rec.trunkSid = found.trunk.sid
      await save()
      return found
    })
    let trunkInfo = trunk.trunk
    let trunkStatus: ConnectStepStatus = trunk.status
    if (!trunkInfo.domainName) {
      const domainName = `ringline-${randomBytes(6).toString('hex')}.pstn.twilio.com`
      trunkInfo = await twilioCall(deps, call, 'setting the trunk termination domain', () =>
        client.trunking.v1.trunks(trunkInfo.sid).update({ domainName }),
      )
      if (trunkStatus === 'reused') trunkStatus = 'updated'
    }
    const tk = trunkInfo.sid
    if (previousTrunkSid && previousTrunkSid !== tk) {
      Object.assign(rec, { originationUrlSid: null, credentialListSid: null, credentialSid: null })
    }
    rec.trunkSid = tk
    rec.terminationDomain = trunkInfo.domainName
    await done('trunk', trunkStatus, tk)

    // 2. Exactly one origination URL to the LiveKit SIP target.
    current = 'origination-url'
    const trunkConfigLock = `twilio:trunk-config:${tk}`
    await store.withLock(trunkConfigLock, async () => {
      const ou = await twilioCall(deps, call, 'configuring the origination URL', async () => {
        const urls = await client.trunking.v1.trunks(tk).originationUrls.list({ pageSize: 100 })
        const matching = urls.filter((o) => o.sipUrl === sipTarget)
        const keep = matching.find((o) => o.sid === rec.originationUrlSid) ?? matching[0]
        if (keep) {
          for (const dup of matching)
            if (dup.sid !== keep.sid) await client.trunking.v1.trunks(tk).originationUrls(dup.sid).remove()
          if (!keep.enabled) {
            await client.trunking.v1.trunks(tk).originationUrls(keep.sid).update({ enabled: true })
            return { sid: keep.sid, status: 'updated' as const }
          }
          return { sid: keep.sid, status: 'reused' as const }
        }
        const ours =
          urls.find((o) => o.sid === rec.originationUrlSid) ??
          urls.find((o) => o.friendlyName === ORIGINATION_URL_NAME)
        if (ours) {
          await client.trunking.v1
            .trunks(tk)
            .originationUrls(ours.sid)
            .update({ sipUrl: sipTarget, enabled: true })
          return { sid: ours.sid, status: 'updated' as const }
        }
        const created = await client.trunking.v1.trunks(tk).originationUrls.create({
          friendlyName: ORIGINATION_URL_NAME,
          sipUrl: sipTarget,
          weight: 1,
          priority: 1,
          enabled: true,
        })
        return { sid: created.sid, status: 'created' as const }
      })
      rec.originationUrlSid = ou.sid
      await done('origination-url', ou.status, ou.sid)
    })

    // 3. The number on the trunk; moving it off a foreign trunk needs `force`.
    current = 'phone-number'
    const ownTrunks = new Set((await siblings()).map((s) => s.trunkSid).filter(Boolean))
    const attach = await twilioCall(deps, call, 'attaching the number to the trunk', async () => {
      const fresh = await client.incomingPhoneNumbers(phoneNumberSid).fetch()
      if (fresh.trunkSid === tk) return 'reused' as const
      if (fresh.trunkSid) {
        if (!input.force && !ownTrunks.has(fresh.trunkSid)) {
          throw new TwilioOnboardingError(
            'NUMBER_IN_USE',
            `${fresh.phoneNumber} is on another Twilio trunk (${fresh.trunkSid}); connect with force: true to move it to Ringline`,
            { requestId, details: { currentTrunkSid: fresh.trunkSid } },
          )
        }
        try {
          await client.trunking.v1.trunks(fresh.trunkSid).phoneNumbers(phoneNumberSid).remove()
        } catch (error) {
          if (!isNotFound(error)) throw error
        }
        await client.trunking.v1.trunks(tk).phoneNumbers.create({ phoneNumberSid })
        return 'updated' as const
      }
      if (fresh.voiceUrl || fresh.voiceApplicationSid) {
        logger.warn('twilio.connect.voice-url-replaced', { tenantId, requestId, phoneNumberSid })
      }
      await client.trunking.v1.trunks(tk).phoneNumbers.create({ phoneNumberSid })
      return 'created' as const
    })
    await done('phone-number', attach, phoneNumberSid)

    // 4. Termination credentials: list (unique name per trunk) + one credential + link to the trunk.
    current = 'credential-list'
    // Numbers sharing the trunk share its credentials: serialize per trunk so only one list and credential exist.
    const { username, password } = await store.withLock(trunkConfigLock, async () => {
      const sibling = (await siblings()).find(
        (s) => s.trunkSid === tk && s.terminationPasswordCiphertext && s.terminationUsername,
      )
      if (!rec.terminationUsername || !rec.terminationPasswordCiphertext) {
        if (sibling) {
          Object.assign(rec, {
            terminationUsername: sibling.terminationUsername,
            terminationPasswordCiphertext: sibling.terminationPasswordCiphertext,
            terminationPasswordKeyId: sibling.terminationPasswordKeyId,
            credentialSid: rec.credentialSid ?? sibling.credentialSid,
            credentialListSid: rec.credentialListSid ?? sibling.credentialListSid,
          })
        } else {
          // Persist the password before Twilio sees it, so a crash in between cannot lose it.
          const sealed = secretBox.encrypt(newPassword(), terminationSecretContext(tk))
          Object.assign(rec, {
            terminationUsername: terminationUsername(tk),
            terminationPasswordCiphertext: sealed.ciphertext,
            terminationPasswordKeyId: sealed.keyId,
            credentialSid: null,
          })
        }
        await save()
      }
      const username = rec.terminationUsername as string
      const password = openSecret(
        deps,
        rec.terminationPasswordCiphertext as string,
        terminationSecretContext(tk),
        requestId,
      )
      const creds = await twilioCall(deps, call, 'setting up termination credentials', async () => {
        let changed: 'created' | 'updated' | null = null
        let list = null as { sid: string } | null
        if (rec.credentialListSid) {
          try {
            list = await client.sip.credentialLists(rec.credentialListSid).fetch()
          } catch (error) {
            if (!isNotFound(error)) throw error
          }
        }
        if (!list) {
          const name = credentialListName(tk)
          list =
            (await client.sip.credentialLists.list({ pageSize: 100 })).find((l) => l.friendlyName === name) ??
            null
          if (!list) {
            list = await client.sip.credentialLists.create({ friendlyName: name })
            changed = 'created'
          }
          rec.credentialListSid = list.sid
          await save()
        }
        const listSid = list.sid
        const existing = (await client.sip.credentialLists(listSid).credentials.list({ pageSize: 100 })).find(
          (c) => c.username === username,
        )
        if (!existing) {
          const cr = await client.sip.credentialLists(listSid).credentials.create({ username, password })
          rec.credentialSid = cr.sid
          changed ??= 'updated'
        } else if (existing.sid !== rec.credentialSid) {
          // Found but not known to be ours with this password (e.g. after a crash): set the stored password.
          await client.sip.credentialLists(listSid).credentials(existing.sid).update({ password })
          rec.credentialSid = existing.sid
          changed ??= 'updated'
        }
        await save()
        const links = await client.trunking.v1.trunks(tk).credentialsLists.list({ pageSize: 100 })
        if (!links.some((l) => l.sid === listSid)) {
          await client.trunking.v1.trunks(tk).credentialsLists.create({ credentialListSid: listSid })
          changed ??= 'updated'
        }
        return { sid: listSid, status: (changed ?? 'reused') as ConnectStepStatus }
      })
      await done('credential-list', creds.status, creds.sid)
      return { username, password }
    })

    // 5. LiveKit inbound trunk + dispatch rule for the number.
    current = 'livekit-inbound-trunk'
    let inbound: Awaited<ReturnType<typeof livekit.provisionInbound>>
    try {
      inbound = await livekit.provisionInbound({
        e164: rec.e164,
        tenantId,
        policy: rec.routingPolicy,
        existing: { trunkId: rec.livekitInboundTrunkId, ruleId: rec.livekitDispatchRuleId },
      })
    } catch (error) {
      throw livekitError(error, 'creating the inbound trunk and dispatch rule', requestId)
    }
    const inboundStatus =
      inbound.trunkStatus ?? (inbound.trunkId === rec.livekitInboundTrunkId ? 'reused' : 'created')
    const ruleStatus =
      inbound.ruleStatus ?? (inbound.ruleId === rec.livekitDispatchRuleId ? 'reused' : 'created')
    rec.livekitInboundTrunkId = inbound.trunkId
    rec.livekitDispatchRuleId = inbound.ruleId
    steps.set('livekit-inbound-trunk', {
      step: 'livekit-inbound-trunk',
      status: inboundStatus,
      sid: inbound.trunkId,
    })
    await done('livekit-dispatch-rule', ruleStatus, inbound.ruleId)

    // 6. LiveKit outbound trunk to the Twilio termination domain, numbers of this trunk as caller ids.
    current = 'livekit-outbound-trunk'
    await store.withLock(trunkConfigLock, async () => {
      // Connecting siblings count too: the last writer under the lock then lists every number of the trunk.
      const onTrunk = (await siblings()).filter(
        (s) => s.trunkSid === tk && (s.status === 'connected' || s.status === 'connecting'),
      )
      const existingOutbound =
        rec.livekitOutboundTrunkId ??
        onTrunk.find((s) => s.livekitOutboundTrunkId)?.livekitOutboundTrunkId ??
        null
      let outbound: Awaited<ReturnType<typeof livekit.ensureOutboundTrunk>>
      try {
        outbound = await livekit.ensureOutboundTrunk({
          address: rec.terminationDomain as string,
          auth: { username, password },
          tenantId,
          numbers: [...new Set([...onTrunk.map((s) => s.e164), rec.e164])].sort(),
          existingId: existingOutbound,
        })
      } catch (error) {
        throw livekitError(error, 'creating the outbound trunk', requestId)
      }
      rec.livekitOutboundTrunkId = outbound.trunkId
      rec.status = 'connected'
      await done(
        'livekit-outbound-trunk',
        outbound.status ?? (outbound.trunkId === existingOutbound ? 'reused' : 'created'),
        outbound.trunkId,
      )
    })
  } catch (raw) {
    const error = raw instanceof TwilioOnboardingError ? raw : livekitError(raw, current, requestId)
    steps.set(current, { step: current, status: 'failed', sid: steps.get(current)?.sid ?? null })
    rec.status = 'partial'
    rec.lastErrorCode = error.code
    await save().catch(() => undefined)
    throw new TwilioOnboardingError(error.code, error.message, {
      requestId,
      twilio: error.twilio,
      retryAfterMs: error.retryAfterMs,
      retryable: error.retryable,
      details: { ...error.details, step: current, steps: rec.steps },
    })
  }

  await store.appendAudit({
    id: `audit_${randomUUID()}`,
    tenantId,
    userId: ctx.userId ?? null,
    action: 'twilio.number.connected',
    target: phoneNumberSid,
    detail: {
      requestId,
      e164: rec.e164,
      trunkSid: rec.trunkSid,
      sipTarget,
      steps: rec.steps.map((s) => `${s.step}:${s.status}`),
    },
    createdAt: deps.now(),
  })
  return toNumberConnection(rec)
}

/** Connect under the per tenant+number lock, so concurrent connects of one number run one after another. */
export function connectNumberLocked(
  deps: OnboardingDeps,
  ctx: OnboardingContext,
  phoneNumberSid: string,
  input: ConnectNumberInput,
): Promise<NumberConnection> {
  const withId = { ...ctx, requestId: requestIdOf(ctx) }
  return deps.store.withLock(`twilio:number:${ctx.tenantId}:${phoneNumberSid}`, () =>
    runConnect(deps, withId, phoneNumberSid, input),
  )
}

/** Used by `numberStatus` and `disconnect` to avoid leaking TwilioRestClient into other files' signatures. */
export type { TwilioRestClient }
