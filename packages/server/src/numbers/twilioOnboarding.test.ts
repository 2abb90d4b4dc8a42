import { numberConnectionSchema, twilioIntegrationSchema } from '@ringline/core/protocol'
import twilio from 'twilio'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  acme,
  creds,
  ctx,
  expectSingleSetup,
  FOREIGN_TRUNK,
  failure,
  h,
  key,
  noTrunking,
  numberSid,
  other,
  restricted,
  SIP,
  SIP_TCP,
  sim,
  useOnboardingHarness,
} from '../../test/twilioOnboardingFixture'
import { createRecordingLivekitProvisioner } from '../testing/recordingLivekitProvisioner'
import { sipSetup } from './sipSetup'

useOnboardingHarness()

describe('credentials', () => {
  it('verifies without writing, saves encrypted, returns masked values, audits without secrets', async () => {
    const v = await h.service.verifyCredentials(ctx, creds)
    expect(v).toEqual({
      ok: true,
      accountSid: acme.sid,
      apiKeySid: `SK…${key.sid.slice(-4)}`,
      apiKeySecretMasked: `…${key.secret.slice(-4)}`,
      trunkingEnabled: true,
    })
    expect(h.store.dump().integrations).toEqual([])
    const saved = await h.service.saveCredentials(ctx, creds)
    expect(twilioIntegrationSchema.parse(saved)).toMatchObject({ accountSid: acme.sid, status: 'saved' })
    const row = h.store.dump().integrations[0]
    expect(row?.secretCiphertext).toMatch(/^rl1\./)
    expect(row?.apiKeySid).toBe(key.sid)
    expect(await h.service.getCredentials(ctx)).toEqual(saved)
    expect(await h.service.getCredentials({ tenantId: 'someone-else' })).toBeNull()
    expect(h.store.audit.map((a) => a.action)).toEqual([
      'twilio.credentials.verified',
      'twilio.credentials.saved',
    ])
    expect(await h.service.deleteCredentials(ctx)).toEqual({ deleted: true })
    expect(await h.service.getCredentials(ctx)).toBeNull()
    expect(h.store.audit.at(-1)?.action).toBe('twilio.credentials.deleted')
  })

  it('bad key → AUTH_INVALID, nothing stored', async () => {
    const e = await failure(
      h.service.saveCredentials({ ...ctx, requestId: 'req-42' }, { ...creds, apiKeySecret: 'x'.repeat(32) }),
    )
    expect(e.code).toBe('AUTH_INVALID')
    expect(e.status).toBe(400)
    expect(e.requestId).toBe('req-42')
    expect(e.twilio).toMatchObject({ status: 401, code: 20003 })
    expect(h.store.dump().integrations).toEqual([])
    const cross = await failure(h.service.verifyCredentials(ctx, { ...creds, accountSid: other.sid }))
    expect(cross.code).toBe('AUTH_INVALID')
  })

  it('malformed input → INVALID_REQUEST naming the field, never the value', async () => {
    const e = await failure(h.service.verifyCredentials(ctx, { ...creds, apiKeySid: 'nope' }))
    expect(e.code).toBe('INVALID_REQUEST')
    expect(e.details).toMatchObject({ field: 'apiKeySid' })
  })

  it('key without trunking permission → INSUFFICIENT_PERMISSIONS; account without trunking → flagged, connect → TRUNKING_NOT_ENABLED', async () => {
    const e = await failure(
      h.service.verifyCredentials(ctx, {
        ...creds,
        apiKeySid: restricted.sid,
        apiKeySecret: restricted.secret,
      }),
    )
    expect(e.code).toBe('INSUFFICIENT_PERMISSIONS')
    const k = noTrunking.keys[0] as { sid: string; secret: string }
    const nt = { accountSid: noTrunking.sid, apiKeySid: k.sid, apiKeySecret: k.secret }
    const v = await h.service.verifyCredentials(ctx, nt)
    expect(v.trunkingEnabled).toBe(false)
    await h.service.saveCredentials(ctx, nt)
    const c = await failure(h.service.connectNumber(ctx, numberSid('+17185550100', noTrunking.sid)))
    expect(c.code).toBe('TRUNKING_NOT_ENABLED')
    expect(c.details).toMatchObject({ step: 'trunk', twilioCode: 10002 })
  })
})

describe('numbers', () => {
  it('lists every number across pages with voice capability and current trunk', async () => {
    await h.service.saveCredentials(ctx, creds)
    const { numbers } = await h.service.listNumbers(ctx)
    expect(numbers).toHaveLength(59)
    expect(numbers.find((n) => n.e164 === '+14155550102')).toMatchObject({
      trunkSid: FOREIGN_TRUNK,
      connected: false,
      voiceCapable: true,
    })
    expect(numbers.find((n) => n.e164 === '+14155550103')?.voiceCapable).toBe(false)
    expect(numbers.find((n) => n.e164 === '+14155550100')).toMatchObject({
      friendlyName: '(415) 555-0100',
      trunkSid: null,
    })
  })

  it('without saved credentials → NOT_CONFIGURED', async () => {
    expect((await failure(h.service.listNumbers(ctx))).code).toBe('NOT_CONFIGURED')
  })
})

describe('disconnect and status', () => {
  beforeEach(async () => {
    await h.service.saveCredentials(ctx, creds)
  })

  it('disconnect detaches the number, removes the LiveKit inbound side, keeps the record; reconnect reuses the trunk', async () => {
    const pn = numberSid('+14155550100')
    const connected = await h.service.connectNumber(ctx, pn)
    const res = numberConnectionSchema.parse(await h.service.disconnectNumber(ctx, pn))
    expect(res.status).toBe('disconnected')
    expect(sim.state(acme.sid).numbers.find((n) => n.sid === pn)?.trunkSid).toBeNull()
    expect(h.livekit.state.inbound.has('+14155550100')).toBe(false)
    expect(h.store.dump().connections[0]).toMatchObject({
      status: 'disconnected',
      trunkSid: connected.trunkSid,
      livekitInboundTrunkId: null,
    })
    expect(h.store.audit.at(-1)).toMatchObject({ action: 'twilio.number.disconnected', target: pn })
    expect((await h.service.numberStatus(ctx, pn)).status).toBe('disconnected')
    const again = await h.service.connectNumber(ctx, pn)
    expect(again.trunkSid).toBe(connected.trunkSid)
    expect(again.steps.find((s) => s.step === 'phone-number')?.status).toBe('created')
    expectSingleSetup()
  })

  it('disconnect of an unknown number → NUMBER_NOT_FOUND', async () => {
    expect((await failure(h.service.disconnectNumber(ctx, numberSid('+14155550101')))).code).toBe(
      'NUMBER_NOT_FOUND',
    )
  })

  it('status calls out drift between Twilio and the stored state', async () => {
    const pn = numberSid('+14155550100')
    const connected = await h.service.connectNumber(ctx, pn)
    const c = twilio(key.sid, key.secret, { accountSid: acme.sid })
    await c.trunking.v1
      .trunks(connected.trunkSid as string)
      .phoneNumbers(pn)
      .remove()
    const ou = sim.state(acme.sid).originationUrls[0]?.sid as string
    await c.trunking.v1
      .trunks(connected.trunkSid as string)
      .originationUrls(ou)
      .update({ enabled: false })
    const status = numberConnectionSchema.parse(await h.service.numberStatus(ctx, pn))
    expect(status.status).toBe('drift')
    expect(status.drift).toEqual([
      `Number is on no trunk in Twilio (expected ${connected.trunkSid})`,
      `Trunk has no enabled origination URL to ${SIP_TCP}`,
    ])
    // Connect repairs it.
    await h.service.connectNumber(ctx, pn)
    expect((await h.service.numberStatus(ctx, pn)).status).toBe('connected')
    const unconnected = await h.service.numberStatus(ctx, numberSid('+14155550102'))
    expect(unconnected).toMatchObject({ status: 'disconnected', trunkSid: FOREIGN_TRUNK, drift: [] })
  })

  it('status reports rejected credentials with the stored state instead of failing', async () => {
    const pn = numberSid('+14155550100')
    const connected = await h.service.connectNumber(ctx, pn)
    const ok = numberConnectionSchema.parse(await h.service.numberStatus(ctx, pn))
    expect(ok).toMatchObject({
      credentialsValid: true,
      originationUrls: [SIP_TCP],
      connectionId: expect.any(String),
    })
    // The key was revoked in Twilio: every call answers 401.
    const fault = sim.fault('incomingPhoneNumbers.*', { status: 401, times: Number.POSITIVE_INFINITY })
    try {
      const status = numberConnectionSchema.parse(await h.service.numberStatus(ctx, pn))
      expect(status).toMatchObject({
        credentialsValid: false,
        originationUrls: [],
        trunkSid: connected.trunkSid,
        connectionId: ok.connectionId,
      })
      // A number never connected has no stored state to show: the error stands.
      expect((await failure(h.service.numberStatus(ctx, numberSid('+14155550102')))).code).toBe(
        'AUTH_INVALID',
      )
    } finally {
      fault.remove()
    }
  })
})

describe('sipSetup (CLI)', () => {
  it('connects one number by E.164, prints created, then reused on rerun', async () => {
    const livekit = createRecordingLivekitProvisioner()
    const lines: string[] = []
    const opts = {
      ...creds,
      phoneNumber: '+14155550101',
      sipTarget: SIP,
      livekit,
      print: (l: string) => lines.push(l),
      retry: { sleep: async () => undefined },
    }
    const first = await sipSetup(opts)
    expect(first.status).toBe('connected')
    expect(lines.join('\n')).toMatch(/Twilio trunk\s+created\s+TK/)
    expect(lines.at(-1)).toBe(`+14155550101 now rings LiveKit at ${SIP_TCP} (trunk ${first.trunkSid})`)
    lines.length = 0
    const second = await sipSetup(opts)
    expect(second.trunkSid).toBe(first.trunkSid)
    expect(lines.join('\n')).toMatch(/Twilio trunk\s+reused/)
    expect(lines.join('\n')).toMatch(/Origination URL\s+reused/)
    expectSingleSetup('+14155550101')
    expect(lines.join('\n')).not.toContain(key.secret)
    const e = await failure(sipSetup({ ...opts, phoneNumber: '+19995550000' }))
    expect(e.code).toBe('NUMBER_NOT_FOUND')
  })
})
