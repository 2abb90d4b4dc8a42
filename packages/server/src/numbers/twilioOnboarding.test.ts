import { inspect } from 'node:util'
import { numberConnectionSchema, twilioIntegrationSchema } from '@ringline/core/protocol'
import twilio from 'twilio'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSecretBox } from '../crypto/secretBox'
import { createRecordingLivekitProvisioner } from '../testing/recordingLivekitProvisioner'
import { createTwilioSimulator } from '../testing/twilioSimulator'
import { createMemoryTwilioOnboardingStore, type MemoryTwilioOnboardingStore } from './memoryOnboardingStore'
import { sipSetup } from './sipSetup'
import { TwilioOnboardingError } from './twilioErrors'
import { createTwilioOnboarding, type TwilioOnboarding } from './twilioOnboarding'

for (const k of Object.keys(process.env))
  if (k.startsWith('TWILIO_') || /^https?_proxy$/i.test(k)) delete process.env[k]

const FOREIGN_TRUNK = `TK${'f'.repeat(32)}`
const sim = createTwilioSimulator({
  accounts: [
    {
      friendlyName: 'Acme',
      keys: [{}, { type: 'restricted', allow: ['api'] }],
      trunks: [{ sid: FOREIGN_TRUNK, friendlyName: 'Old PBX', domainName: 'old-pbx.pstn.twilio.com' }],
      numbers: [
        { phoneNumber: '+14155550100' },
        { phoneNumber: '+14155550101' },
        { phoneNumber: '+14155550102', trunkSid: FOREIGN_TRUNK },
        { phoneNumber: '+14155550103', capabilities: { voice: false } },
        ...Array.from({ length: 55 }, (_, i) => ({ phoneNumber: `+1646555${String(i).padStart(4, '0')}` })),
      ],
    },
    { friendlyName: 'Other', numbers: [{ phoneNumber: '+13105550100' }] },
    { friendlyName: 'No trunking', trunkingEnabled: false, numbers: [{ phoneNumber: '+17185550100' }] },
  ],
})
const acme = sim.account(0)
const key = acme.keys[0] as { sid: string; secret: string }
const restricted = acme.keys[1] as { sid: string; secret: string }
const other = sim.account(1)
const noTrunking = sim.account(2)
const creds = { accountSid: acme.sid, apiKeySid: key.sid, apiKeySecret: key.secret }
const SIP = 'sip:abc123.sip.livekit.cloud'
const SIP_TCP = 'sip:abc123.sip.livekit.cloud;transport=tcp'
const numberSid = (e164: string, account = acme.sid) =>
  sim.state(account).numbers.find((n) => n.phoneNumber === e164)?.sid as string
const ctx = { tenantId: 'tenant-a', userId: 'user-1' }

interface Harness {
  service: TwilioOnboarding
  store: MemoryTwilioOnboardingStore
  livekit: ReturnType<typeof createRecordingLivekitProvisioner>
  logs: unknown[]
  sleeps: number[]
}
let h: Harness
const thrown: unknown[] = []

function harness(options: { sipTarget?: string; maxAttempts?: number } = {}): Harness {
  const store = createMemoryTwilioOnboardingStore()
  const livekit = createRecordingLivekitProvisioner()
  const logs: unknown[] = []
  const sleeps: number[] = []
  const service = createTwilioOnboarding({
    store,
    livekit,
    secretBox: createSecretBox({ current: 'test passphrase for the secret box' }),
    sipTarget: options.sipTarget ?? SIP,
    logger: { info: (m, f) => logs.push([m, f]), warn: (m, f) => logs.push([m, f]) },
    retry: {
      maxAttempts: options.maxAttempts ?? 5,
      sleep: async (ms) => {
        sleeps.push(ms)
      },
    },
  })
  return { service, store, livekit, logs, sleeps }
}

async function failure(p: Promise<unknown>): Promise<TwilioOnboardingError> {
  try {
    await p
  } catch (e) {
    thrown.push(e)
    expect(e).toBeInstanceOf(TwilioOnboardingError)
    return e as TwilioOnboardingError
  }
  throw new Error('expected a failure')
}

function expectSingleSetup(e164 = '+14155550100') {
  const s = sim.state(acme.sid)
  const ours = s.trunks.filter((t) => t.sid !== FOREIGN_TRUNK)
  expect(ours).toHaveLength(1)
  const tk = ours[0]?.sid as string
  expect(ours[0]?.domainName).toMatch(/^ringline-[0-9a-f]{12}\.pstn\.twilio\.com$/)
  expect(s.originationUrls.filter((o) => o.trunkSid === tk).map((o) => o.sipUrl)).toEqual([SIP_TCP])
  expect(s.numbers.find((n) => n.phoneNumber === e164)?.trunkSid).toBe(tk)
  expect(s.credentialLists).toHaveLength(1)
  expect(s.credentialLists[0]?.credentials).toHaveLength(1)
  expect(s.trunkCredentialLists).toEqual([{ trunkSid: tk, credentialListSid: s.credentialLists[0]?.sid }])
  return { tk, s }
}

const consoleLines: string[] = []
beforeAll(() => {
  sim.listen({ onUnhandledRequest: 'error' })
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      consoleLines.push(args.map((a) => inspect(a, { depth: 8 })).join(' '))
    })
  }
})
afterAll(() => {
  sim.close()
  vi.restoreAllMocks()
})
beforeEach(() => {
  sim.reset()
  h = harness()
})
afterEach(() => {
  // Secret scan over everything this test produced: logs, console, thrown errors, stored rows, audit.
  const basic = Buffer.from(`${key.sid}:${key.secret}`).toString('base64')
  const haystack = [
    inspect(h.logs, { depth: 10 }),
    consoleLines.join('\n'),
    ...thrown.map((e) => `${inspect(e, { depth: 10, showHidden: true })} ${JSON.stringify(e)} ${String(e)}`),
    JSON.stringify(h.store.dump()),
    inspect(h.store.dump(), { depth: 10 }),
  ].join('\n')
  expect(haystack.includes(key.secret), 'API key secret found in logs/errors/records').toBe(false)
  expect(haystack.includes(basic), 'Basic auth header found in logs/errors/records').toBe(false)
  thrown.length = 0
})

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
    h = fresh
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
