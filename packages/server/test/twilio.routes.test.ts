// Bring-your-own-Twilio-number through HTTP: the real `twilio` package talks to the MSW Twilio simulator, the
// routes run on the server's SQL store (PGlite and PostgreSQL), and nothing secret may reach logs, answers or tables.
import {
  listTwilioNumbersResponseSchema,
  numberConnectionSchema,
  twilioCredentialsStatusSchema,
  twilioIntegrationSchema,
  verifyTwilioCredentialsResponseSchema,
} from '@ringline/core/protocol'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { TwilioServerOptions } from '../src/routes/twilio'
import { memoryStore } from '../src/store/memoryStore'
import { upsertNumberConnection } from '../src/store/numberRepository'
import { postgresStore } from '../src/store/postgresStore'
import { sqlTwilioOnboardingStore } from '../src/store/twilioOnboardingStore'
import type { RinglineStore } from '../src/store/types'
import { createRecordingLivekitProvisioner, createTwilioSimulator } from '../src/testing'
import { freshDatabaseUrl, req, STORE_KINDS, testRingline } from './helpers'

for (const k of Object.keys(process.env))
  if (k.startsWith('TWILIO_') || k.startsWith('RINGLINE_SECRET_KEY') || k === 'LIVEKIT_SIP_URI')
    delete process.env[k]

const SECRET_KEY = 'base64:mZ1p0dEJ2Jm1J3cVbIu0mTQ1iVh0oV4p2fU0yVQm3jA='
const SIP = 'sip:abc123.sip.livekit.cloud'
const SIP_TCP = 'sip:abc123.sip.livekit.cloud;transport=tcp'
const NUMBERS = ['+14155550100', '+14155550101', '+14155550102', '+14155550103']

const sim = createTwilioSimulator({
  accounts: [
    { friendlyName: 'Acme', numbers: NUMBERS.map((phoneNumber) => ({ phoneNumber })) },
    { friendlyName: 'No trunking', trunkingEnabled: false, numbers: [{ phoneNumber: '+17185550100' }] },
  ],
})
const acme = sim.account(0)
const key = acme.keys[0] as { sid: string; secret: string }
const creds = { accountSid: acme.sid, apiKeySid: key.sid, apiKeySecret: key.secret }
const pn = (e164: string) => sim.state(acme.sid).numbers.find((n) => n.phoneNumber === e164)?.sid as string

beforeAll(() => {
  sim.listen({ onUnhandledRequest: 'bypass' })
})
afterAll(() => sim.close())
beforeEach(() => sim.reset())

type TestServer = ReturnType<typeof testRingline>
/** Every response body the tests saw, for the secret scan. */
const answers: string[] = []

async function call(
  server: TestServer,
  method: string,
  path: string,
  options: { user?: string; body?: unknown } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests probe response bodies field by field
): Promise<{ status: number; body: any }> {
  const res = await server.handler(req(method, path, { user: options.user ?? 'admin', body: options.body }))
  const text = await res.text()
  answers.push(text, JSON.stringify([...res.headers]))
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

function server(store: RinglineStore, overrides: Partial<TwilioServerOptions> = {}, secretKey = SECRET_KEY) {
  const livekit = createRecordingLivekitProvisioner()
  const twilio: TwilioServerOptions = {
    sipTarget: SIP,
    livekit,
    retry: { sleep: async () => undefined },
    ...overrides,
  }
  return { ringline: testRingline({ store, secretKey, twilio }), livekit }
}

/** Every row of every table of the store, as text. */
async function dumpTables(store: RinglineStore): Promise<string> {
  const { rows } = await store.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
  )
  expect(rows.map((r) => r.table_name)).toContain('ringline_number_connections')
  const out: string[] = []
  for (const { table_name } of rows) {
    const dump = await store.query(`SELECT * FROM "${table_name}"`)
    out.push(`${table_name}: ${JSON.stringify(dump.rows)}`)
  }
  return out.join('\n')
}

/** The secret scan: the API key secret, termination passwords and Basic auth never appear in plaintext. */
async function expectNoSecrets(stores: RinglineStore[], servers: TestServer[]) {
  const passwords = sim
    .state(acme.sid)
    .credentialLists.flatMap((l) => l.credentials.map((c) => c.password))
    .filter((p) => p.length > 0)
  const secrets = [
    key.secret,
    Buffer.from(`${key.sid}:${key.secret}`).toString('base64'),
    SECRET_KEY.slice('base64:'.length),
    ...passwords,
  ]
  const haystacks = {
    logs: servers.flatMap((s) => s.logger.lines).join('\n'),
    answers: answers.join('\n'),
    tables: (await Promise.all(stores.map(dumpTables))).join('\n'),
  }
  // The scan must see what it scans: logs and tables hold the connection's rows and steps.
  expect(haystacks.tables).toContain('ringline_twilio_integrations')
  for (const [where, text] of Object.entries(haystacks)) {
    for (const secret of secrets) expect(text.includes(secret), `a secret found in ${where}`).toBe(false)
  }
}

function expectOneSetup(e164s: string[]) {
  const s = sim.state(acme.sid)
  expect(s.trunks).toHaveLength(1)
  const tk = s.trunks[0]?.sid as string
  expect(s.originationUrls.map((o) => [o.trunkSid, o.sipUrl])).toEqual([[tk, SIP_TCP]])
  for (const e164 of e164s) expect(s.numbers.find((n) => n.phoneNumber === e164)?.trunkSid).toBe(tk)
  expect(s.credentialLists).toHaveLength(1)
  expect(s.credentialLists[0]?.credentials).toHaveLength(1)
  expect(s.trunkCredentialLists).toEqual([{ trunkSid: tk, credentialListSid: s.credentialLists[0]?.sid }])
  return tk
}

describe.each(STORE_KINDS)('twilio routes on %s', (_kind, makeStore) => {
  let store: RinglineStore
  let s: ReturnType<typeof server>
  beforeEach(async () => {
    answers.length = 0
    store = await makeStore()
    s = server(store)
  })
  afterEach(async () => {
    await s.ringline.close()
  })

  it('walks the whole wizard through HTTP: verify, save, list, connect, status, disconnect, delete', async () => {
    const r = s.ringline
    expect(await call(r, 'GET', '/twilio/numbers')).toMatchObject({
      status: 503,
      body: { error: { code: 'NOT_CONFIGURED' } },
    })
    const none = await call(r, 'GET', '/twilio/credentials')
    expect(twilioCredentialsStatusSchema.parse(none.body)).toEqual({ integration: null })

    const bad = await call(r, 'POST', '/twilio/credentials/verify', {
      body: { ...creds, apiKeySecret: 'x'.repeat(32) },
    })
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'AUTH_INVALID' } } })
    expect(bad.body.error.requestId).toEqual(expect.any(String))

    const verified = await call(r, 'POST', '/twilio/credentials/verify', { user: 'alice', body: creds })
    expect(verified.status).toBe(200)
    expect(verifyTwilioCredentialsResponseSchema.parse(verified.body)).toMatchObject({
      ok: true,
      status: 'verified',
      accountSid: acme.sid,
      trunkingEnabled: true,
    })
    expect(verified.body.apiKeySecretMasked).toBe(`…${key.secret.slice(-4)}`)
    // Verifying writes no credentials.
    expect((await store.query('SELECT * FROM ringline_twilio_integrations')).rows).toEqual([])

    const refused = await call(r, 'PUT', '/twilio/credentials', { user: 'alice', body: creds })
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } })
    const invalid = await call(r, 'PUT', '/twilio/credentials', { body: { ...creds, accountSid: 'AC1' } })
    expect(invalid).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_REQUEST', field: 'accountSid' } },
    })

    const saved = await call(r, 'PUT', '/twilio/credentials', { body: creds })
    expect(saved.status).toBe(200)
    expect(twilioIntegrationSchema.parse(saved.body)).toMatchObject({ accountSid: acme.sid, status: 'saved' })
    const row = (await store.query<Record<string, string>>('SELECT * FROM ringline_twilio_integrations'))
      .rows[0]
    expect(row).toMatchObject({ tenant_id: 'acme', account_sid: acme.sid, api_key_sid: key.sid })
    expect(row?.secret_ciphertext).toMatch(/^rl1\./)
    const status = await call(r, 'GET', '/twilio/credentials', { user: 'alice' })
    expect(status.body.integration).toEqual(saved.body)

    // Another tenant sees nothing of it.
    expect(await call(r, 'GET', '/twilio/numbers', { user: 'eve' })).toMatchObject({
      status: 503,
      body: { error: { code: 'NOT_CONFIGURED' } },
    })

    const listed = listTwilioNumbersResponseSchema.parse((await call(r, 'GET', '/twilio/numbers')).body)
    expect(listed.numbers.map((n) => n.e164).sort()).toEqual(NUMBERS)
    expect(listed.numbers.every((n) => !n.connected && n.trunkSid === null)).toBe(true)

    const sid = pn('+14155550100')
    expect(
      await call(r, 'POST', `/twilio/numbers/${sid}/connect`, { user: 'alice', body: {} }),
    ).toMatchObject({ status: 403 })
    const connected = await call(r, 'POST', `/twilio/numbers/${sid}/connect`, { body: {} })
    expect(connected.status).toBe(200)
    expect(numberConnectionSchema.parse(connected.body)).toMatchObject({
      phoneNumberSid: sid,
      e164: '+14155550100',
      status: 'connected',
      sipTarget: SIP_TCP,
      progress: 100,
      drift: [],
    })
    const tk = expectOneSetup(['+14155550100'])
    expect(connected.body.trunkSid).toBe(tk)
    expect(connected.body.steps.map((x: { status: string }) => x.status)).toEqual(Array(7).fill('created'))
    expect(s.livekit.state.inbound.get('+14155550100')).toMatchObject({ tenantId: 'acme' })

    const checked = await call(r, 'GET', `/twilio/numbers/${sid}/status`, { user: 'alice' })
    expect(numberConnectionSchema.parse(checked.body)).toMatchObject({ status: 'connected', drift: [] })
    const after = (await call(r, 'GET', '/twilio/numbers')).body.numbers
    expect(after.find((n: { sid: string }) => n.sid === sid)).toMatchObject({ connected: true, trunkSid: tk })

    const stored = (
      await store.query<Record<string, unknown>>(
        'SELECT * FROM ringline_number_connections WHERE phone_number_sid = $1',
        [sid],
      )
    ).rows[0]
    expect(stored).toMatchObject({
      tenant_id: 'acme',
      e164: '+14155550100',
      trunk_sid: tk,
      status: 'connected',
      trunk_strategy: 'shared',
      sip_target: SIP_TCP,
      last_error_code: null,
    })
    expect(stored?.termination_password_ciphertext).toMatch(/^rl1\./)
    expect(stored?.steps).toHaveLength(7)

    const gone = await call(r, 'POST', `/twilio/numbers/${sid}/disconnect`, { body: {} })
    expect(numberConnectionSchema.parse(gone.body)).toMatchObject({ status: 'disconnected', progress: 0 })
    expect(sim.state(acme.sid).numbers.find((n) => n.sid === sid)?.trunkSid).toBeNull()
    expect(s.livekit.state.inbound.has('+14155550100')).toBe(false)
    expect((await call(r, 'GET', `/twilio/numbers/${sid}/status`)).body).toMatchObject({
      status: 'disconnected',
      drift: [],
    })

    const audit = await store.query<{ action: string; user_id: string; detail: { requestId?: string } }>(
      'SELECT action, user_id, detail FROM ringline_audit_log ORDER BY created_at, id',
    )
    expect(new Set(audit.rows.map((a) => a.action))).toEqual(
      new Set([
        'twilio.credentials.verified',
        'twilio.credentials.saved',
        'twilio.number.connected',
        'twilio.number.disconnected',
      ]),
    )
    expect(audit.rows.every((a) => typeof a.detail.requestId === 'string')).toBe(true)

    expect(await call(r, 'DELETE', '/twilio/credentials', { body: {} })).toMatchObject({
      status: 200,
      body: { deleted: true },
    })
    expect((await call(r, 'GET', '/twilio/numbers')).body.error.code).toBe('NOT_CONFIGURED')
    await expectNoSecrets([store], [r])
  })

  it('connect twice, 10 concurrent connects of one number and 3 numbers at once: one trunk, one URL, one attachment', async () => {
    const r = s.ringline
    expect((await call(r, 'PUT', '/twilio/credentials', { body: creds })).status).toBe(200)
    // Widen every race window: Twilio answers each request late.
    sim.fault('*', { delayMs: 15, times: Number.POSITIVE_INFINITY })
    const sid = pn('+14155550100')
    const first = await call(r, 'POST', `/twilio/numbers/${sid}/connect`, { body: {} })
    const second = await call(r, 'POST', `/twilio/numbers/${sid}/connect`, { body: {} })
    expect(first.body.status).toBe('connected')
    expect(second.body.steps.map((x: { status: string }) => x.status)).toEqual(Array(7).fill('reused'))
    expectOneSetup(['+14155550100'])

    const sid2 = pn('+14155550101')
    const many = await Promise.all(
      Array.from({ length: 10 }, () => call(r, 'POST', `/twilio/numbers/${sid2}/connect`, { body: {} })),
    )
    expect(many.map((m) => m.status)).toEqual(Array(10).fill(200))
    expect(new Set(many.map((m) => m.body.trunkSid)).size).toBe(1)
    const tk = expectOneSetup(['+14155550100', '+14155550101'])
    const attachCalls = sim.requests.filter((q) => q.routeId === 'trunkPhoneNumbers.create' && q.status < 300)
    expect(attachCalls.map((q) => q.params.PhoneNumberSid).sort()).toEqual([sid, sid2].sort())

    const others = ['+14155550102', '+14155550103']
    const together = await Promise.all(
      others.map((e164) => call(r, 'POST', `/twilio/numbers/${pn(e164)}/connect`, { body: {} })),
    )
    expect(together.map((t) => [t.status, t.body.trunkSid])).toEqual([
      [200, tk],
      [200, tk],
    ])
    expectOneSetup(NUMBERS)
    expect(sim.requests.filter((q) => q.routeId === 'trunks.create' && q.status < 300)).toHaveLength(1)
    expect(sim.requests.filter((q) => q.routeId === 'originationUrls.create' && q.status < 300)).toHaveLength(
      1,
    )
    // One LiveKit inbound trunk per number and one outbound trunk listing all four.
    expect([...s.livekit.state.inbound.keys()].sort()).toEqual(NUMBERS)
    expect([...s.livekit.state.outbound.values()].map((o) => o.numbers)).toEqual([NUMBERS])
    const rows = await store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ringline_number_connections WHERE status = 'connected' AND trunk_sid = $1`,
      [tk],
    )
    expect(rows.rows[0]?.n).toBe(4)
    await expectNoSecrets([store], [r])
  })

  it('adopts the row provisionNumber wrote for the same number instead of clashing on e164', async () => {
    const r = s.ringline
    const before = await upsertNumberConnection(store, {
      tenantId: 'acme',
      e164: '+14155550101',
      livekitInboundTrunkId: 'ST_before',
      livekitDispatchRuleId: 'SDR_before',
      routingPolicy: { policy: 'ring-user', users: ['alice'] },
    })
    expect((await call(r, 'PUT', '/twilio/credentials', { body: creds })).status).toBe(200)
    const sid = pn('+14155550101')
    const connected = await call(r, 'POST', `/twilio/numbers/${sid}/connect`, { body: {} })
    expect(connected).toMatchObject({ status: 200, body: { status: 'connected' } })
    const rows = await store.query<Record<string, unknown>>(
      'SELECT id, phone_number_sid, status FROM ringline_number_connections WHERE e164 = $1',
      ['+14155550101'],
    )
    expect(rows.rows).toEqual([{ id: before.id, phone_number_sid: sid, status: 'connected' }])
  })

  it('a number another workspace holds is refused with NUMBER_IN_USE', async () => {
    await upsertNumberConnection(store, {
      tenantId: 'globex',
      e164: '+14155550102',
      livekitInboundTrunkId: 'ST_x',
      livekitDispatchRuleId: 'SDR_x',
      routingPolicy: { policy: 'ring-all' },
    })
    const r = s.ringline
    expect((await call(r, 'PUT', '/twilio/credentials', { body: creds })).status).toBe(200)
    const res = await call(r, 'POST', `/twilio/numbers/${pn('+14155550102')}/connect`, { body: {} })
    expect(res).toMatchObject({ status: 409, body: { error: { code: 'NUMBER_IN_USE' } } })
  })
})

describe('twilio routes: configuration and input', () => {
  let store: RinglineStore
  afterEach(async () => store?.close())

  it('saving without RINGLINE_SECRET_KEY answers NOT_CONFIGURED naming the variable; verify still works', async () => {
    store = memoryStore()
    const { ringline } = server(store, {}, '')
    const saved = await call(ringline, 'PUT', '/twilio/credentials', { body: creds })
    expect(saved).toMatchObject({ status: 503, body: { error: { code: 'NOT_CONFIGURED' } } })
    expect(saved.body.error.message).toContain('RINGLINE_SECRET_KEY')
    expect((await call(ringline, 'POST', '/twilio/credentials/verify', { body: creds })).status).toBe(200)
  })

  it('connecting without a LiveKit SIP URI answers NOT_CONFIGURED; trunking off answers TRUNKING_NOT_ENABLED', async () => {
    store = memoryStore()
    const { ringline } = server(store, { sipTarget: undefined })
    expect((await call(ringline, 'PUT', '/twilio/credentials', { body: creds })).status).toBe(200)
    const res = await call(ringline, 'POST', `/twilio/numbers/${pn('+14155550100')}/connect`, { body: {} })
    expect(res).toMatchObject({ status: 503, body: { error: { code: 'NOT_CONFIGURED' } } })
    expect(res.body.error.message).toContain('sipTarget')

    const off = sim.account(1)
    const offKey = off.keys[0] as { sid: string; secret: string }
    const offCreds = { accountSid: off.sid, apiKeySid: offKey.sid, apiKeySecret: offKey.secret }
    const verify = await call(ringline, 'POST', '/twilio/credentials/verify', { body: offCreds })
    expect(verify.body).toMatchObject({ ok: true, trunkingEnabled: false })
  })

  it('rejects malformed SIDs and bodies with INVALID_REQUEST and a field', async () => {
    store = memoryStore()
    const { ringline } = server(store)
    expect(await call(ringline, 'POST', '/twilio/numbers/PN123/connect', { body: {} })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_REQUEST', field: 'sid' } },
    })
    expect(
      await call(ringline, 'POST', `/twilio/numbers/PN${'a'.repeat(32)}/connect`, {
        body: { trunkStrategy: 'per-call' },
      }),
    ).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', field: 'trunkStrategy' } } })
    expect(
      await call(ringline, 'POST', `/twilio/numbers/PN${'a'.repeat(32)}/connect`, {
        body: { sipTarget: 'sip:evil.example.com' },
      }),
    ).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', field: 'sipTarget' } } })
    expect(await call(ringline, 'GET', '/twilio/numbers', { user: 'nobody' })).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHENTICATED' } },
    })
  })
})

describe('twilio routes: two server instances on one PostgreSQL database', () => {
  it('10 concurrent connects split over both instances set up one trunk, one URL, one attachment', async () => {
    answers.length = 0
    const url = await freshDatabaseUrl()
    const storeA = postgresStore({ connectionString: url })
    const storeB = postgresStore({ connectionString: url })
    await storeA.migrate()
    const livekit = createRecordingLivekitProvisioner()
    const a = server(storeA, { livekit })
    const b = server(storeB, { livekit })
    try {
      expect((await call(a.ringline, 'PUT', '/twilio/credentials', { body: creds })).status).toBe(200)
      sim.fault('*', { delayMs: 15, times: Number.POSITIVE_INFINITY })
      const sid = pn('+14155550100')
      const sid3 = pn('+14155550103')
      const results = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) =>
          call(i % 2 ? a.ringline : b.ringline, 'POST', `/twilio/numbers/${sid}/connect`, { body: {} }),
        ),
        call(b.ringline, 'POST', `/twilio/numbers/${sid3}/connect`, { body: {} }),
      ])
      expect(results.map((x) => x.status)).toEqual(Array(11).fill(200))
      expectOneSetup(['+14155550100', '+14155550103'])
      expect(
        sim.requests.filter((q) => q.routeId === 'trunkPhoneNumbers.create' && q.status < 300),
      ).toHaveLength(2)
      expect(
        livekit.state.calls.filter((c) => c.method === 'provisionInbound' && c.e164 === '+14155550100')
          .length,
      ).toBe(10)
      expect(livekit.state.inbound.size).toBe(2)
      const status = await call(b.ringline, 'GET', `/twilio/numbers/${sid}/status`)
      expect(status.body).toMatchObject({ status: 'connected', drift: [] })
      await expectNoSecrets([storeA], [a.ringline, b.ringline])
    } finally {
      await a.ringline.close()
      await b.ringline.close()
    }
  })

  it('control: without locks the same race duplicates Twilio resources (so the test above can fail)', async () => {
    const url = await freshDatabaseUrl()
    const storeA = postgresStore({ connectionString: url })
    const storeB = postgresStore({ connectionString: url })
    const unlocked = (st: RinglineStore) => ({
      ...sqlTwilioOnboardingStore(st),
      withLock: <T>(_key: string, fn: () => Promise<T>) => fn(),
    })
    const a = server(storeA, { store: unlocked(storeA) })
    const b = server(storeB, { store: unlocked(storeB) })
    try {
      expect((await call(a.ringline, 'PUT', '/twilio/credentials', { body: creds })).status).toBe(200)
      // Deterministic, not timing-dependent: every trunk creation is held until two connects have both decided
      // to create one (what the locks prevent). Released after 10 s regardless, so a run that never races fails.
      let release!: () => void
      const barrier = new Promise<void>((r) => {
        release = r
      })
      const creates = sim.fault('trunks.create', { until: barrier, times: Number.POSITIVE_INFINITY })
      const started = Date.now()
      const watch = setInterval(() => {
        if (creates.hits >= 2 || Date.now() - started > 10_000) release()
      }, 5)
      const sid = pn('+14155550100')
      try {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            call(i % 2 ? a.ringline : b.ringline, 'POST', `/twilio/numbers/${sid}/connect`, { body: {} }),
          ),
        )
      } finally {
        clearInterval(watch)
      }
      expect(creates.hits).toBeGreaterThanOrEqual(2)
      const created = (route: string) =>
        sim.requests.filter((q) => q.routeId === route && q.status < 300).length
      expect(created('trunks.create') + created('originationUrls.create')).toBeGreaterThan(2)
    } finally {
      await a.ringline.close()
      await b.ringline.close()
    }
  })
})
