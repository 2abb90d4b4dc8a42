import type { RinglineEvent } from '@ringline/core/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getLatestCallByRoom } from '../src/calls/callRepository'
import { upsertNumberConnection } from '../src/numbers/numberRepository'
import type { Ringline } from '../src/ringline'
import { inboundRoomMetadata } from '../src/tokens'
import { fakeLivekitApi } from './fakeLivekit'
import { API_KEY, API_SECRET, req, testRingline, USERS } from './helpers'
import { signedWebhook } from './webhookSigner'

/**
 * An inbound call rings as LiveKit creates its room (`room_started`, its metadata set by the number's dispatch
 * rule), before the caller's leg joins; the join then fills the leg in. The orders of these webhooks are covered by
 * the property tests of `webhookOrder.test.ts`; these are the cases around them.
 */
describe('inbound calls ring as their room starts', () => {
  let ringline: Ringline & { logger: { lines: string[] } }
  let livekit: Awaited<ReturnType<typeof fakeLivekitApi>>
  const events: RinglineEvent[] = []
  const NUMBER = '+15550002222'
  let n = 0

  beforeAll(async () => {
    livekit = await fakeLivekitApi({ 'RoomService/RemoveParticipant': () => ({}) })
    ringline = testRingline({ livekit: { url: livekit.url, apiKey: API_KEY, apiSecret: API_SECRET } })
    await ringline.store.migrate()
    await upsertNumberConnection(ringline.store, {
      tenantId: 'acme',
      e164: NUMBER,
      livekitInboundTrunkId: 'ST_in',
      livekitDispatchRuleId: 'SDR_in',
      routingPolicy: { policy: 'ring-all' },
    })
    await upsertNumberConnection(ringline.store, {
      tenantId: 'globex',
      e164: '+15550009999',
      livekitInboundTrunkId: 'ST_gl',
      livekitDispatchRuleId: 'SDR_gl',
      routingPolicy: { policy: 'ring-all' },
    })
    ringline.api.subscribe(USERS.alice!, (e) => events.push(e))
  })
  afterAll(async () => {
    await ringline.close()
    await livekit.close()
  })

  /** A fresh inbound room as LiveKit SIP names it (`in-<tenant>_<from>_<random>`). */
  const newRoom = (metadata = inboundRoomMetadata('acme', NUMBER), tenant = 'acme') => {
    n += 1
    return { name: `in-${tenant}_+15550001111_Rnd${n}`, sid: `RM_early${n}`, metadata }
  }
  const post = async (body: Record<string, unknown>) => {
    const res = await ringline.handler(await signedWebhook(body))
    expect(res.status).toBe(200)
  }
  const started = (room: object) => post({ event: 'room_started', room })
  const callerJoined = (room: object, attributes: Record<string, string> = {}) =>
    post({
      event: 'participant_joined',
      room,
      participant: {
        sid: 'PA_caller',
        identity: 'sip_+15550001111',
        name: 'Phone +15550001111',
        kind: 'SIP',
        state: 'ACTIVE',
        attributes: {
          'sip.phoneNumber': '+15550001111',
          'sip.trunkPhoneNumber': NUMBER,
          'sip.callID': `SCL_${n}`,
          'ringline.tenant': 'acme',
          'ringline.number': NUMBER,
          ...attributes,
        },
      },
    })
  const rung = (room: { name: string }) =>
    events.filter(
      (e): e is Extract<RinglineEvent, { type: 'call.incoming' }> =>
        e.type === 'call.incoming' && e.call.roomName === room.name,
    )
  const removals = () =>
    livekit.calls.filter((c) => c.method === 'RoomService/RemoveParticipant').map((c) => c.body)

  it('rings on room_started with the caller and number; the caller’s join fills in its leg, ringing no one again', async () => {
    const room = newRoom()
    await started(room)
    expect(rung(room)).toHaveLength(1)
    expect(rung(room)[0]?.call).toMatchObject({
      direction: 'inbound',
      status: 'ringing',
      fromNumber: '+15550001111',
      toNumber: NUMBER,
      sipCallId: null,
    })
    const before = await getLatestCallByRoom(ringline.store, room.name)
    expect(before?.internals).toMatchObject({
      legPending: true,
      sipIdentity: 'sip_+15550001111',
      number: NUMBER,
    })

    await callerJoined(room)
    expect(rung(room)).toHaveLength(1)
    // The browsers rung are told the leg's SIP call id.
    const updates = events.filter((e) => e.type === 'call.updated' && e.call.id === before?.id)
    expect(updates.map((e) => 'call' in e && e.call.sipCallId)).toEqual([`SCL_${n}`])
    const after = await getLatestCallByRoom(ringline.store, room.name)
    expect(after?.id).toBe(before?.id)
    expect(after?.sipCallId).toBe(`SCL_${n}`)
    expect(after?.internals.legPending).toBeUndefined()
    expect(after?.internals.sipIdentity).toBe('sip_+15550001111')
    // The caller hanging up while ringing: missed, as a call rung on the join.
    await post({
      event: 'participant_left',
      room,
      participant: { sid: 'PA_caller', identity: 'sip_+15550001111', kind: 'SIP' },
    })
    const ended = events.find((e) => e.type === 'call.ended' && e.call.id === before?.id)
    expect(ended).toMatchObject({ call: { status: 'missed', endReason: 'missed' } })
  })

  it('hangs up a caller who joins after their call was declined', async () => {
    const room = newRoom()
    await started(room)
    const call = rung(room)[0]?.call
    if (!call) throw new Error('not rung')
    const res = await ringline.handler(
      req('POST', `/calls/${call.id}/decline`, { user: 'alice', body: { reject: true } }),
    )
    expect(res.status).toBe(200)
    expect((await res.json()).call.status).toBe('declined')
    await ringline.settled()
    const removedBefore = removals().length
    await callerJoined(room)
    await ringline.settled()
    expect(removals().slice(removedBefore)).toEqual([{ room: room.name, identity: 'sip_+15550001111' }])
    expect(rung(room)).toHaveLength(1)
    expect((await getLatestCallByRoom(ringline.store, room.name))?.status).toBe('declined')
  })

  it('rings once when the caller’s join is delivered before room_started', async () => {
    const room = newRoom()
    await callerJoined(room)
    await started(room)
    expect(rung(room)).toHaveLength(1)
    const call = await getLatestCallByRoom(ringline.store, room.name)
    expect(call?.sipCallId).toBe(`SCL_${n}`)
    expect(call?.internals.legPending).toBeUndefined()
  })

  it('does not ring on room_started without Ringline metadata, or naming a number of another workspace', async () => {
    for (const room of [
      newRoom(''),
      newRoom('{"other":"app"}'),
      newRoom(inboundRoomMetadata('acme', '+15550009999')),
      newRoom(inboundRoomMetadata('acme', '+15550007777')),
      newRoom(inboundRoomMetadata('globex', NUMBER), 'globex'),
    ]) {
      await started(room)
      expect(rung(room)).toHaveLength(0)
      expect(await getLatestCallByRoom(ringline.store, room.name)).toBeNull()
    }
  })

  it('hangs up a caller whose join names another workspace than the room it was rung for', async () => {
    const room = newRoom()
    await started(room)
    const removedBefore = removals().length
    await callerJoined(room, { 'ringline.tenant': 'globex' })
    await ringline.settled()
    expect(removals().slice(removedBefore)).toEqual([{ room: room.name, identity: 'sip_+15550001111' }])
    expect(ringline.logger.lines.some((l) => l.includes('without a valid ringline.tenant'))).toBe(true)
    const call = await getLatestCallByRoom(ringline.store, room.name)
    expect(call?.internals.legPending).toBe(true)
  })
})
