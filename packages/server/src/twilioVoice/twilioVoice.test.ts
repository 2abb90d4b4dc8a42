import type { RinglineEvent } from '@ringline/core/protocol'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { req, testRingline, USERS } from '../../test/helpers'
import { createTwilioSimulator } from '../testing/twilioSimulator/createTwilioSimulator'
import { twilioClientIdentity } from './identity'

for (const k of Object.keys(process.env))
  if (k.startsWith('TWILIO_') || /^https?_proxy$/i.test(k) || k === 'RINGLINE_PUBLIC_URL')
    delete process.env[k]

const PUBLIC = 'https://public.example.com'
const INBOUND = '+14155550111'
const SECRET_KEY = `base64:${Buffer.alloc(32, 7).toString('base64')}`

const sim = createTwilioSimulator({
  accounts: [{ friendlyName: 'Acme', numbers: [{ phoneNumber: INBOUND }] }],
})
const account = sim.account(0)
const ringline = testRingline({
  secretKey: SECRET_KEY,
  twilio: { publicUrl: PUBLIC },
  calls: { allowUnassignedNumbers: true },
})
sim.voice.setWebhookTarget((r) => ringline.handler(r))

const events: RinglineEvent[] = []
const unsubscribe = [
  ringline.api.subscribe(USERS.alice!, (e) => events.push(e)),
  ringline.api.subscribe(USERS.bob!, () => {}),
]

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = Record<string, any>
const json = async (res: Response) => (await res.json()) as Json
const call = async (user: string, method: string, path: string, body?: unknown) =>
  ringline.handler(req(method, path, { user, ...(body === undefined ? {} : { body }) }))
const countCalls = async () =>
  Number(
    (await ringline.store.query<{ n: number }>('SELECT count(*)::int AS n FROM ringline_calls')).rows[0]?.n,
  )
const record = async (id: string) => (await ringline.api.getCall(USERS.admin!, id)).call
const aliceId = twilioClientIdentity('acme', 'alice')
const bobId = twilioClientIdentity('acme', 'bob')

beforeAll(async () => {
  sim.listen({ onUnhandledRequest: 'bypass' })
  const res = await call('admin', 'POST', '/twilio/voice/auto-configure', {
    accountSid: account.sid,
    authToken: account.authToken,
    callerId: '+14155550100',
    inboundNumbers: [INBOUND],
  })
  expect(res.status).toBe(200)
})
beforeEach(() => {
  events.length = 0
})
afterAll(async () => {
  for (const u of unsubscribe) u()
  sim.close()
  await ringline.close()
})

describe('Twilio Voice settings', () => {
  it('auto-configures an API key and a TwiML app pointing at the public webhooks, idempotently', async () => {
    const state = sim.state(account.sid)
    expect(state.applications).toHaveLength(1)
    const app = state.applications[0]!
    expect(app.voiceUrl).toBe(`${PUBLIC}/api/ringline/webhooks/twilio/voice?tenant=acme`)
    expect(app.statusCallback).toBe(`${PUBLIC}/api/ringline/webhooks/twilio/status?tenant=acme`)
    expect(state.numbers.find((n) => n.phoneNumber === INBOUND)?.voiceApplicationSid).toBe(app.sid)
    const keysBefore = state.keys.length
    const again = await call('admin', 'POST', '/twilio/voice/auto-configure', {
      accountSid: account.sid,
      authToken: account.authToken,
    })
    const status = await json(again)
    expect(status).toMatchObject({
      configured: true,
      hasTwimlApp: true,
      setupMethod: 'auto',
      twimlAppSid: app.sid,
    })
    expect(status.callerId).toBe('+14155550100')
    expect(sim.state(account.sid).keys).toHaveLength(keysBefore)
    expect(sim.state(account.sid).applications).toHaveLength(1)
  })

  it('never returns or stores secrets in clear, and only admins change settings', async () => {
    const res = await call('alice', 'GET', '/twilio/voice')
    const text = await res.text()
    expect(res.status).toBe(200)
    expect(JSON.parse(text)).toMatchObject({ configured: true, accountSid: account.sid })
    expect(text).not.toContain(account.authToken)
    const row = (await ringline.store.query('SELECT * FROM ringline_twilio_voice')).rows[0] as Record<
      string,
      string
    >
    expect(JSON.stringify(row)).not.toContain(account.authToken)
    expect(row.auth_token_ciphertext).toMatch(/^rl1\./)
    const denied = await call('alice', 'PUT', '/twilio/voice', {})
    expect(denied.status).toBe(403)
    expect((await json(denied)).error.code).toBe('FORBIDDEN')
    expect(ringline.logger.lines.join('\n')).not.toContain(account.authToken)
  })

  it('reports bad account credentials as AUTH_INVALID', async () => {
    const res = await call('admin', 'POST', '/twilio/voice/auto-configure', {
      accountSid: account.sid,
      authToken: 'f'.repeat(32),
    })
    expect(res.status).toBe(400)
    expect((await json(res)).error.code).toBe('AUTH_INVALID')
  })
})

describe('POST /token with transport twilio', () => {
  const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString())

  it('mints a Voice grant for <tenant>:<user>, 1 h by default and never over 24 h', async () => {
    const res = await call('alice', 'POST', '/token', { transport: 'twilio' })
    expect(res.status).toBe(200)
    const body = await json(res)
    expect(body.identity).toBe(aliceId)
    const payload = decode(body.token)
    const app = sim.state(account.sid).applications[0]!
    expect(payload.grants).toEqual({
      identity: aliceId,
      voice: { incoming: { allow: true }, outgoing: { application_sid: app.sid } },
    })
    expect(payload.sub).toBe(account.sid)
    expect(payload.exp - payload.iat).toBe(3600)
    const long = decode(
      (await json(await call('alice', 'POST', '/token', { transport: 'twilio', ttl: 90_000 }))).token,
    )
    expect(long.exp - long.iat).toBe(86_400)
  })

  it('leaves the LiveKit token route as it was', async () => {
    const res = await call('alice', 'POST', '/token', {})
    expect(res.status).toBe(400)
    expect((await json(res)).error.code).toBe('INVALID_REQUEST')
  })
})

describe('outbound calls from the browser', () => {
  it('records, guards and dials: TwiML <Dial><Number>, then status callbacks drive the record and /events', async () => {
    const created = await json(await call('alice', 'POST', '/twilio/voice/calls', { to: '+14155550123' }))
    expect(created.call.status).toBe('initiated')
    expect(created.twilio).toEqual({
      action: 'dial',
      callId: created.call.id,
      params: { To: '+14155550123', ringlineCallId: created.call.id },
    })
    const flow = await sim.voice.clientCall({
      accountSid: account.sid,
      identity: aliceId,
      params: created.twilio.params,
    })
    expect(flow.response.status).toBe(200)
    expect(flow.dial).toMatchObject({ callerId: '+14155550100', answerOnBridge: true })
    expect(flow.dial?.numbers.map((n) => n.number)).toEqual(['+14155550123'])
    expect((await record(created.call.id)).sipCallId).toBe(flow.callSid)

    await flow.number('initiated')
    await flow.number('ringing')
    expect((await record(created.call.id)).status).toBe('ringing')
    await flow.number('in-progress')
    expect((await record(created.call.id)).status).toBe('in-progress')
    await flow.number('completed')
    await flow.dialAction('completed')
    await flow.end('completed')
    const done = await record(created.call.id)
    expect(done).toMatchObject({ status: 'completed', endReason: 'completed' })
    const mine = events
      .filter((e) => e.type !== 'room.updated' && e.call.id === created.call.id)
      .map((e) => e.type)
    expect(mine).toEqual(['call.updated', 'call.updated', 'call.updated', 'call.ended'])
  })

  it('maps busy from the dialled number', async () => {
    const created = await json(await call('alice', 'POST', '/twilio/voice/calls', { to: '+14155550124' }))
    const flow = await sim.voice.clientCall({
      accountSid: account.sid,
      identity: aliceId,
      params: created.twilio.params,
    })
    await flow.number('busy')
    expect(await record(created.call.id)).toMatchObject({ status: 'busy', endReason: 'busy' })
  })

  it('applies the toll-fraud guard to the route and again to the To the browser sends', async () => {
    const premium = await call('alice', 'POST', '/twilio/voice/calls', { to: '+19005550100' })
    expect(premium.status).toBe(403)
    expect((await json(premium)).error.code).toBe('DESTINATION_NOT_ALLOWED')
    const created = await json(await call('alice', 'POST', '/twilio/voice/calls', { to: '+14155550125' }))
    const swapped = await sim.voice.clientCall({
      accountSid: account.sid,
      identity: aliceId,
      params: { ...created.twilio.params, To: '+19005550100' },
    })
    expect(swapped.rejected).toBe(true)
    expect(swapped.dial).toBeNull()
    expect((await record(created.call.id)).status).toBe('failed')
    // A Device that skips POST /twilio/voice/calls is guarded (and recorded) by the webhook itself.
    const direct = await sim.voice.clientCall({
      accountSid: account.sid,
      identity: aliceId,
      params: { To: '+4930123456' },
    })
    expect(direct.rejected).toBe(true)
  })

  it('refuses a replayed call id and a call id of someone else', async () => {
    const created = await json(await call('alice', 'POST', '/twilio/voice/calls', { to: '+14155550126' }))
    const first = await sim.voice.clientCall({
      accountSid: account.sid,
      identity: aliceId,
      params: created.twilio.params,
    })
    expect(first.rejected).toBe(false)
    const replay = await sim.voice.clientCall({
      accountSid: account.sid,
      identity: aliceId,
      params: created.twilio.params,
    })
    expect(replay.rejected).toBe(true)
    const other = await json(await call('bob', 'POST', '/twilio/voice/calls', { to: '+14155550127' }))
    const stolen = await sim.voice.clientCall({
      accountSid: account.sid,
      identity: aliceId,
      params: other.twilio.params,
    })
    expect(stolen.rejected).toBe(true)
    await first.end('completed')
  })

  it('hangs up through Twilio REST and closes the record once', async () => {
    const created = await json(await call('alice', 'POST', '/twilio/voice/calls', { to: '+14155550128' }))
    const flow = await sim.voice.clientCall({
      accountSid: account.sid,
      identity: aliceId,
      params: created.twilio.params,
    })
    await flow.number('in-progress')
    const res = await call('alice', 'POST', `/twilio/voice/calls/${created.call.id}/hangup`)
    expect(res.status).toBe(200)
    expect((await json(res)).call.status).toBe('completed')
    expect(sim.state(account.sid).calls.find((c) => c.sid === flow.callSid)?.status).toBe('completed')
    await sim.flushWebhooks()
    expect(events.filter((e) => e.type === 'call.ended' && e.call.id === created.call.id)).toHaveLength(1)
  })
})

describe('inbound calls to the browsers', () => {
  it('rings every online agent with <Client> + call id, one answer wins, the bridge confirms it', async () => {
    const flow = await sim.voice.inboundCall({ from: '+14155550199', to: INBOUND })
    expect(flow.dial?.answerOnBridge).toBe(true)
    expect(flow.dial?.clients.map((c) => c.identity).sort()).toEqual([aliceId, bobId].sort())
    const id = flow.dial?.clients[0]?.parameters.ringlineCallId as string
    expect(flow.dial?.clients.every((c) => c.parameters.ringlineCallId === id)).toBe(true)
    expect(events.find((e) => e.type === 'call.incoming')).toMatchObject({ call: { id, status: 'ringing' } })

    const answered = await call('bob', 'POST', `/twilio/voice/calls/${id}/answer`)
    expect(answered.status).toBe(200)
    expect((await json(answered)).twilio).toEqual({ action: 'accept', callId: id, params: {} })
    const late = await call('alice', 'POST', `/twilio/voice/calls/${id}/answer`)
    expect(late.status).toBe(409)
    expect((await json(late)).error.code).toBe('CALL_ALREADY_ANSWERED')
    expect(
      events.some((e) => e.type === 'call.updated' && e.call.id === id && e.call.answeredBy === 'bob'),
    ).toBe(true)

    await flow.client(bobId, 'in-progress')
    await flow.client(aliceId, 'canceled')
    await flow.client(bobId, 'completed')
    await flow.dialAction('completed')
    await flow.end('completed')
    expect(await record(id)).toMatchObject({ status: 'completed', answeredBy: 'bob' })
  })

  it('is missed when the caller hangs up before anyone answers', async () => {
    const flow = await sim.voice.inboundCall({ from: '+14155550198', to: INBOUND })
    const id = flow.dial?.clients[0]?.parameters.ringlineCallId as string
    await flow.end('completed')
    expect(await record(id)).toMatchObject({ status: 'missed' })
    expect(events.some((e) => e.type === 'call.ended' && e.call.id === id)).toBe(true)
  })

  it('is declined when every agent declines; Twilio hangs the caller up', async () => {
    const flow = await sim.voice.inboundCall({ from: '+14155550197', to: INBOUND })
    const id = flow.dial?.clients[0]?.parameters.ringlineCallId as string
    await call('alice', 'POST', `/twilio/voice/calls/${id}/decline`)
    expect((await record(id)).status).toBe('ringing')
    await call('bob', 'POST', `/twilio/voice/calls/${id}/decline`)
    expect(await record(id)).toMatchObject({ status: 'declined' })
    expect(sim.state(account.sid).calls.find((c) => c.sid === flow.callSid)?.status).toBe('completed')
  })
})

describe('webhook verification', () => {
  const voiceUrl = `${PUBLIC}/api/ringline/webhooks/twilio/voice?tenant=acme`
  const statusUrl = `${PUBLIC}/api/ringline/webhooks/twilio/status?tenant=acme`
  const params = {
    CallSid: `CA${'1'.repeat(32)}`,
    AccountSid: account.sid,
    From: '+14155550196',
    To: INBOUND,
  }

  it('answers 403 WEBHOOK_SIGNATURE_INVALID and writes nothing for a bad, missing or foreign signature', async () => {
    const before = await countCalls()
    const bad = new Request(voiceUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' },
      body: new URLSearchParams(params).toString(),
    })
    const res = await ringline.handler(bad)
    expect(res.status).toBe(403)
    expect((await json(res)).error.code).toBe('WEBHOOK_SIGNATURE_INVALID')
    const unsigned = await ringline.handler(
      new Request(voiceUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
      }),
    )
    expect(unsigned.status).toBe(403)
    // Signed correctly, but for another tenant's URL.
    const other = await sim.voice.post(account.sid, voiceUrl.replace('tenant=acme', 'tenant=globex'), params)
    expect(other.status).toBe(403)
    // Signed for different parameters than those sent.
    const tampered = await sim.voice.post(account.sid, voiceUrl, params, {
      headers: { 'x-twilio-signature': (await signedFor(voiceUrl, { ...params, To: '+1999' })) ?? '' },
    })
    expect(tampered.status).toBe(403)
    expect(await countCalls()).toBe(before)
  })

  it('accepts the JSON-body variant (bodySHA256) on the status route', async () => {
    const created = await json(await call('alice', 'POST', '/twilio/voice/calls', { to: '+14155550129' }))
    const flow = await sim.voice.clientCall({
      accountSid: account.sid,
      identity: aliceId,
      params: created.twilio.params,
    })
    const res = await sim.voice.post(
      account.sid,
      `${statusUrl}&call=${created.call.id}&leg=number`,
      { CallSid: `CA${'2'.repeat(32)}`, AccountSid: account.sid, CallStatus: 'ringing' },
      { json: true },
    )
    expect(res.status).toBe(200)
    expect((await record(created.call.id)).status).toBe('ringing')
    await flow.end('completed')
  })

  it('verifies behind a trusted proxy with X-Forwarded-Proto/Host, and refuses them when the proxy is not trusted', async () => {
    for (const trustProxy of [true, false]) {
      const behind = testRingline({ secretKey: SECRET_KEY, trustProxy, store: ringline.store })
      // Twilio signs the public URL; the app sees the proxy's internal one.
      const viaProxy = (r: Request) => {
        const u = new URL(r.url)
        const headers = new Headers(r.headers)
        headers.set('x-forwarded-proto', u.protocol.replace(':', ''))
        headers.set('x-forwarded-host', u.host)
        return behind.handler(
          new Request(`http://10.0.0.5:3000${u.pathname}${u.search}`, {
            method: 'POST',
            headers,
            body: r.body,
            duplex: 'half',
          } as RequestInit),
        )
      }
      sim.voice.setWebhookTarget(viaProxy)
      const res = await sim.voice.post(account.sid, `${statusUrl}&call=nope`, {
        CallSid: `CA${'3'.repeat(32)}`,
        AccountSid: account.sid,
        CallStatus: 'completed',
      })
      expect(res.status).toBe(trustProxy ? 200 : 403)
    }
    sim.voice.setWebhookTarget((r) => ringline.handler(r))
  })
})

/** The signature the simulator would put on a request (captured through a throwaway target). */
async function signedFor(url: string, params: Record<string, string>): Promise<string | null> {
  let sig: string | null = null
  sim.voice.setWebhookTarget(async (r) => {
    sig = r.headers.get('x-twilio-signature')
    return new Response('')
  })
  await sim.voice.post(account.sid, url, params)
  sim.voice.setWebhookTarget((r) => ringline.handler(r))
  return sig
}
