import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeCall, insertCall } from '../src/calls/callRepository'
import type { StoredCall } from '../src/calls/callRow'
import { waitForCaller } from '../src/calls/waitForCaller'
import type { RinglineContext } from '../src/context'
import type { Ringline } from '../src/ringline'
import { JoinSignals } from '../src/rooms/joinSignals'
import { memoryStore } from '../src/sql/memoryStore'
import type { RinglineStore } from '../src/sql/types'
import { fakeLivekitApi } from './fakeLivekit'
import { API_KEY, API_SECRET, captureLogger, req, testRingline } from './helpers'
import { signedWebhook } from './webhookSigner'

const notFound = Object.assign(new Error('requested room does not exist'), { status: 404 })

/** A context whose LiveKit answers `listParticipants` from a script, one answer per poll. */
function contextWith(store: RinglineStore, seconds: number, answers: Array<string[] | Error>) {
  const asked: string[] = []
  const ctx = {
    config: { sip: { waitForCallerSeconds: seconds } },
    store,
    joins: new JoinSignals(),
    logger: captureLogger(),
    livekit: () => ({
      room: {
        async listParticipants(room: string) {
          asked.push(room)
          const next = answers.length > 1 ? answers.shift() : answers[0]
          if (next instanceof Error) throw next
          return (next ?? []).map((identity) => ({ identity }))
        },
      },
    }),
  } as unknown as RinglineContext
  return { ctx, asked }
}

describe('waitForCaller: the phone is dialled only once someone can hear it', () => {
  const store = memoryStore()
  let n = 0
  const newCall = async (): Promise<StoredCall> => {
    const id = `wait-${++n}`
    const call = await insertCall(store, {
      id,
      tenantId: 'acme',
      direction: 'outbound',
      status: 'initiated',
      roomName: `out-acme_${id}`,
      createdBy: 'alice',
    })
    if (!call) throw new Error('not inserted')
    return call
  }
  const fast = { pollMs: 1 }
  beforeAll(() => store.migrate())
  afterAll(() => store.close())

  it('waits through a room that does not exist yet and one without the caller, until the caller joins', async () => {
    const call = await newCall()
    const { ctx, asked } = contextWith(store, 5, [notFound, ['phone-x'], ['acme:bob'], ['acme:alice']])
    await expect(waitForCaller(ctx, call, 'acme:alice', fast)).resolves.toBe('joined')
    expect(asked).toEqual(Array(4).fill(call.roomName))
  })

  it('gives up after waitForCallerSeconds and lets the dial go ahead', async () => {
    const call = await newCall()
    const { ctx, asked } = contextWith(store, 0.05, [[]])
    await expect(waitForCaller(ctx, call, 'acme:alice', { pollMs: 5 })).resolves.toBe('timeout')
    expect(asked.length).toBeGreaterThan(1)
  })

  it('stops when the call is hung up meanwhile, so nothing is dialled', async () => {
    const call = await newCall()
    const { ctx } = contextWith(store, 5, [notFound])
    const waiting = waitForCaller(ctx, call, 'acme:alice', { pollMs: 20 })
    await closeCall(store, call.id, { status: 'canceled', endReason: 'canceled' })
    await expect(waiting).resolves.toBe('ended')
  })

  it('does not wait when LiveKit cannot be asked (the dial reports the real error)', async () => {
    const call = await newCall()
    const { ctx, asked } = contextWith(store, 5, [
      Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    ])
    await expect(waitForCaller(ctx, call, 'acme:alice', fast)).resolves.toBe('unknown')
    expect(asked).toHaveLength(1)
  })

  it('dials at once when the wait is off (0 s)', async () => {
    const call = await newCall()
    const { ctx, asked } = contextWith(store, 0, [notFound])
    await expect(waitForCaller(ctx, call, 'acme:alice', fast)).resolves.toBe('joined')
    expect(asked).toEqual([])
  })

  it("ends the wait when this instance hears the caller's join, without waiting for the next poll", async () => {
    const call = await newCall()
    const { ctx, asked } = contextWith(store, 30, [notFound])
    const waiting = waitForCaller(ctx, call, 'acme:alice', { pollMs: 60_000 })
    await new Promise((resolve) => setTimeout(resolve, 20))
    ctx.joins.joined(call.roomName, 'acme:bob')
    ctx.joins.joined('out-acme_other', 'acme:alice')
    expect(ctx.joins.size).toBe(1)
    ctx.joins.joined(call.roomName, 'acme:alice')
    await expect(waiting).resolves.toBe('joined')
    expect(asked).toEqual([call.roomName])
    expect(ctx.joins.size).toBe(0)
  })

  it('does not dial on a join heard after the call was hung up', async () => {
    const call = await newCall()
    const { ctx } = contextWith(store, 30, [notFound])
    const waiting = waitForCaller(ctx, call, 'acme:alice', { pollMs: 60_000 })
    await new Promise((resolve) => setTimeout(resolve, 20))
    await closeCall(store, call.id, { status: 'canceled', endReason: 'canceled' })
    ctx.joins.joined(call.roomName, 'acme:alice')
    await expect(waiting).resolves.toBe('ended')
  })
})

describe("POST /calls dials as soon as the caller's participant_joined webhook arrives", () => {
  let ringline: Ringline
  let livekit: Awaited<ReturnType<typeof fakeLivekitApi>>
  beforeAll(async () => {
    // LiveKit never lists the caller: only the webhook can end the 30 s wait before the test's timeout.
    livekit = await fakeLivekitApi({
      'RoomService/ListParticipants': () => ({ participants: [] }),
      'SIP/CreateSIPParticipant': (body) => ({
        participantId: 'PA_phone',
        participantIdentity: body.participantIdentity,
        roomName: body.roomName,
        sipCallId: 'SCL_1',
      }),
    })
    ringline = testRingline({
      livekit: { url: livekit.url, apiKey: API_KEY, apiSecret: API_SECRET },
      sip: { outboundTrunkId: 'ST_test', callerId: '+14155550100', waitForCallerSeconds: 30 },
    })
  })
  afterAll(async () => {
    await ringline.close()
    await livekit.close()
  })

  it('waits for the caller, then dials on the join webhook', async () => {
    const res = await ringline.handler(req('POST', '/calls', { user: 'alice', body: { to: '+14155550123' } }))
    expect(res.status).toBe(201)
    const { call } = await res.json()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(livekit.calls.map((c) => c.method)).not.toContain('SIP/CreateSIPParticipant')
    const hook = await ringline.handler(
      await signedWebhook({
        event: 'participant_joined',
        room: { name: call.roomName, sid: 'RM_out' },
        participant: { sid: 'PA_alice', identity: 'acme:alice', kind: 'STANDARD', state: 'ACTIVE' },
      }),
    )
    expect(hook.status).toBe(200)
    await ringline.settled()
    const dial = livekit.calls.find((c) => c.method === 'SIP/CreateSIPParticipant')
    expect(dial?.body).toMatchObject({
      roomName: call.roomName,
      sipCallTo: '+14155550123',
      sipTrunkId: 'ST_test',
    })
    expect((await ringline.api.getCall({ userId: 'alice', tenantId: 'acme' }, call.id)).call.status).toBe(
      'in-progress',
    )
  })
})
