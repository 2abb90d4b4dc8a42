import { beforeEach, describe, expect, it } from 'vitest'
import { createTestClient } from '../../test/callClientHarness'
import { ringsHere } from '../callEffects'
import type { CallRecord, RinglineEvent } from '../protocol'
import { createFakeServer, makeEvent, makeRecord, settle } from '../testing/fakeServer'
import type { Call } from '../types'
import { FakeTwilioDevice } from './testing/fakeDevice'
import { twilioVoiceTransport } from './twilioVoiceTransport'

const SID = `CA${'a1'.repeat(16)}`
const placed = makeRecord({ id: 'tw_srv', roomName: 'twilio-t1_tw_srv', status: 'initiated' })
const other = makeRecord({
  id: 'tw_in',
  direction: 'inbound',
  status: 'ringing',
  roomName: 'twilio-t1_tw_in',
  fromNumber: '+14155550123',
  toNumber: '+14155550100',
  createdBy: null,
})

function setup(options: { events?: boolean; ringFirst?: boolean } = {}) {
  const server = createFakeServer()
  const registeredAtPost: string[] = []
  server.on('POST /token', () => ({
    body: {
      transport: 'twilio',
      token: 'jwt',
      identity: 't1_3Au1',
      ttl: 3600,
      expiresAt: '2030-01-01T00:00:00Z',
    },
  }))
  server.on('POST /twilio/voice/calls', () => {
    const d = FakeTwilioDevice.latest
    registeredAtPost.push(d?.state ?? 'none')
    // Twilio may ring the browser before the REST response reaches it.
    if (options.ringFirst) d?.receive({ callSid: SID })
    return { status: 201, body: { call: placed, twilio: { callSid: SID, status: 'queued' } } }
  })
  server.on(`POST /twilio/voice/calls/${placed.id}/hangup`, () => ({ body: { call: placed } }))
  const transport = twilioVoiceTransport({
    Device: FakeTwilioDevice,
    inviteTimeoutMs: 200,
    dialVia: 'server',
    serverRingTimeout: 20,
  })
  const client = createTestClient(server, transport, { events: options.events ?? true })
  return {
    server,
    client,
    registeredAtPost,
    call: () => client.getSnapshot().activeCall as Call,
    device: () => FakeTwilioDevice.latest as FakeTwilioDevice,
    update: (patch: Partial<CallRecord>) => server.push(makeEvent('call.updated', { ...placed, ...patch })),
  }
}

/** The server's announcement of the browsers' ring of `placed` (`call.incoming`), or of its answer (`call.updated`). */
const ringEvent = (answered: boolean) =>
  ({
    ...makeEvent(answered ? 'call.updated' : 'call.incoming', placed),
    serverDial: { callSid: SID, answered },
  }) as RinglineEvent

/** The placing tab's test rig and a second tab of the same user, which lists the announced ring. */
async function ringingInOtherTab() {
  const t = setup()
  const otherTab = createTestClient(t.server, twilioVoiceTransport({ Device: FakeTwilioDevice }))
  otherTab.subscribe(() => {})
  await settle()
  t.server.push(ringEvent(false))
  await settle()
  expect(otherTab.getSnapshot().incoming).toMatchObject([{ id: placed.id, phase: 'ringing' }])
  return { t, otherTab }
}

beforeEach(() => FakeTwilioDevice.reset())

describe("twilioVoiceTransport({ dialVia: 'server' })", () => {
  it('asks the server to place the call, accepts its own ring by CallSid and follows the record: dialing → ringing → connected', async () => {
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    await t.client.dial('+14155550123')
    await settle()
    expect(t.server.calls('POST /twilio/voice/calls')[0]?.body).toEqual({
      to: '+14155550123',
      initiate: 'server',
      timeout: 20,
    })
    expect(t.registeredAtPost).toEqual(['registered'])
    expect(t.device().calls).toHaveLength(0)
    expect(t.call()).toMatchObject({ phase: 'dialing', direction: 'outbound', id: placed.id })
    const ring = t.device().receive({ callSid: SID })
    await settle()
    // Accepted automatically, never offered as an incoming call; the number is not ringing yet.
    expect(ring.status()).toBe('open')
    expect(t.client.getSnapshot().incoming).toEqual([])
    expect(t.call().phase).toBe('dialing')
    t.update({ status: 'ringing' })
    await settle()
    expect(t.call().phase).toBe('ringing')
    t.update({ status: 'in-progress', answeredAt: '2030-01-01T00:00:05Z' })
    await settle()
    expect(t.call()).toMatchObject({ phase: 'connected', id: placed.id })
    expect(t.call().participants.find((p) => p.kind === 'sip')).toMatchObject({
      sipStatus: 'active',
      name: placed.toNumber,
    })
    ring.remoteHangup()
    expect(t.call()).toMatchObject({ phase: 'ended', endReason: 'remote-hangup' })
  })

  it('matches a ring that beats the REST response', async () => {
    const t = setup({ ringFirst: true })
    t.client.subscribe(() => {})
    await settle()
    await t.client.dial('+14155550123')
    await settle()
    const ring = t.device().calls[0]!
    expect(ring.parameters.CallSid).toBe(SID)
    expect(ring.status()).toBe('open')
    t.update({ status: 'in-progress' })
    await settle()
    expect(t.call().phase).toBe('connected')
  })

  it('leaves other rings alone: a server call of another tab (other CallSid) and an unrelated incoming call', async () => {
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    await t.client.dial('+14155550123')
    await settle()
    const elsewhere = t.device().receive({ callSid: `CA${'b2'.repeat(16)}` })
    t.server.push(makeEvent('call.incoming', other))
    const incoming = t.device().receive({ customParameters: { ringlineCallId: other.id } })
    await settle()
    expect(elsewhere.status()).toBe('pending')
    expect(incoming.status()).toBe('pending')
    expect(t.client.getSnapshot().incoming[0]).toMatchObject({ id: other.id, phase: 'ringing' })
    expect(t.call().phase).toBe('dialing')
    const mine = t.device().receive({ callSid: SID })
    await settle()
    expect(mine.status()).toBe('open')
    expect(elsewhere.status()).toBe('pending')
    expect(incoming.status()).toBe('pending')
  })

  it('rejects its ring when hung up before the ring arrived, and fails clearly when it never arrives', async () => {
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    await t.client.dial('+14155550123')
    await settle()
    await t.client.hangup()
    expect(t.call()).toMatchObject({ phase: 'ended', endReason: 'canceled' })
    expect(t.server.calls(`POST /twilio/voice/calls/${placed.id}/hangup`)).toHaveLength(1)
    const late = t.device().receive({ callSid: SID })
    await settle()
    expect(late.status()).toBe('closed')

    t.client.dismiss()
    await t.client.dial('+14155550123')
    await new Promise((r) => setTimeout(r, 250))
    expect(t.call()).toMatchObject({ phase: 'failed', error: { code: 'CALL_NOT_ACTIVE' } })
  })

  it('fails with the server error and releases a Device registered only for that call', async () => {
    const t = setup({ events: false })
    t.server.on('POST /twilio/voice/calls', () => ({
      status: 409,
      body: {
        error: { code: 'NOT_CONFIGURED', message: 'Twilio Voice is not configured.', requestId: 'r1' },
      },
    }))
    await t.client.dial('+14155550123').catch(() => {})
    await settle()
    expect(t.call()).toMatchObject({ phase: 'failed', error: { code: 'NOT_CONFIGURED' } })
    expect(t.device().state).toBe('destroyed')
  })

  it('without the events stream, reads the accepted ring as connected', async () => {
    const t = setup({ events: false })
    await t.client.dial('+14155550123')
    await settle()
    // No subscriber: the Device was still registered for this call's ring.
    expect(t.registeredAtPost).toEqual(['registered'])
    t.device().receive({ callSid: SID })
    await settle()
    expect(t.call().phase).toBe('connected')
  })

  it("lists the ring in the user's other tab (not in the placing one) until a browser answers it, then clears it", async () => {
    const t = setup()
    // Alice's other tab: its own client and Device on the same events stream.
    const otherTab = createTestClient(t.server, twilioVoiceTransport({ Device: FakeTwilioDevice }))
    otherTab.subscribe(() => {})
    t.client.subscribe(() => {})
    await settle()
    // The server announces the ring while the placing tab still waits for its REST response (id not known yet).
    const whilePlacing = { placingTab: [] as string[], otherTab: [] as string[], phase: '' }
    t.server.on('POST /twilio/voice/calls', async () => {
      t.server.push(ringEvent(false))
      await settle()
      whilePlacing.placingTab = t.client.getSnapshot().incoming.map((c) => c.id)
      whilePlacing.otherTab = otherTab.getSnapshot().incoming.map((c) => c.id)
      whilePlacing.phase = `${t.call().phase} ${t.call().id}`
      return { status: 201, body: { call: placed, twilio: { callSid: SID, status: 'queued' } } }
    })
    await t.client.dial('+14155550123')
    await settle()
    // While its request was in flight (no id yet) the placing tab did not list it either.
    expect(whilePlacing).toEqual({ placingTab: [], otherTab: [placed.id], phase: 'requesting null' })
    expect(t.client.getSnapshot().incoming).toEqual([])
    expect(t.call()).toMatchObject({ phase: 'dialing', id: placed.id })
    expect(otherTab.getSnapshot().incoming).toMatchObject([
      { id: placed.id, phase: 'ringing', serverDial: { callSid: SID }, to: placed.toNumber },
    ])
    expect(otherTab.getSnapshot().activeCall).toBeNull()
    // A late copy of the announcement after the placing tab knows the id is still its own call's.
    t.server.push(ringEvent(false))
    await settle()
    expect(t.client.getSnapshot().incoming).toEqual([])
    // The placing tab's browser takes the ring: the server says so, the other tab stops listing it as ringing.
    const mine = t.device().receive({ callSid: SID })
    t.server.push(ringEvent(true))
    await settle()
    expect(mine.status()).toBe('open')
    expect(otherTab.getSnapshot().incoming).toMatchObject([
      { id: placed.id, phase: 'ended', endReason: 'answered-elsewhere' },
    ])
    expect(otherTab.getSnapshot().activeCall).toBeNull()
    t.update({ status: 'in-progress', answeredAt: '2030-01-01T00:00:05Z' })
    await settle()
    expect(t.call().phase).toBe('connected')
    expect(t.client.getSnapshot().incoming).toEqual([])
    otherTab.destroy()
  })

  it("ends the other tab's entry as missed when the call ends before any browser answers", async () => {
    const { t, otherTab } = await ringingInOtherTab()
    t.server.push(makeEvent('call.ended', { ...placed, status: 'no-answer', endReason: 'no-answer' }))
    await settle()
    expect(otherTab.getSnapshot().incoming).toMatchObject([
      { id: placed.id, phase: 'ended', endReason: 'missed' },
    ])
    // An outbound call.incoming without serverDial stays the active call's business: never listed.
    const plain = makeRecord({ id: 'tw_plain', status: 'initiated' })
    t.server.push(makeEvent('call.incoming', plain))
    await settle()
    expect(otherTab.getSnapshot().incoming.map((c) => c.id)).toEqual([placed.id])
  })

  it('in the other tab, the ring neither rings nor answers; ignoring drops it there, rejecting hangs the call up', async () => {
    const { t, otherTab } = await ringingInOtherTab()
    expect(ringsHere(otherTab.getSnapshot(), { running: true, leader: true })).toBe(false)
    await expect(otherTab.answer(placed.id)).rejects.toMatchObject({ code: 'CALL_ALREADY_ANSWERED' })
    expect(otherTab.getSnapshot().activeCall).toBeNull()
    expect(t.server.calls(`POST /twilio/voice/calls/${placed.id}/answer`)).toHaveLength(0)
    await otherTab.decline(placed.id)
    expect(otherTab.getSnapshot().incoming).toEqual([])
    expect(t.server.calls(`POST /twilio/voice/calls/${placed.id}/decline`)).toHaveLength(0)
    expect(t.server.calls(`POST /twilio/voice/calls/${placed.id}/hangup`)).toHaveLength(0)

    const again = createTestClient(t.server, twilioVoiceTransport({ Device: FakeTwilioDevice }))
    again.subscribe(() => {})
    await settle()
    t.server.push({ ...ringEvent(false), id: 'ev_again' } as RinglineEvent)
    await settle()
    await again.decline(placed.id, { reject: true })
    expect(t.server.calls(`POST /twilio/voice/calls/${placed.id}/hangup`)).toHaveLength(1)
    expect(t.server.calls(`POST /twilio/voice/calls/${placed.id}/decline`)).toHaveLength(0)
    otherTab.destroy()
    again.destroy()
  })
})
