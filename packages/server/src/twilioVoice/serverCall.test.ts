import type { RinglineEvent } from '@ringline/core/protocol'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { req, testRingline, USERS } from '../../test/helpers'
import { createTwilioSimulator } from '../testing/twilioSimulator/createTwilioSimulator'
import { twilioClientIdentity } from './identity'

for (const k of Object.keys(process.env))
  if (k.startsWith('TWILIO_') || /^https?_proxy$/i.test(k) || k === 'RINGLINE_PUBLIC_URL')
    delete process.env[k]

const PUBLIC = 'https://public.example.com'
const CALLER_ID = '+14155550100'
const DEST = '+14155550123'
const SECRET_KEY = `base64:${Buffer.alloc(32, 9).toString('base64')}`

const sim = createTwilioSimulator({ accounts: [{ friendlyName: 'Acme' }] })
const account = sim.account(0)
const ringline = testRingline({
  secretKey: SECRET_KEY,
  twilio: { publicUrl: PUBLIC },
  calls: { allowUnassignedNumbers: true, maxConcurrentPerUser: 20 },
})
sim.voice.setWebhookTarget((r) => ringline.handler(r))

const events: RinglineEvent[] = []
const unsubscribe = ringline.api.subscribe(USERS.alice!, (e) => events.push(e))
// Alice's other tab (a second stream of the same user) and another user of the tenant.
const aliceOtherTab: RinglineEvent[] = []
const unsubscribeOther = ringline.api.subscribe(USERS.alice!, (e) => aliceOtherTab.push(e))
const bobEvents: RinglineEvent[] = []
const unsubscribeBob = ringline.api.subscribe(USERS.bob!, (e) => bobEvents.push(e))
const ofCall = (list: RinglineEvent[], id: string) =>
  list.flatMap((e) => (e.type !== 'room.updated' && e.call.id === id ? [e] : []))

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = Record<string, any>
const json = async (res: Response) => (await res.json()) as Json
const call = async (user: string, method: string, path: string, body?: unknown) =>
  ringline.handler(req(method, path, { user, ...(body === undefined ? {} : { body }) }))
const record = async (id: string) => (await ringline.api.getCall(USERS.admin!, id)).call
const serverCall = async (to = DEST, extra: Json = {}) => {
  const res = await call('alice', 'POST', '/twilio/voice/calls', { to, initiate: 'server', ...extra })
  return { res, body: await json(res) }
}
const simCall = (sid: string) => sim.state(account.sid).calls.find((c) => c.sid === sid)

beforeAll(async () => {
  sim.listen({ onUnhandledRequest: 'bypass' })
  const res = await call('admin', 'POST', '/twilio/voice/auto-configure', {
    accountSid: account.sid,
    authToken: account.authToken,
    callerId: CALLER_ID,
  })
  expect(res.status).toBe(200)
})
beforeEach(() => {
  events.length = 0
  aliceOtherTab.length = 0
  bobEvents.length = 0
})
afterAll(async () => {
  unsubscribe()
  unsubscribeOther()
  unsubscribeBob()
  sim.close()
  await ringline.close()
})

describe('POST /twilio/voice/calls with initiate: server', () => {
  it('rings the browser through the REST Calls API, then dials the destination; callbacks drive one record', async () => {
    const { res, body } = await serverCall()
    expect(res.status).toBe(201)
    expect(body.call).toMatchObject({ direction: 'outbound', status: 'initiated', toNumber: DEST })
    expect(body.twilio.status).toBe('queued')
    expect(body.twilio.callSid).toMatch(/^CA[0-9a-f]{32}$/)
    const sid = body.twilio.callSid as string
    expect(body.call.sipCallId).toBe(sid)
    // What Twilio was asked: ring alice's browser from the workspace number, status callbacks on the record.
    const placed = simCall(sid)!
    expect(placed).toMatchObject({
      to: `client:${twilioClientIdentity('acme', 'alice')}`,
      from: CALLER_ID,
      direction: 'outbound-api',
      status: 'queued',
    })
    expect(placed.url).toBe(
      `${PUBLIC}/api/ringline/webhooks/twilio/voice?tenant=acme&call=${body.call.id}&leg=bridge`,
    )
    expect(placed.statusCallback).toBe(
      `${PUBLIC}/api/ringline/webhooks/twilio/status?tenant=acme&call=${body.call.id}&leg=agent`,
    )
    expect(placed.statusCallbackEvents).toEqual(['initiated', 'ringing', 'answered', 'completed'])

    await sim.voice.progress(sid, ['initiated', 'ringing'])
    expect((await record(body.call.id)).status).toBe('initiated')
    // Alice's browser answers: Twilio fetches the bridge TwiML, which dials the destination.
    const flow = await sim.voice.answer(sid)
    expect(flow.response.status).toBe(200)
    expect(flow.dial).toMatchObject({ callerId: CALLER_ID, answerOnBridge: true })
    expect(flow.dial?.numbers.map((n) => n.number)).toEqual([DEST])
    await flow.number('ringing')
    expect((await record(body.call.id)).status).toBe('ringing')
    await flow.number('in-progress')
    expect((await record(body.call.id)).status).toBe('in-progress')
    await flow.number('completed')
    await flow.dialAction('completed')
    await flow.end('completed')
    expect(await record(body.call.id)).toMatchObject({ status: 'completed', endReason: 'completed' })
    const mine = events
      .filter((e) => e.type !== 'room.updated' && e.call.id === body.call.id)
      .map((e) => e.type)
    expect(mine).toEqual([
      'call.updated',
      'call.incoming',
      'call.updated',
      'call.updated',
      'call.updated',
      'call.ended',
    ])
  })

  it("announces the browsers' ring to every stream of the user (call.incoming with serverDial), not to others", async () => {
    const { body } = await serverCall()
    const sid = body.twilio.callSid as string
    for (const list of [events, aliceOtherTab]) {
      const incoming = ofCall(list, body.call.id).filter((e) => e.type === 'call.incoming')
      expect(incoming).toHaveLength(1)
      expect(incoming[0]).toMatchObject({
        call: { id: body.call.id, direction: 'outbound', createdBy: 'alice', toNumber: DEST },
        serverDial: { callSid: sid, answered: false },
      })
    }
    // A browser answers: one call.updated says so (serverDial.answered), before the destination rings.
    const flow = await sim.voice.answer(sid)
    const answered = ofCall(aliceOtherTab, body.call.id).filter(
      (e) => e.type === 'call.updated' && e.serverDial?.answered,
    )
    expect(answered).toHaveLength(1)
    expect(answered[0]).toMatchObject({ serverDial: { callSid: sid, answered: true } })
    await flow.number('ringing')
    await flow.number('completed')
    await flow.dialAction('completed')
    await flow.end('completed')
    const types = ofCall(aliceOtherTab, body.call.id).map((e) => e.type)
    expect(types.at(-1)).toBe('call.ended')
    expect(ofCall(aliceOtherTab, body.call.id).find((e) => e.type === 'call.ended')).not.toHaveProperty(
      'serverDial',
    )
    // Bob is in the same tenant and hears nothing of Alice's call.
    expect(ofCall(bobEvents, body.call.id)).toEqual([])
  })

  it('ends the announced ring with call.ended when no browser picks up', async () => {
    const { body } = await serverCall()
    await sim.voice.progress(body.twilio.callSid, ['ringing', 'no-answer'])
    const types = ofCall(aliceOtherTab, body.call.id).map((e) => e.type)
    expect(types).toEqual(['call.updated', 'call.incoming', 'call.ended'])
  })

  it('closes the record as no-answer when the browser does not pick up', async () => {
    const { body } = await serverCall()
    await sim.voice.progress(body.twilio.callSid, ['ringing', 'no-answer'])
    expect(await record(body.call.id)).toMatchObject({ status: 'no-answer', endReason: 'no-answer' })
  })

  it('hangs up instead of dialling when the bridge request does not match an open server call', async () => {
    // A browser-placed record is not a server call.
    const browser = await json(await call('alice', 'POST', '/twilio/voice/calls', { to: DEST }))
    const { body } = await serverCall()
    const forged = await sim.voice.post(
      account.sid,
      `${PUBLIC}/api/ringline/webhooks/twilio/voice?tenant=acme&call=${browser.call.id}&leg=bridge`,
      { CallSid: body.twilio.callSid, AccountSid: account.sid, From: CALLER_ID, To: 'client:x' },
    )
    expect(await forged.text()).toContain('<Hangup/>')
    // The real call, answered by a different Twilio call sid: refused too.
    const other = await sim.voice.post(
      account.sid,
      `${PUBLIC}/api/ringline/webhooks/twilio/voice?tenant=acme&call=${body.call.id}&leg=bridge`,
      { CallSid: `CA${'0'.repeat(32)}`, AccountSid: account.sid, From: CALLER_ID, To: 'client:x' },
    )
    expect(await other.text()).toContain('<Hangup/>')
    // An unsigned request writes nothing.
    const unsigned = await ringline.handler(
      new Request(
        `${PUBLIC}/api/ringline/webhooks/twilio/voice?tenant=acme&call=${body.call.id}&leg=bridge`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `CallSid=${body.twilio.callSid}`,
        },
      ),
    )
    expect(unsigned.status).toBe(403)
    const flow = await sim.voice.answer(body.twilio.callSid)
    expect(flow.dial?.numbers.map((n) => n.number)).toEqual([DEST])
  })

  it('reports Twilio 429 as RATE_LIMITED with its Retry-After and closes the record as failed', async () => {
    sim.fault('calls.create', { status: 429, retryAfter: 3 })
    const { res, body } = await serverCall()
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('3')
    expect(body.error.code).toBe('RATE_LIMITED')
    const { calls } = await ringline.api.listCalls(USERS.alice!, { limit: 1 })
    expect(calls[0]).toMatchObject({ toNumber: DEST, status: 'failed', endReason: 'failed' })
    expect(JSON.stringify(body)).not.toContain(account.authToken)
  })

  it('validates the body, the caller id and the destination with stable codes', async () => {
    const missing = await call('alice', 'POST', '/twilio/voice/calls', { initiate: 'server' })
    expect(missing.status).toBe(400)
    expect((await json(missing)).error).toMatchObject({ code: 'INVALID_REQUEST', field: 'to' })
    const bad = await serverCall(DEST, { initiate: 'later' })
    expect(bad.body.error).toMatchObject({ code: 'INVALID_REQUEST', field: 'initiate' })
    const callerId = await serverCall(DEST, { callerId: '+14155550199' })
    expect(callerId.body.error).toMatchObject({ code: 'FORBIDDEN', field: 'callerId' })
    const phone = await serverCall('12')
    expect(phone.body.error.code).toBe('INVALID_PHONE_NUMBER')
  })

  it('is available in api, using the configured public URL', async () => {
    const placed = await ringline.api.startTwilioVoiceServerCall(USERS.bob!, { to: DEST, initiate: 'server' })
    expect(simCall(placed.twilio.callSid)).toMatchObject({
      to: `client:${twilioClientIdentity('acme', 'bob')}`,
      url: `${PUBLIC}/api/ringline/webhooks/twilio/voice?tenant=acme&call=${placed.call.id}&leg=bridge`,
    })
    expect(placed.call.createdBy).toBe('bob')
  })
})
