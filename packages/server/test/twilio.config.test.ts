// Twilio routes without the configuration they need, and with malformed input.
import { afterEach, describe, expect, it } from 'vitest'
import { memoryStore } from '../src/sql/memoryStore'
import type { RinglineStore } from '../src/sql/types'
import { call, creds, pn, server, sim, useTwilioSimulator } from './twilioRoutesFixture'

useTwilioSimulator()

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
