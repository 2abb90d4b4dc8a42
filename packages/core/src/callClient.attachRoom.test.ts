import { describe, expect, it } from 'vitest'
import { setup } from '../test/callClientHarness'
import { isRinglineError } from './ringlineError'
import { FakeRoom } from './testing/fakeRoom'
import { connectionFor, makeRecord, settle } from './testing/fakeServer'

/** A room the app joined itself (`<LiveKitRoom>`): connected, named, with someone else in it already. */
async function appRoom(name = 'lk-acme-support') {
  const room = new FakeRoom()
  await room.connect('wss://app.test', 'app-token')
  Object.assign(room, { name })
  room.addParticipant({ identity: 'colleague', kind: 'user' })
  return room
}

describe('attachRoom: calls placed into a LiveKit room the app already joined', () => {
  it('asks the server to dial into the room, rides it without connecting or disconnecting it', async () => {
    const t = setup()
    const room = await appRoom()
    const listenersBefore = room.listenerCount()
    const record = makeRecord({ roomName: 'lk-acme-support' })
    t.server.on('POST /calls', () => ({
      status: 201,
      body: { call: record, connection: connectionFor(record) },
    }))
    t.client.attachRoom(room)
    expect(t.client.attachedRoom).toBe(room)

    await t.client.dial('+1 415 555 0123')
    expect(t.server.calls('POST /calls')[0]?.body).toEqual({ to: '+14155550123', room: 'lk-acme-support' })
    await settle()
    // No room of its own: the app's room is used as it is, and the microphone is published on it.
    expect(t.transport.rooms).toEqual([])
    expect(room.connectCalls).toHaveLength(1)
    expect(room.localParticipant.microphoneCalls).toEqual([true])
    expect(room.listenerCount()).toBeGreaterThan(listenersBefore)

    room.addSipParticipant('dialing')
    await settle()
    room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
    await settle()
    expect(t.phase()).toBe('connected')

    await t.client.hangup()
    await settle()
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(1)
    const ended = t.call()
    expect(ended.phase === 'ended' && ended.endReason).toBe('local-hangup')
    // The app's room stays connected, with the app's own listeners only.
    expect(room.disconnectCalls).toBe(0)
    expect(room.state).toBe('connected')
    expect(room.listenerCount()).toBe(listenersBefore)
  })

  it('ends the call when the phone leaves the shared room', async () => {
    const t = setup()
    const room = await appRoom()
    const record = makeRecord({ roomName: 'lk-acme-support' })
    t.server.on('POST /calls', () => ({
      status: 201,
      body: { call: record, connection: connectionFor(record) },
    }))
    t.client.attachRoom(room)
    await t.client.dial('+14155550123')
    await settle()
    room.addSipParticipant('active')
    await settle()
    expect(t.phase()).toBe('connected')
    room.removeParticipant('sip_+14155550123')
    await settle()
    expect(t.phase()).toBe('ended')
    expect(room.disconnectCalls).toBe(0)
  })

  it('refuses to dial into a room that has not joined yet; detaching goes back to rooms of its own', async () => {
    const t = setup()
    t.client.attachRoom(new FakeRoom())
    const error = await t.client.dial('+14155550123').catch((e: unknown) => e)
    expect(isRinglineError(error) && error.code).toBe('CALL_NOT_ACTIVE')
    expect(t.server.calls('POST /calls')).toHaveLength(0)

    t.client.attachRoom(null)
    await t.client.dial('+14155550123')
    await settle()
    expect(t.server.calls('POST /calls')[0]?.body).toEqual({ to: '+14155550123' })
    expect(t.room.connectCalls).toEqual([{ url: 'wss://lk.test', token: 'token-call_1' }])
  })

  it('fails the call when the server put it in another room than the attached one', async () => {
    const t = setup()
    t.client.attachRoom(await appRoom('lk-acme-a'))
    await t.client.dial('+14155550123')
    await settle()
    const call = t.call()
    expect(call.phase === 'failed' && call.error.code).toBe('CONNECTION_FAILED')
  })
})
