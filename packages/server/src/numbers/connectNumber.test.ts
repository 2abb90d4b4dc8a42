import { numberConnectionSchema } from '@ringline/core/protocol'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  acme,
  creds,
  ctx,
  expectSingleSetup,
  FOREIGN_TRUNK,
  failure,
  h,
  harness,
  numberSid,
  other,
  SIP_TCP,
  setHarness,
  sim,
  useOnboardingHarness,
} from '../../test/twilioOnboardingFixture'

useOnboardingHarness()

describe('connectNumber', () => {
  beforeEach(async () => {
    await h.service.saveCredentials(ctx, creds)
  })

  it('happy path: trunk, origination URL, number, termination credentials, LiveKit trunks and rule', async () => {
    const pn = numberSid('+14155550100')
    const res = numberConnectionSchema.parse(
      await h.service.connectNumber(ctx, pn, { routing: { policy: 'ring-all' } }),
    )
    expect(res).toMatchObject({
      phoneNumberSid: pn,
      e164: '+14155550100',
      status: 'connected',
      sipTarget: SIP_TCP,
      drift: [],
      progress: 100,
    })
    expect(res.steps.map((s) => [s.step, s.status])).toEqual([
      ['trunk', 'created'],
      ['origination-url', 'created'],
      ['phone-number', 'created'],
      ['credential-list', 'created'],
      ['livekit-inbound-trunk', 'created'],
      ['livekit-dispatch-rule', 'created'],
      ['livekit-outbound-trunk', 'created'],
    ])
    const { tk, s } = expectSingleSetup()
    expect(res.trunkSid).toBe(tk)
    const trunk = s.trunks.find((t) => t.sid === tk)
    expect(trunk?.authTypeSet).toEqual(['CREDENTIAL_LIST'])
    const cred = s.credentialLists[0]?.credentials[0]
    const outbound = h.livekit.state.outbound.get(trunk?.domainName as string)
    expect(outbound).toMatchObject({
      username: cred?.username,
      password: cred?.password,
      numbers: ['+14155550100'],
    })
    expect(h.livekit.state.inbound.get('+14155550100')).toMatchObject({
      tenantId: 'tenant-a',
      policy: { policy: 'ring-all' },
    })
    const row = h.store.dump().connections[0]
    expect(row).toMatchObject({
      status: 'connected',
      trunkSid: tk,
      originationUrlSid: s.originationUrls[0]?.sid,
      credentialListSid: s.credentialLists[0]?.sid,
    })
    expect(row?.terminationPasswordCiphertext).not.toContain(cred?.password as string)
    expect(JSON.stringify(h.store.dump())).not.toContain(cred?.password as string)
    expect(h.store.audit.at(-1)).toMatchObject({
      action: 'twilio.number.connected',
      target: pn,
      userId: 'user-1',
    })
    const status = numberConnectionSchema.parse(await h.service.numberStatus(ctx, pn))
    expect(status).toMatchObject({ status: 'connected', drift: [] })
    const listed = (await h.service.listNumbers(ctx)).numbers.find((n) => n.sid === pn)
    expect(listed).toMatchObject({ connected: true, trunkSid: tk })
  })

  it('connect twice → everything reused, nothing duplicated', async () => {
    const pn = numberSid('+14155550100')
    await h.service.connectNumber(ctx, pn)
    const again = await h.service.connectNumber(ctx, pn)
    expect(again.steps.map((s) => s.status)).toEqual([
      'reused',
      'reused',
      'reused',
      'reused',
      'reused',
      'reused',
      'reused',
    ])
    expectSingleSetup()
    expect(h.livekit.state.outbound.size).toBe(1)
  })

  it('10 connects at once → one trunk, one origination URL, one attachment', async () => {
    const pn = numberSid('+14155550100')
    const results = await Promise.all(Array.from({ length: 10 }, () => h.service.connectNumber(ctx, pn)))
    expect(new Set(results.map((r) => r.trunkSid)).size).toBe(1)
    expect(results.every((r) => r.status === 'connected')).toBe(true)
    expectSingleSetup()
    expect(sim.requests.filter((r) => r.routeId === 'trunks.create')).toHaveLength(1)
    expect(sim.requests.filter((r) => r.routeId === 'trunkPhoneNumbers.create')).toHaveLength(1)
  })

  it('two numbers at once share the tenant trunk and its termination credentials', async () => {
    const [a, b] = await Promise.all([
      h.service.connectNumber(ctx, numberSid('+14155550100')),
      h.service.connectNumber(ctx, numberSid('+14155550101')),
    ])
    expect(a.trunkSid).toBe(b.trunkSid)
    const s = sim.state(acme.sid)
    expect(s.trunks).toHaveLength(2)
    expect(s.originationUrls).toHaveLength(1)
    expect(s.credentialLists).toHaveLength(1)
    expect(s.credentialLists[0]?.credentials).toHaveLength(1)
    // The second connect passes both numbers as caller ids of the one outbound trunk.
    expect([...h.livekit.state.outbound.values()]).toHaveLength(1)
    const both = await h.service.connectNumber(ctx, numberSid('+14155550100'))
    expect(both.steps.find((x) => x.step === 'livekit-outbound-trunk')?.status).toMatch(/reused|updated/)
    expect([...h.livekit.state.outbound.values()][0]?.numbers).toEqual(['+14155550100', '+14155550101'])
  })

  it('dedicated strategy → a trunk per number', async () => {
    await h.service.connectNumber(ctx, numberSid('+14155550100'), { trunkStrategy: 'dedicated' })
    await h.service.connectNumber(ctx, numberSid('+14155550101'), { trunkStrategy: 'dedicated' })
    const s = sim.state(acme.sid)
    expect(s.trunks.filter((t) => t.sid !== FOREIGN_TRUNK)).toHaveLength(2)
    expect(s.credentialLists).toHaveLength(2)
    expect(h.livekit.state.outbound.size).toBe(2)
  })

  const steps: Array<[string, string]> = [
    ['incomingPhoneNumbers.fetch', 'phone number'],
    ['trunks.list', 'trunk lookup'],
    ['trunks.create', 'trunk'],
    ['originationUrls.list', 'origination lookup'],
    ['originationUrls.create', 'origination URL'],
    ['trunkPhoneNumbers.create', 'attachment'],
    ['credentialLists.list', 'credential list lookup'],
    ['credentialLists.create', 'credential list'],
    ['credentials.list', 'credential lookup'],
    ['credentials.create', 'credential'],
    ['trunkCredentialLists.list', 'association lookup'],
    ['trunkCredentialLists.create', 'association'],
  ]
  const faults = [
    { name: '429 with Retry-After', fault: { status: 429, retryAfter: 1, times: 2 } },
    { name: '503', fault: { status: 503, times: 2 } },
    { name: '500 after the change (lost response)', fault: { status: 500, when: 'after' as const } },
    { name: 'network error', fault: { networkError: true } },
  ]
  for (const [route, label] of steps) {
    for (const { name, fault } of faults) {
      it(`${name} on ${label} (${route}) → converges to one setup`, async () => {
        const f = sim.fault(route, fault)
        const res = await h.service.connectNumber(ctx, numberSid('+14155550100'))
        expect(res.status).toBe('connected')
        expect(f.hits).toBeGreaterThan(0)
        expectSingleSetup()
        if (fault.status === 429) expect(h.sleeps.filter((ms) => ms === 1000)).toHaveLength(2)
        const s = sim.state(acme.sid)
        expect(
          h.livekit.state.outbound.get(s.trunks.find((t) => t.sid !== FOREIGN_TRUNK)?.domainName as string)
            ?.password,
        ).toBe(s.credentialLists[0]?.credentials[0]?.password)
      })
    }
  }

  it('persists SIDs as they are created, so a failed connect resumes instead of duplicating', async () => {
    const pn = numberSid('+14155550100')
    sim.fault('originationUrls.create', { status: 503, times: Number.POSITIVE_INFINITY })
    const e = await failure(h.service.connectNumber(ctx, pn))
    expect(e.code).toBe('UPSTREAM_ERROR')
    expect(e.details).toMatchObject({ step: 'origination-url' })
    const row = h.store.dump().connections[0]
    expect(row).toMatchObject({ status: 'partial', lastErrorCode: 'UPSTREAM_ERROR' })
    expect(row?.trunkSid).toMatch(/^TK/)
    expect(row?.steps.map((s) => s.status)).toEqual([
      'created',
      'failed',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
      'skipped',
    ])
    expect((await h.service.numberStatus(ctx, pn)).status).toBe('partial')
    sim.clearFaults()
    const res = await h.service.connectNumber(ctx, pn)
    expect(res.steps[0]).toMatchObject({ step: 'trunk', status: 'reused', sid: row?.trunkSid })
    expectSingleSetup()
  })

  it('recovers a trunk created before a crash by its name, without the stored SID', async () => {
    const pn = numberSid('+14155550100')
    await h.service.connectNumber(ctx, pn)
    // A fresh store (lost database row) against the same Twilio account.
    const fresh = harness()
    await fresh.service.saveCredentials(ctx, creds)
    const res = await fresh.service.connectNumber(ctx, pn)
    expect(res.steps.slice(0, 3).map((s) => s.status)).toEqual(['reused', 'reused', 'reused'])
    expect(res.steps[3]?.status).toBe('updated') // the password is unknown to the new store, so it is reset
    expectSingleSetup()
    const s = sim.state(acme.sid)
    expect(
      fresh.livekit.state.outbound.get(s.trunks.find((t) => t.sid !== FOREIGN_TRUNK)?.domainName as string)
        ?.password,
    ).toBe(s.credentialLists[0]?.credentials[0]?.password)
    setHarness(fresh)
  })

  it('rate limited beyond the retries → RATE_LIMITED with Retry-After', async () => {
    sim.fault('trunks.create', { status: 429, retryAfter: 3, times: Number.POSITIVE_INFINITY })
    const e = await failure(h.service.connectNumber(ctx, numberSid('+14155550100')))
    expect(e.code).toBe('RATE_LIMITED')
    expect(e.retryAfterMs).toBe(3000)
    expect(e.headers).toEqual({ 'Retry-After': '3' })
    expect(h.sleeps).toEqual([3000, 3000, 3000, 3000])
    sim.clearFaults()
    sim.fault('trunks.create', { status: 429, retryAfter: 120 })
    const long = await failure(h.service.connectNumber(ctx, numberSid('+14155550100')))
    expect(long.code).toBe('RATE_LIMITED')
    expect(h.sleeps).toHaveLength(4)
  })

  it('number of another account → NUMBER_NOT_FOUND; malformed SID too', async () => {
    const e = await failure(h.service.connectNumber(ctx, numberSid('+13105550100', other.sid)))
    expect(e.code).toBe('NUMBER_NOT_FOUND')
    expect(e.status).toBe(404)
    expect((await failure(h.service.connectNumber(ctx, 'PN123'))).code).toBe('NUMBER_NOT_FOUND')
    expect(sim.state(acme.sid).trunks).toHaveLength(1)
  })

  it('number on a foreign trunk → NUMBER_IN_USE unless force', async () => {
    const pn = numberSid('+14155550102')
    const e = await failure(h.service.connectNumber(ctx, pn))
    expect(e.code).toBe('NUMBER_IN_USE')
    expect(e.details).toMatchObject({ currentTrunkSid: FOREIGN_TRUNK, step: 'phone-number' })
    expect(sim.state(acme.sid).numbers.find((n) => n.sid === pn)?.trunkSid).toBe(FOREIGN_TRUNK)
    const res = await h.service.connectNumber(ctx, pn, { force: true })
    expect(res.steps.find((s) => s.step === 'phone-number')?.status).toBe('updated')
    expect(sim.state(acme.sid).numbers.find((n) => n.sid === pn)?.trunkSid).toBe(res.trunkSid)
  })

  it('a number connected by another tenant → NUMBER_IN_USE', async () => {
    const pn = numberSid('+14155550100')
    await h.service.connectNumber(ctx, pn)
    await h.service.saveCredentials({ tenantId: 'tenant-b' }, creds)
    expect((await failure(h.service.connectNumber({ tenantId: 'tenant-b' }, pn))).code).toBe('NUMBER_IN_USE')
  })

  it('invalid SIP target → INVALID_SIP_TARGET before any Twilio call', async () => {
    for (const bad of [
      'http://x.example.com',
      'sips:abc.sip.livekit.cloud',
      'sip:user@abc.sip.livekit.cloud',
      'sip:abc .cloud',
      'sip:abc.cloud;transport=ws',
      '',
    ]) {
      const local = harness({ sipTarget: bad })
      await local.service.saveCredentials(ctx, creds)
      const before = sim.requests.length
      const e = await failure(local.service.connectNumber(ctx, numberSid('+14155550100')))
      expect(e.code, bad).toBe(bad ? 'INVALID_SIP_TARGET' : 'NOT_CONFIGURED')
      expect(sim.requests.length).toBe(before)
    }
  })

  it('a voice-less number is refused', async () => {
    expect((await failure(h.service.connectNumber(ctx, numberSid('+14155550103')))).code).toBe(
      'INVALID_REQUEST',
    )
  })

  it('LiveKit failure → LIVEKIT_UNAVAILABLE at its step; the retry completes', async () => {
    const pn = numberSid('+14155550100')
    h.livekit.failNext('ensureOutboundTrunk')
    const e = await failure(h.service.connectNumber(ctx, pn))
    expect(e.code).toBe('LIVEKIT_UNAVAILABLE')
    expect(e.details).toMatchObject({ step: 'livekit-outbound-trunk' })
    const res = await h.service.connectNumber(ctx, pn)
    expect(res.status).toBe('connected')
    expectSingleSetup()
  })
})
