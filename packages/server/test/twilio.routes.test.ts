// Bring-your-own-Twilio-number through HTTP: the real `twilio` package talks to the MSW Twilio simulator, the
// routes run on the server's SQL store (PGlite in server-unit, PostgreSQL in server-integration), and nothing secret
// may reach logs, answers or tables.
import {
  listTwilioNumbersResponseSchema,
  numberConnectionSchema,
  twilioCredentialsStatusSchema,
  twilioIntegrationSchema,
  verifyTwilioCredentialsResponseSchema,
} from '@ringline/core/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { upsertNumberConnection } from '../src/numbers/numberRepository'
import type { RinglineStore } from '../src/sql/types'
import { STORE_KINDS } from './helpers'
import {
  acme,
  answers,
  call,
  creds,
  expectNoSecrets,
  expectOneSetup,
  key,
  NUMBERS,
  pn,
  SIP_TCP,
  server,
  sim,
  useTwilioSimulator,
} from './twilioRoutesFixture'

useTwilioSimulator()

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
