import { describe, expect, it } from 'vitest'
import { dialToPhase, fakeSounds, setup } from '../test/callClientHarness'
import type { ConsultEvent } from './consult'
import type { CallRecord } from './protocol'
import { makeEvent, makeRecord, settle } from './testing/fakeServer'

const consultConnection = (id: string) => ({
  serverUrl: 'wss://lk.test',
  token: `consult-token-${id}`,
  roomName: `consult-${id}`,
})

/** Alice (`u1`) on a connected outbound call `call_1`, consulting Bob. */
async function consulting() {
  const s = fakeSounds()
  const t = setup({ sounds: s.sounds })
  t.client.subscribe(() => {})
  await settle()
  await dialToPhase(t, 'active')
  const talking = makeRecord({ status: 'in-progress', answeredAt: '2026-01-01T00:00:05.000Z' })
  const withConsult = (state: 'ringing' | 'connected'): CallRecord => ({
    ...talking,
    consult: { userId: 'bob', by: 'u1', state, startedAt: '2026-01-01T00:00:10.000Z' },
  })
  t.server.on('POST /calls/call_1/consult', () => ({
    body: { call: withConsult('ringing'), connection: consultConnection('call_1') },
  }))
  t.server.on('POST /calls/call_1/consult/cancel', () => ({ body: { call: talking } }))
  t.server.on('POST /calls/call_1/consult/complete', () => ({
    body: {
      call: { ...talking, answeredBy: 'bob', transfer: { kind: 'warm', to: 'user:bob', at: 'x', by: 'u1' } },
    },
  }))
  const callRoom = t.room
  const caller = callRoom.publishAudio('sip_+14155550123')
  const events: ConsultEvent[] = []
  t.client.consult.on((e) => events.push(e))
  return {
    ...t,
    s,
    callRoom,
    caller,
    talking,
    withConsult,
    events,
    consult: () => t.client.consult.getSnapshot().consult,
  }
}

describe('warm transfer: the consulting side', () => {
  it('holds the caller, consults in a room of its own, hands over once the colleague reached the caller', async () => {
    const t = await consulting()
    const started = await t.client.consult.start('bob')
    expect(started).toMatchObject({ callId: 'call_1', role: 'consulting', userId: 'bob', phase: 'ringing' })
    expect(t.server.calls('POST /calls/call_1/consult')[0]?.body).toEqual({ userId: 'bob' })
    // Audio isolation: the caller hears the music on the call's microphone track and is not heard here; the
    // consult is a second room with the microphone.
    expect(t.call().onHold).toBe(true)
    expect(t.callRoom.sending).toBe(t.s.holdTrack)
    expect(t.caller.volume).toBe(0)
    const consultRoom = t.transport.rooms[1]!
    expect(t.transport.rooms).toHaveLength(2)
    expect(consultRoom.localParticipant.isMicrophoneEnabled).toBe(true)

    // Completing before Bob joined is refused.
    expect((await t.client.consult.complete().catch((e) => e)).code).toBe('CALL_NOT_ACTIVE')
    consultRoom.addParticipant({ identity: 't1:bob', kind: 'user' })
    await settle()
    expect(t.consult()?.phase).toBe('connected')
    expect(consultRoom.publishAudio('t1:bob').volume).toBe(1)

    const done = t.client.consult.complete()
    await settle()
    expect(t.consult()?.phase).toBe('completing')
    // The caller keeps hearing the music until Bob is in the call's room; then Alice leaves.
    expect(t.phase()).toBe('connected')
    t.callRoom.addParticipant({ identity: 't1:bob', kind: 'user' })
    await settle()
    t.clock.advance(200)
    await done
    expect(t.call()).toMatchObject({ phase: 'ended', endReason: 'local-hangup' })
    expect(t.call().transfer).toEqual({ to: 'user:bob', status: 'completed', error: null })
    expect(t.consult()).toMatchObject({ phase: 'ended', endReason: 'completed' })
    expect(consultRoom.state).toBe('disconnected')
    expect(t.callRoom.state).toBe('disconnected')
    // No hang-up: the call goes on with Bob.
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(0)
    expect(
      t.events.filter((e) => e.type === 'consult-changed').map((e) => 'consult' in e && e.consult.phase),
    ).toEqual(['starting', 'ringing', 'connected', 'completing', 'ended'])
  })

  it('cancel: the consult room is left, the server told, the caller resumed', async () => {
    const t = await consulting()
    await t.client.consult.start('bob')
    const consultRoom = t.transport.rooms[1]!
    consultRoom.addParticipant({ identity: 't1:bob', kind: 'user' })
    await settle()
    await t.client.consult.cancel()
    expect(t.server.calls('POST /calls/call_1/consult/cancel')).toHaveLength(1)
    expect(consultRoom.state).toBe('disconnected')
    expect(t.consult()).toMatchObject({ phase: 'ended', endReason: 'canceled' })
    expect(t.call()).toMatchObject({ phase: 'connected', onHold: false })
    expect(t.caller.volume).toBe(1)
    expect(t.callRoom.sending).not.toBe(t.s.holdTrack)
    // A second consult may follow.
    t.client.consult.dismiss()
    expect(t.consult()).toBeNull()
    await t.client.consult.start('bob')
    expect(t.consult()?.phase).toBe('ringing')
  })

  it('the colleague cancelling (the server closes the consult) brings the caller back', async () => {
    const t = await consulting()
    await t.client.consult.start('bob')
    t.server.push(makeEvent('call.updated', t.withConsult('connected')))
    await settle()
    expect(t.consult()?.phase).toBe('connected')
    t.server.push(makeEvent('call.updated', { ...t.talking, consult: null }))
    await settle()
    expect(t.consult()).toMatchObject({ phase: 'ended', endReason: 'canceled' })
    expect(t.transport.rooms[1]?.state).toBe('disconnected')
    expect(t.call().onHold).toBe(false)
    // Closed by the other side: no second cancel request.
    expect(t.server.calls('POST /calls/call_1/consult/cancel')).toHaveLength(0)
  })

  it('a refused consult fails with the server’s code and resumes the call', async () => {
    const t = await consulting()
    t.server.on('POST /calls/call_1/consult', () => ({
      status: 403,
      body: { error: { code: 'FORBIDDEN', message: 'no', requestId: 'r' } },
    }))
    const error = await t.client.consult.start('bob').catch((e) => e)
    expect(error.code).toBe('FORBIDDEN')
    expect(t.consult()).toMatchObject({ phase: 'ended', endReason: 'failed', error: { code: 'FORBIDDEN' } })
    expect(t.call().onHold).toBe(false)
    expect(t.transport.rooms).toHaveLength(1)
    expect((await t.client.consult.start('  ').catch((e) => e)).code).toBe('INVALID_REQUEST')
  })

  /** The consult of a phone number: the server answers with a token for the consult voice in the call's room. */
  const phoneConsult = (t: Awaited<ReturnType<typeof consulting>>) => {
    const withPhone = (state: 'ringing' | 'connected' | 'ended', endReason?: 'hangup'): CallRecord => ({
      ...t.talking,
      consult: {
        to: 'tel:+14155550199',
        by: 'u1',
        state,
        startedAt: '2026-01-01T00:00:10.000Z',
        ...(endReason ? { endReason } : {}),
      },
    })
    t.server.on('POST /calls/call_1/consult', () => ({
      body: {
        call: withPhone('ringing'),
        connection: { serverUrl: 'wss://lk.test', token: 'voice-token', roomName: 'out-t1_call_1' },
      },
    }))
    t.server.on('POST /calls/call_1/consult/complete', () => ({
      body: {
        call: { ...t.talking, transfer: { kind: 'warm', to: 'tel:+14155550199', at: 'x', by: 'u1' } },
      },
    }))
    return withPhone
  }

  it('a phone number: held, dialled by the server, connected when it answers; complete ends this call at once', async () => {
    const t = await consulting()
    const withPhone = phoneConsult(t)
    // An update of the call from before the consult (no consult on it) does not read as a cancel.
    t.server.push(makeEvent('call.updated', t.talking))
    await settle()
    const started = await t.client.consult.start({ to: ' +14155550199 ' })
    expect(t.server.calls('POST /calls/call_1/consult')[0]?.body).toEqual({ to: '+14155550199' })
    expect(started).toMatchObject({
      role: 'consulting',
      to: 'tel:+14155550199',
      userId: '',
      phase: 'ringing',
    })
    expect(t.call().onHold).toBe(true)
    // The consult voice: a second session (in the call's room) with the microphone.
    const voice = t.transport.rooms[1]!
    expect(voice.localParticipant.isMicrophoneEnabled).toBe(true)
    // Participants of the call's room (the caller, the phone) do not move the consult: the server does.
    voice.addParticipant({ identity: 'consult-phone-call_1', kind: 'sip' })
    await settle()
    expect(t.consult()?.phase).toBe('ringing')
    expect((await t.client.consult.complete().catch((e) => e)).code).toBe('CALL_NOT_ACTIVE')
    t.server.push(makeEvent('call.updated', withPhone('connected')))
    await settle()
    expect(t.consult()?.phase).toBe('connected')

    await t.client.consult.complete()
    expect(t.server.calls('POST /calls/call_1/consult/complete')).toHaveLength(1)
    expect(t.call()).toMatchObject({ phase: 'ended', endReason: 'local-hangup' })
    expect(t.call().transfer).toEqual({ to: 'tel:+14155550199', status: 'completed', error: null })
    expect(t.consult()).toMatchObject({ phase: 'ended', endReason: 'completed' })
    expect(voice.state).toBe('disconnected')
    // No hang-up: the two phones talk on.
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(0)
    expect((await t.client.consult.start({ to: ' ' }).catch((e) => e)).code).toBe('INVALID_REQUEST')
  })

  it('the consulted phone hangs up: the consult is left (Complete refused), cancel resumes the caller', async () => {
    const t = await consulting()
    const withPhone = phoneConsult(t)
    await t.client.consult.start({ to: '+14155550199' })
    t.server.push(makeEvent('call.updated', withPhone('connected')))
    await settle()
    // The consulted phone leaves the call's room: the call is not over (its own phone leg is still there).
    t.callRoom.addParticipant({ identity: 'consult-phone-call_1', kind: 'sip' })
    await settle()
    t.callRoom.removeParticipant('consult-phone-call_1')
    t.server.push(makeEvent('call.updated', withPhone('ended', 'hangup')))
    await settle()
    expect(t.consult()).toMatchObject({ phase: 'left', leftReason: 'hangup' })
    expect(t.call()).toMatchObject({ phase: 'connected', onHold: true })
    expect((await t.client.consult.complete().catch((e) => e)).code).toBe('CALL_NOT_ACTIVE')
    await t.client.consult.cancel()
    expect(t.server.calls('POST /calls/call_1/consult/cancel')).toHaveLength(1)
    expect(t.consult()).toMatchObject({ phase: 'ended', endReason: 'canceled' })
    expect(t.call()).toMatchObject({ phase: 'connected', onHold: false })
    expect(t.transport.rooms[1]?.state).toBe('disconnected')
  })

  it('a colleague who never reaches the caller: the hand-over fails, the call stays on hold here', async () => {
    const t = await consulting()
    await t.client.consult.start('bob')
    t.transport.rooms[1]!.addParticipant({ identity: 't1:bob', kind: 'user' })
    await settle()
    const done = t.client.consult.complete()
    await settle()
    t.clock.advance(20_000)
    await done
    expect(t.consult()).toMatchObject({
      phase: 'ended',
      endReason: 'failed',
      error: { code: 'TRANSFER_FAILED' },
    })
    expect(t.call()).toMatchObject({ phase: 'connected', onHold: true })
    expect(t.call().transfer?.status).toBe('failed')
  })
})

describe('warm transfer: the consulted side', () => {
  const held = makeRecord({
    id: 'call_9',
    status: 'in-progress',
    roomName: 'out-t1_call_9',
    createdBy: 'alice',
    consult: { userId: 'u1', by: 'alice', state: 'ringing', startedAt: '2026-01-01T00:00:10.000Z' },
  })

  async function offered() {
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    const events: ConsultEvent[] = []
    t.client.consult.on((e) => events.push(e))
    t.server.push(makeEvent('call.updated', held))
    await settle()
    return Object.assign(t, { events, snapshot: () => t.client.consult.getSnapshot() })
  }

  it('offers the consult, answers it, and takes the call over when it is handed over', async () => {
    const t = await offered()
    expect(t.snapshot().offers).toEqual([
      expect.objectContaining({
        callId: 'call_9',
        by: 'alice',
        record: expect.objectContaining({ id: 'call_9' }),
      }),
    ])
    expect(t.events[0]).toMatchObject({ type: 'consult-offered' })
    // Not an incoming phone call: the incoming feed is for the phone ringing.
    expect(t.client.getSnapshot().incoming).toHaveLength(0)
    t.server.on('POST /calls/call_9/consult/answer', () => ({
      body: {
        call: { ...held, consult: { ...held.consult!, state: 'connected' } },
        connection: consultConnection('call_9'),
      },
    }))
    const consult = await t.client.consult.answer('call_9')
    expect(consult).toMatchObject({ role: 'consulted', phase: 'connected', by: 'alice', userId: 'u1' })
    expect(t.snapshot().offers).toHaveLength(0)
    const consultRoom = t.transport.rooms[0]!
    expect(t.client.getSnapshot().activeCall).toBeNull()

    const handed = {
      ...held,
      consult: null,
      answeredBy: 'u1',
      transfer: { kind: 'warm' as const, to: 'user:u1', at: 'x', by: 'alice' },
    }
    t.server.on('POST /calls/call_9/consult/join', () => ({
      body: {
        call: handed,
        connection: { serverUrl: 'wss://lk.test', token: 'x', roomName: 'out-t1_call_9' },
      },
    }))
    t.server.push(makeEvent('call.updated', handed))
    await settle()
    expect(t.server.calls('POST /calls/call_9/consult/join')).toHaveLength(1)
    const call = t.client.getSnapshot().activeCall
    expect(call).toMatchObject({
      id: 'call_9',
      roomName: 'out-t1_call_9',
      remote: { number: '+14155550123' },
    })
    expect(t.transport.rooms).toHaveLength(2)
    expect(consultRoom.state).toBe('disconnected')
    expect(t.snapshot().consult).toMatchObject({ phase: 'ended', endReason: 'completed' })
    t.transport.rooms[1]!.addSipParticipant('active')
    await settle()
    expect(t.client.getSnapshot().activeCall?.phase).toBe('connected')
  })

  it('the offer goes away when the consult is cancelled; declining cancels it on the server', async () => {
    const t = await offered()
    t.server.push(makeEvent('call.updated', { ...held, consult: null }))
    await settle()
    expect(t.snapshot().offers).toHaveLength(0)
    expect(t.events.map((e) => e.type)).toEqual(['consult-offered', 'consult-offer-withdrawn'])
    t.server.push(makeEvent('call.updated', { ...held, id: 'call_10' }))
    await settle()
    t.server.on('POST /calls/call_10/consult/cancel', () => ({ body: { call: held } }))
    await t.client.consult.decline('call_10')
    expect(t.snapshot().offers).toHaveLength(0)
    expect(t.server.calls('POST /calls/call_10/consult/cancel')).toHaveLength(1)
  })

  it('a cancel by the consulting side ends the consult here with no call taken', async () => {
    const t = await offered()
    t.server.on('POST /calls/call_9/consult/answer', () => ({
      body: { call: held, connection: consultConnection('call_9') },
    }))
    await t.client.consult.answer('call_9')
    t.transport.rooms[0]!.disconnectFromServer('ROOM_DELETED')
    await settle()
    expect(t.snapshot().consult).toMatchObject({ phase: 'ended', endReason: 'canceled' })
    expect(t.client.getSnapshot().activeCall).toBeNull()
  })
})

describe('warm transfer: twice in a row on the consulted side', () => {
  it('a second hand-over after the first call ended connects as the first did', async () => {
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    for (const id of ['call_20', 'call_21']) {
      const held = makeRecord({
        id,
        status: 'in-progress',
        roomName: `out-t1_${id}`,
        createdBy: 'alice',
        consult: { userId: 'u1', by: 'alice', state: 'ringing', startedAt: '2026-01-01T00:00:10.000Z' },
      })
      t.server.push(makeEvent('call.updated', held))
      await settle()
      t.server.on(`POST /calls/${id}/consult/answer`, () => ({
        body: { call: held, connection: consultConnection(id) },
      }))
      await t.client.consult.answer(id)
      const handed = {
        ...held,
        consult: null,
        answeredBy: 'u1',
        transfer: { kind: 'warm' as const, to: 'user:u1', at: 'x', by: 'alice' },
      }
      t.server.on(`POST /calls/${id}/consult/join`, () => ({
        body: {
          call: handed,
          connection: { serverUrl: 'wss://lk.test', token: 'x', roomName: `out-t1_${id}` },
        },
      }))
      t.server.on(`POST /calls/${id}/hangup`, () => ({ body: { ok: true } }))
      t.server.push(makeEvent('call.updated', handed))
      await settle()
      const room = t.transport.rooms.at(-1)!
      room.addSipParticipant('active')
      await settle()
      expect(t.client.getSnapshot().activeCall).toMatchObject({ id, phase: 'connected' })
      expect(room.state).toBe('connected')
      // Alice leaves the room (webhooks update the record), then Bob hangs up.
      t.server.push(makeEvent('call.updated', { ...handed }))
      await settle()
      await t.client.hangup()
      t.server.push(
        makeEvent('call.ended', { ...handed, status: 'completed', endedAt: '2026-01-01T00:01:00.000Z' }),
      )
      await settle()
      expect(t.client.getSnapshot().activeCall?.phase).toBe('ended')
    }
  })
})
