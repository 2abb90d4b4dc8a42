import type { RinglineEvent } from '@ringline/core/protocol'
import { TokenVerifier } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryStore } from '../src/sql/memoryStore'
import type { RinglineStore } from '../src/sql/types'
import { API_KEY, API_SECRET, req, testRingline, USERS } from './helpers'
import { signedWebhook } from './webhookSigner'

const count = async (store: RinglineStore, table: string) =>
  Number((await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n)

describe('POST /webhooks/livekit', () => {
  const ringline = testRingline()
  const events: RinglineEvent[] = []
  beforeAll(async () => {
    await ringline.store.migrate()
    ringline.api.subscribe(USERS.alice!, (e) => events.push(e))
  })
  afterAll(() => ringline.close())

  it('rejects a bad signature, a tampered body and a missing header with 401 and writes nothing', async () => {
    const before = await count(ringline.store, 'ringline_webhook_events')
    const event = { event: 'room_started', room: { name: 'int-acme-x', sid: 'RM_1' } }
    for (const request of [
      await signedWebhook(event, { secret: 'another-secret-another-secret-another' }),
      await signedWebhook(event, { tamper: true }),
      await signedWebhook(event, { auth: null }),
      await signedWebhook(event, { auth: 'Bearer not.a.jwt' }),
    ]) {
      const res = await ringline.handler(request)
      expect(res.status).toBe(401)
      expect((await res.json()).error.code).toBe('WEBHOOK_SIGNATURE_INVALID')
    }
    expect(await count(ringline.store, 'ringline_webhook_events')).toBe(before)
    expect(ringline.logger.lines.join('\n')).not.toContain(API_SECRET)
  })

  it('POST /ready-check: a short token for a private room of its own; its webhooks leave no record and no event', async () => {
    const callsBefore = await count(ringline.store, 'ringline_calls')
    const eventsBefore = events.length
    const res = await ringline.handler(req('POST', '/ready-check', { user: 'alice' }))
    expect(res.status).toBe(200)
    const { connection, roomName } = await res.json()
    expect(roomName).toMatch(/^rc-acme-[0-9a-f-]{36}$/)
    expect(connection.roomName).toBe(roomName)
    const claims = await new TokenVerifier(API_KEY, API_SECRET).verify(connection.token)
    expect(claims.sub).toBe('acme:alice')
    expect(claims.video).toMatchObject({ roomJoin: true, room: roomName, canPublishSources: ['microphone'] })
    expect(claims.video?.roomAdmin).toBeUndefined()
    expect((claims.exp ?? 0) - (claims.nbf ?? 0)).toBeLessThanOrEqual(120)
    // Each check is a room of its own.
    const second = await (await ringline.handler(req('POST', '/ready-check', { user: 'alice' }))).json()
    expect(second.roomName).not.toBe(roomName)
    const room = { name: roomName, sid: 'RM_rc', creationTime: '1750000000' }
    const participant = { sid: 'PA_rc', identity: 'acme:alice', state: 'ACTIVE', joinedAt: '1750000001' }
    for (const event of [
      { event: 'room_started', room },
      { event: 'participant_joined', room, participant },
      {
        event: 'track_published',
        room,
        participant,
        track: { sid: 'TR_rc', type: 'AUDIO', source: 'MICROPHONE' },
      },
      { event: 'participant_left', room, participant },
      { event: 'room_finished', room },
    ]) {
      const r = await ringline.handler(await signedWebhook(event))
      expect(r.status, event.event).toBe(200)
    }
    await ringline.settled()
    expect(await count(ringline.store, 'ringline_calls')).toBe(callsBefore)
    expect(events.slice(eventsBefore)).toEqual([])
    expect((await ringline.api.listRooms(USERS.alice!)).rooms.map((r) => r.roomName)).not.toContain(roomName)
    expect(ringline.logger.lines.join('\n')).not.toContain(connection.token)
  })

  it('POST /ready-check is limited per user (429 RATE_LIMITED with Retry-After)', async () => {
    let last: Response | undefined
    for (let i = 0; i < 12; i++) last = await ringline.handler(req('POST', '/ready-check', { user: 'bob' }))
    expect(last!.status).toBe(429)
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/)
    expect((await last!.json()).error.code).toBe('RATE_LIMITED')
    // Another user is not held back by bob's checks.
    expect((await ringline.handler(req('POST', '/ready-check', { user: 'eve' }))).status).toBe(200)
  })

  it('updates an internal room from participant_joined / participant_left / room_finished, each event once', async () => {
    await ringline.api.joinRoom(USERS.alice!, 'webhook-room')
    const joined = {
      event: 'participant_joined',
      room: { name: 'int-acme-webhook-room', sid: 'RM_2', creationTime: '1750000000' },
      participant: {
        sid: 'PA_1',
        identity: 'acme:bob',
        name: 'Bob',
        state: 'ACTIVE',
        joinedAt: '1750000001',
      },
    }
    const first = await ringline.handler(await signedWebhook(joined, { id: 'EV_join_bob' }))
    expect(await first.json()).toEqual({ outcome: 'processed', event: 'participant_joined' })
    const again = await ringline.handler(await signedWebhook(joined, { id: 'EV_join_bob' }))
    expect(await again.json()).toEqual({ outcome: 'duplicate', event: 'participant_joined' })
    let rooms = await ringline.api.listRooms(USERS.alice!)
    const room = rooms.rooms.find((r) => r.name === 'webhook-room')
    expect(room?.participants.map((p) => p.identity).sort()).toEqual(['acme:alice', 'acme:bob'])
    expect(room?.participants.find((p) => p.identity === 'acme:bob')?.joinedAt).toBe(
      '2025-06-15T15:06:41.000Z',
    )

    await ringline.handler(await signedWebhook({ ...joined, event: 'participant_left' }))
    rooms = await ringline.api.listRooms(USERS.alice!)
    expect(rooms.rooms.find((r) => r.name === 'webhook-room')?.participants.map((p) => p.identity)).toEqual([
      'acme:alice',
    ])

    await ringline.handler(
      await signedWebhook({ event: 'room_finished', room: { name: 'int-acme-webhook-room', sid: 'RM_2' } }),
    )
    rooms = await ringline.api.listRooms(USERS.alice!)
    expect(rooms.rooms.find((r) => r.name === 'webhook-room')).toBeUndefined()
    const roomEvents = events.filter((e) => e.type === 'room.updated' && e.name === 'webhook-room')
    expect(roomEvents.at(-1)).toMatchObject({ type: 'room.updated', room: null })
  })

  it('acknowledges and ignores unknown and unrelated events', async () => {
    const res = await ringline.handler(
      await signedWebhook({ event: 'track_published', room: { name: 'x', sid: 'RM' } }),
    )
    expect(res.status).toBe(200)
    expect((await res.json()).outcome).toBe('ignored')
    const future = await ringline.handler(await signedWebhook({ event: 'something_new' }))
    expect(future.status).toBe(200)
  })

  it('records an inbound SIP participant as a ringing call and announces it', async () => {
    const res = await ringline.handler(
      await signedWebhook({
        event: 'participant_joined',
        room: { name: 'in-acme_+15550001111_Ab12', sid: 'RM_3' },
        participant: {
          sid: 'PA_2',
          identity: 'sip_+15550001111',
          name: 'Phone +15550001111',
          kind: 'SIP',
          state: 'ACTIVE',
          attributes: {
            'sip.callStatus': 'ringing',
            'sip.phoneNumber': '+15550001111',
            'sip.trunkPhoneNumber': '+15550002222',
            'sip.callID': 'SCL_abc',
            'ringline.tenant': 'acme',
            'ringline.number': '+15550002222',
          },
        },
      }),
    )
    expect(res.status).toBe(200)
    const incoming = events.find((e) => e.type === 'call.incoming')
    expect(incoming).toMatchObject({
      type: 'call.incoming',
      call: {
        direction: 'inbound',
        status: 'ringing',
        fromNumber: '+15550001111',
        toNumber: '+15550002222',
        sipCallId: 'SCL_abc',
      },
    })
    if (incoming?.type !== 'call.incoming') throw new Error('no incoming event')
    expect(JSON.stringify(incoming)).not.toContain('internals')
    // A caller hanging up while ringing makes the call missed.
    await ringline.handler(
      await signedWebhook({
        event: 'participant_left',
        room: { name: 'in-acme_+15550001111_Ab12', sid: 'RM_3' },
        participant: { sid: 'PA_2', identity: 'sip_+15550001111', kind: 'SIP' },
      }),
    )
    const ended = events.find((e) => e.type === 'call.ended' && e.call.id === incoming.call.id)
    expect(ended).toMatchObject({ call: { status: 'missed', endReason: 'missed' } })
  })

  it('creates no call for an inbound SIP participant without a tenant attribute', async () => {
    const before = await count(ringline.store, 'ringline_calls')
    const res = await ringline.handler(
      await signedWebhook({
        event: 'participant_joined',
        room: { name: 'in-globex_+15550003333_Zz', sid: 'RM_4' },
        participant: {
          sid: 'PA_3',
          identity: 'sip_x',
          kind: 'SIP',
          attributes: { 'ringline.tenant': 'acme' },
        },
      }),
    )
    expect(res.status).toBe(200)
    expect(await count(ringline.store, 'ringline_calls')).toBe(before)
    expect(ringline.logger.lines.some((l) => l.includes('without a valid ringline.tenant'))).toBe(true)
  })
})

describe('webhook persistence failures', () => {
  it('answers 5xx so LiveKit retries, and keeps no dedupe row', async () => {
    const inner = memoryStore()
    let fail = true
    const flaky: RinglineStore = {
      ...inner,
      transaction: (fn) => (fail ? Promise.reject(new Error('disk full')) : inner.transaction(fn)),
    }
    const ringline = testRingline({ store: flaky })
    const request = await signedWebhook(
      { event: 'room_finished', room: { name: 'int-acme-gone', sid: 'RM' } },
      { id: 'EV_retry' },
    )
    const retry = request.clone()
    const res = await ringline.handler(request)
    expect(res.status).toBe(503)
    expect((await res.json()).error.code).toBe('STORE_UNAVAILABLE')
    fail = false
    const second = await ringline.handler(retry)
    expect((await second.json()).outcome).toBe('processed')
    await ringline.close()
  })
})
