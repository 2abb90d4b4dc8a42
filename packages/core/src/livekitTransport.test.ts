import * as livekit from 'livekit-client'
import { describe, expect, it } from 'vitest'
import { livekitTransport } from './livekitTransport'
import { FakeRoom, fakeLivekit } from './testing/fakeRoom'
import type { TransportFact } from './types'

describe('fakeLivekit', () => {
  it('uses the event names and enum values of the real livekit-client', () => {
    for (const [key, value] of Object.entries(fakeLivekit.RoomEvent)) {
      expect((livekit.RoomEvent as Record<string, string>)[key], key).toBe(value)
    }
    expect(fakeLivekit.ParticipantKind.SIP).toBe(livekit.ParticipantKind.SIP)
    expect(fakeLivekit.ParticipantKind.AGENT).toBe(livekit.ParticipantKind.AGENT)
    for (const name of [
      'USER_REJECTED',
      'USER_UNAVAILABLE',
      'ROOM_DELETED',
      'CLIENT_INITIATED',
      'SIP_TRUNK_FAILURE',
    ]) {
      expect(fakeLivekit.DisconnectReason[name], name).toBe(
        (livekit.DisconnectReason as unknown as Record<string, number>)[name],
      )
    }
  })
})

describe('livekitTransport', () => {
  async function connected() {
    const room = new FakeRoom()
    const facts: TransportFact[] = []
    const session = livekitTransport({
      livekit: fakeLivekit,
      createRoom: () => room,
      audioContainer: null,
    }).createSession((f) => facts.push(f))
    await session.connect(
      { serverUrl: 'wss://x', token: 't', roomName: 'r' },
      { microphone: true, audioOutput: 'spk' },
    )
    return { room, facts, session }
  }

  it('loads the session code on the first call; a hang-up before it arrives still wins', async () => {
    let rooms = 0
    const facts: TransportFact[] = []
    const transport = livekitTransport({
      livekit: fakeLivekit,
      createRoom: () => {
        rooms += 1
        return new FakeRoom()
      },
      audioContainer: null,
    })
    const session = transport.createSession((f) => facts.push(f))
    // Before the room exists these have nothing to act on, and must not throw.
    session.setRemoteAudioEnabled(false)
    session.watchMutedSpeech?.(true)
    const connecting = session.connect(
      { serverUrl: 'wss://x', token: 't', roomName: 'r' },
      { microphone: false },
    )
    await session.disconnect()
    await connecting
    expect(rooms).toBe(0)
    expect(facts).toEqual([])
    await expect(session.publishDtmf(1, '1')).rejects.toMatchObject({ code: 'CALL_NOT_ACTIVE' })
    // The next call of the same transport connects as usual.
    const next = transport.createSession((f) => facts.push(f))
    await next.connect({ serverUrl: 'wss://x', token: 't', roomName: 'r2' }, { microphone: false })
    expect(rooms).toBe(1)
    expect(facts.filter((f) => f.type === 'connection').map((f) => (f as { state: string }).state)).toEqual([
      'connecting',
      'connected',
    ])
  })

  it('reports connection, participants with SIP status, and coalesces a burst into one participants fact', async () => {
    const { room, facts } = await connected()
    expect(facts.map((f) => f.type)).toEqual([
      'connection',
      'connection',
      'participants',
      'audio-playback',
      'participants',
    ])
    expect(room.switched).toEqual([['audiooutput', 'spk']])
    facts.length = 0
    const sip = room.addSipParticipant('dialing')
    room.setAttributes(sip.identity, { 'sip.callStatus': 'ringing' })
    room.publishAudio(sip.identity)
    await Promise.resolve()
    const participantFacts = facts.filter((f) => f.type === 'participants')
    expect(participantFacts).toHaveLength(1)
    const last = participantFacts[0]
    expect(last?.type === 'participants' && last.participants[1]).toMatchObject({
      kind: 'sip',
      sipStatus: 'ringing',
      muted: false,
    })
  })

  it('reports a leaving SIP participant with its disconnect cause, after the list', async () => {
    const { room, facts } = await connected()
    room.addSipParticipant('ringing')
    await Promise.resolve()
    facts.length = 0
    room.removeParticipant('sip_+14155550123', 'USER_REJECTED')
    expect(facts.map((f) => f.type)).toEqual(['participants', 'participant-left'])
    expect(facts[1]).toMatchObject({ participant: { kind: 'sip' }, cause: 'user-rejected' })
  })

  it('passes DTMF received with (dtmf, participant) argument order', async () => {
    const { room, facts } = await connected()
    room.addSipParticipant('active')
    room.receiveDtmf(10, '*', 'sip_+14155550123')
    expect(facts.at(-1)).toEqual({ type: 'dtmf', digit: '*', code: 10, identity: 'sip_+14155550123' })
  })

  it('removes its listeners on disconnect', async () => {
    const { room, session } = await connected()
    expect(room.listenerCount()).toBeGreaterThan(5)
    await session.disconnect()
    expect(room.listenerCount()).toBe(0)
    expect(room.disconnectCalls).toBe(1)
  })
})
