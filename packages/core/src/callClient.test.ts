import { describe, expect, it, vi } from 'vitest'
import { connectionFor, createFakeServer, makeEvent, makeRecord, settle } from '../test/fakeServer'
import { type CallClientOptions, createCallClient } from './callClient'
import { isRinglineError } from './ringlineError'
import type { SoundManager, SoundName } from './soundManager'
import { createFakeClock } from './testing/fakeClock'
import { createFakeTransport } from './testing/index'
import type { Call, CallPhaseName } from './types'

function setup(options: Partial<CallClientOptions> = {}) {
  const server = createFakeServer()
  const clock = createFakeClock()
  const transport = createFakeTransport()
  const client = createCallClient({
    baseUrl: '/api/ringline',
    fetch: server.fetch,
    transport,
    clock,
    sounds: false,
    notifications: false,
    mediaDevices: null,
    permissions: null,
    tabs: false,
    random: () => 1,
    ...options,
  })
  const outbound = makeRecord()
  server.on('POST /calls', () => ({
    status: 201,
    body: { call: outbound, connection: connectionFor(outbound) },
  }))
  server.on('POST /calls/call_1/hangup', () => ({ body: { ok: true } }))
  return {
    server,
    clock,
    transport,
    client,
    outbound,
    get room() {
      const room = transport.room
      if (!room) throw new Error('no room yet')
      return room
    },
    phase: () => client.getSnapshot().activeCall?.phase,
    call: () => client.getSnapshot().activeCall as Call,
  }
}

/** A fake sound manager that records which loops play. */
function fakeSounds() {
  const playing = new Set<SoundName>()
  const log: string[] = []
  const holdTrack = { kind: 'audio', stop: vi.fn() } as unknown as MediaStreamTrack
  const sounds: SoundManager = {
    readiness: 'ready',
    volume: 1,
    canSelectRingDevice: false,
    subscribe: () => () => {},
    play: (n) => {
      playing.add(n)
      log.push(`play:${n}`)
    },
    stop: (n) => {
      playing.delete(n)
      log.push(`stop:${n}`)
    },
    stopAll: () => playing.clear(),
    isPlaying: (n) => playing.has(n),
    playDtmf: (d) => log.push(`dtmf:${d}`),
    createHoldMusic: () => ({ track: holdTrack, stop: () => log.push('hold-music:stop') }),
    setVolume: () => {},
    setRingDevice: async () => {},
    unlock: async () => {},
    listen: () => {},
    unlisten: () => {},
    destroy: () => {},
  }
  return { sounds, playing, log, holdTrack }
}

async function dialToPhase(t: ReturnType<typeof setup>, status: 'dialing' | 'ringing' | 'active') {
  await t.client.dial('+14155550123')
  await settle()
  t.room.addSipParticipant('dialing')
  await settle()
  if (status === 'dialing') return
  t.room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'ringing' })
  await settle()
  if (status === 'ringing') return
  t.room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
  await settle()
}

describe('outbound calls', () => {
  it('goes requesting → dialing → ringing → connected → ended from the SIP participant status', async () => {
    const t = setup()
    const phases: Array<CallPhaseName | undefined> = []
    t.client.subscribe(() => {
      if (phases.at(-1) !== t.phase()) phases.push(t.phase())
    })
    const pending = t.client.dial('+1 415 555 0123')
    expect(t.phase()).toBe('requesting')
    expect(t.call().remote.number).toBe('+14155550123')
    const returned = await pending
    expect(returned.id).toBe('call_1')
    expect(t.server.calls('POST /calls')[0]?.body).toEqual({ to: '+14155550123' })
    expect(t.phase()).toBe('dialing')
    await settle()
    expect(t.room.connectCalls).toEqual([{ url: 'wss://lk.test', token: 'token-call_1' }])
    expect(t.room.localParticipant.microphoneCalls).toEqual([true])

    t.room.addSipParticipant('dialing')
    await settle()
    expect(t.phase()).toBe('dialing')
    t.room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'ringing' })
    await settle()
    expect(t.phase()).toBe('ringing')
    t.clock.advance(5_000)
    t.room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
    await settle()
    const connected = t.call()
    expect(connected.phase).toBe('connected')
    if (connected.phase !== 'connected') throw new Error('unreachable')
    expect(connected.connectedAt).toBe(t.clock.now())
    expect(connected.participants.map((p) => [p.identity, p.kind, p.sipStatus])).toEqual([
      ['me', 'user', null],
      ['sip_+14155550123', 'sip', 'active'],
    ])

    t.room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'hangup' })
    await settle()
    const ended = t.call()
    expect(ended.phase === 'ended' && ended.endReason).toBe('remote-hangup')
    expect(ended.phase === 'ended' && ended.connectedAt).toBe(connected.connectedAt)
    expect(t.room.disconnectCalls).toBe(1)
    expect(t.room.listenerCount()).toBe(0)
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(0)
    expect(phases).toEqual(['requesting', 'dialing', 'ringing', 'connected', 'ended'])
  })

  it('treats automation (initial DTMF being sent) as connecting', async () => {
    const t = setup()
    await dialToPhase(t, 'ringing')
    t.room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'automation' })
    await settle()
    expect(t.phase()).toBe('connecting')
    t.room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
    await settle()
    expect(t.phase()).toBe('connected')
  })

  it.each([
    ['busy', 'busy'],
    ['no-answer', 'no-answer'],
    ['declined', 'declined'],
  ] as const)('ends with %s when the server reports it (waitUntilAnswered)', async (status, reason) => {
    const t = setup()
    await dialToPhase(t, 'ringing')
    t.server.push(makeEvent('call.updated', makeRecord({ status })))
    // events only flow while someone subscribes
    expect(t.phase()).toBe('ringing')
    const unsubscribe = t.client.subscribe(() => {})
    await settle()
    t.server.push(makeEvent('call.updated', makeRecord({ status })))
    await settle()
    const call = t.call()
    expect(call.phase === 'ended' && call.endReason).toBe(reason)
    expect(call.record?.status).toBe(status)
    expect(t.room.disconnectCalls).toBe(1)
    unsubscribe()
  })

  it.each([
    ['call.ended', 'busy', 'busy'],
    ['call.updated', 'no-answer', 'no-answer'],
  ] as const)(
    'applies a %s (%s) that arrives before POST /calls has answered',
    async (type, status, reason) => {
      // A busy line answers 486 within milliseconds: the server publishes the outcome while the browser is still
      // waiting for the answer that tells it the call's id. The event must not be lost to that race.
      const t = setup()
      t.client.subscribe(() => {})
      await settle()
      let answer!: () => void
      const answered = new Promise<void>((resolve) => {
        answer = resolve
      })
      t.server.on('POST /calls', async () => {
        await answered
        return { status: 201, body: { call: t.outbound, connection: connectionFor(t.outbound) } }
      })
      const pending = t.client.dial('+14155550123')
      await settle()
      expect(t.phase()).toBe('requesting')
      t.server.push(makeEvent('call.updated', makeRecord({ status: 'ringing' })))
      t.server.push(makeEvent(type, makeRecord({ status })))
      // A stale, non-final record arriving late does not undo the outcome.
      t.server.push(makeEvent('call.updated', makeRecord({ status: 'ringing' })))
      await settle()
      expect(t.phase()).toBe('requesting')
      answer()
      await pending
      await settle()
      const call = t.call()
      expect(call.phase === 'ended' && call.endReason).toBe(reason)
      expect(call.record?.status).toBe(status)
      // Nothing left to join: the room is never entered for a call that is already over.
      expect(t.transport.room?.connectCalls ?? []).toEqual([])
    },
  )

  it('asks the server for a call still dialing whose outcome no event stream delivered', async () => {
    // No subscriber, so no event stream: the busy outcome published meanwhile never reaches this client.
    const t = setup()
    let status: 'ringing' | 'busy' = 'ringing'
    t.server.on('GET /calls/call_1', () => ({ body: { call: makeRecord({ status }), participants: [] } }))
    await t.client.dial('+14155550123')
    await settle()
    expect(t.phase()).toBe('dialing')
    t.clock.advance(10_000)
    await settle()
    expect(t.server.calls('GET /calls/call_1')).toHaveLength(1)
    expect(t.phase()).toBe('dialing')
    status = 'busy'
    t.clock.advance(10_000)
    await settle()
    expect(t.server.calls('GET /calls/call_1')).toHaveLength(2)
    const call = t.call()
    expect(call.phase === 'ended' && call.endReason).toBe('busy')
    // Settled: no further checks.
    t.clock.advance(60_000)
    await settle()
    expect(t.server.calls('GET /calls/call_1')).toHaveLength(2)
  })

  it('ends a rejected call when the SIP participant leaves without a status, then takes the server reason', async () => {
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    await dialToPhase(t, 'ringing')
    t.clock.advance(1000)
    t.room.removeParticipant('sip_+14155550123', 'USER_REJECTED')
    await settle()
    const guessed = t.call()
    expect(guessed.phase === 'ended' && guessed.endReason).toBe('declined')
    const endedAt = guessed.phase === 'ended' ? guessed.endedAt : 0
    t.clock.advance(500)
    t.server.push(makeEvent('call.ended', makeRecord({ status: 'busy' })))
    await settle()
    const corrected = t.call()
    expect(corrected.phase === 'ended' && corrected.endReason).toBe('busy')
    expect(corrected.phase === 'ended' && corrected.endedAt).toBe(endedAt)
  })

  it('reads USER_UNAVAILABLE as no answer', async () => {
    const t = setup()
    await dialToPhase(t, 'ringing')
    t.room.removeParticipant('sip_+14155550123', 'USER_UNAVAILABLE')
    await settle()
    const call = t.call()
    expect(call.phase === 'ended' && call.endReason).toBe('no-answer')
  })

  it('does not let a server event rewrite a call that ended from facts', async () => {
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    await dialToPhase(t, 'active')
    t.room.removeParticipant('sip_+14155550123')
    await settle()
    t.server.push(makeEvent('call.ended', makeRecord({ status: 'completed' })))
    await settle()
    const call = t.call()
    expect(call.phase === 'ended' && call.endReason).toBe('remote-hangup')
    expect(call.record?.status).toBe('completed')
  })

  it('cancels while ringing and tells the server', async () => {
    const t = setup()
    await dialToPhase(t, 'ringing')
    await t.client.hangup()
    const call = t.call()
    expect(call.phase === 'ended' && call.endReason).toBe('canceled')
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(1)
    expect(t.room.disconnectCalls).toBe(1)
  })

  it('hangs up a connected call as local-hangup', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    await t.client.hangup('call_1')
    const call = t.call()
    expect(call.phase === 'ended' && call.endReason).toBe('local-hangup')
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(1)
  })

  it('cancels a call hung up while POST /calls is in flight, and never joins the room', async () => {
    const t = setup()
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    t.server.on('POST /calls', async () => {
      await gate
      return { body: { call: t.outbound, connection: connectionFor(t.outbound) } }
    })
    const pending = t.client.dial('+14155550123')
    await t.client.hangup()
    expect(t.phase()).toBe('ended')
    release()
    const call = await pending
    expect(call.phase === 'ended' && call.endReason).toBe('canceled')
    await settle()
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(1)
    expect(t.transport.rooms).toHaveLength(0)
  })

  it('fails with the server error code and rejects dial()', async () => {
    const t = setup()
    t.server.on('POST /calls', () => ({
      status: 503,
      body: {
        error: { code: 'NOT_CONFIGURED', message: 'Set LIVEKIT_SIP_OUTBOUND_TRUNK_ID', requestId: 'req_9' },
      },
    }))
    const error = await t.client.dial('+14155550123').catch((e) => e)
    expect(isRinglineError(error) && error.code).toBe('NOT_CONFIGURED')
    expect(error.requestId).toBe('req_9')
    const call = t.call()
    expect(call.phase === 'failed' && call.error).toEqual({
      code: 'NOT_CONFIGURED',
      message: 'Set LIVEKIT_SIP_OUTBOUND_TRUNK_ID',
    })
  })

  it('maps network errors to NETWORK_ERROR', async () => {
    const t = setup({ fetch: async () => Promise.reject(new TypeError('fetch failed')) })
    const error = await t.client.dial('+14155550123').catch((e) => e)
    expect(error.code).toBe('NETWORK_ERROR')
    expect(t.phase()).toBe('failed')
  })

  it('rejects an invalid number before any request', async () => {
    const t = setup({ defaultCountry: 'US' })
    const error = await t.client.dial('12').catch((e) => e)
    expect(error.code).toBe('INVALID_PHONE_NUMBER')
    expect(t.server.requests).toHaveLength(0)
    expect(t.client.getSnapshot().activeCall).toBeNull()
  })

  it('ends as no-answer when nothing happens for the answer timeout (safety net)', async () => {
    const t = setup({ timeouts: { answer: 60_000 } })
    await dialToPhase(t, 'ringing')
    t.clock.advance(59_999)
    expect(t.phase()).toBe('ringing')
    t.clock.advance(1)
    const call = t.call()
    expect(call.phase === 'ended' && call.endReason).toBe('no-answer')
    await settle()
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(1)
  })

  it('fails when the room cannot be joined', async () => {
    const t = setup()
    t.transport.onRoom = (room) => {
      room.failConnect = new Error('ws closed')
    }
    await t.client.dial('+14155550123')
    await settle()
    const call = t.call()
    expect(call.phase === 'failed' && call.error.code).toBe('CONNECTION_FAILED')
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(1)
  })

  it('fails with MICROPHONE_PERMISSION_DENIED and records the permission', async () => {
    const t = setup()
    t.transport.onRoom = (room) => {
      room.failMicrophone = new DOMException('denied', 'NotAllowedError')
    }
    const errors: string[] = []
    t.client.on((e) => e.type === 'error' && errors.push(e.error.code))
    await t.client.dial('+14155550123')
    await settle()
    const call = t.call()
    expect(call.phase === 'failed' && call.error.code).toBe('MICROPHONE_PERMISSION_DENIED')
    expect(t.client.getSnapshot().permission).toBe('denied')
    expect(errors).toContain('MICROPHONE_PERMISSION_DENIED')
  })

  it('refuses a second call while one is live', async () => {
    const t = setup()
    await dialToPhase(t, 'ringing')
    const error = await t.client.dial('+14155550999').catch((e) => e)
    expect(error.code).toBe('CALL_LIMIT_REACHED')
    expect(t.phase()).toBe('ringing')
  })

  it('plays ringback only while ringing', async () => {
    const s = fakeSounds()
    const t = setup({ sounds: s.sounds })
    await dialToPhase(t, 'ringing')
    expect(s.playing.has('ringback')).toBe(true)
    t.room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
    await settle()
    expect(s.playing.has('ringback')).toBe(false)
    expect(s.log).toEqual(['play:ringback', 'stop:ringback'])
  })
})

describe('reconnecting', () => {
  it('shows reconnecting on network loss and returns to connected with the same timer', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    const before = t.call()
    const connectedAt = before.phase === 'connected' ? before.connectedAt : -1
    t.clock.advance(10_000)
    t.room.setState('reconnecting')
    await settle()
    const during = t.call()
    expect(during.phase).toBe('reconnecting')
    expect(during.phase === 'reconnecting' && during.connectedAt).toBe(connectedAt)
    expect(during.phase === 'reconnecting' && during.since).toBe(t.clock.now())
    t.clock.advance(3_000)
    t.room.setState('connected')
    await settle()
    const after = t.call()
    expect(after.phase === 'connected' && after.connectedAt).toBe(connectedAt)
  })

  it('fails clearly when the connection does not come back', async () => {
    const t = setup({ timeouts: { reconnect: 20_000 } })
    await dialToPhase(t, 'active')
    t.room.setState('reconnecting')
    await settle()
    t.clock.advance(20_000)
    const call = t.call()
    expect(call.phase === 'failed' && call.error.code).toBe('CONNECTION_FAILED')
    await settle()
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(1)
  })

  it('fails when LiveKit gives up (signal closed)', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    t.room.disconnectFromServer('SIGNAL_CLOSE')
    await settle()
    const call = t.call()
    expect(call.phase === 'failed' && call.error.code).toBe('CONNECTION_FAILED')
  })

  it('ends as remote-hangup when the server deletes the room after answer', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    t.room.disconnectFromServer('ROOM_DELETED')
    await settle()
    const call = t.call()
    expect(call.phase === 'ended' && call.endReason).toBe('remote-hangup')
  })
})

describe('in-call controls', () => {
  it('sends DTMF with LiveKit codes and records it', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    const sent: string[] = []
    t.client.on((e) => e.type === 'dtmf' && sent.push(`${e.direction}:${e.digit}`))
    await t.client.sendDtmf('0159*#abCD')
    expect(t.room.dtmf).toEqual([
      [0, '0'],
      [1, '1'],
      [5, '5'],
      [9, '9'],
      [10, '*'],
      [11, '#'],
      [12, 'A'],
      [13, 'B'],
      [14, 'C'],
      [15, 'D'],
    ])
    expect(t.call().dtmf.sent).toBe('0159*#ABCD')
    expect(sent[0]).toBe('sent:0')
    const error = await t.client.sendDtmf('12x').catch((e) => e)
    expect(error.code).toBe('INVALID_REQUEST')
    expect(t.room.dtmf).toHaveLength(10)
  })

  it('surfaces received DTMF in state and as events', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    const got: string[] = []
    t.client.on((e) => e.type === 'dtmf' && got.push(`${e.direction}:${e.digit}`))
    t.room.receiveDtmf(5, '5', 'sip_+14155550123')
    t.room.receiveDtmf(11, '', 'sip_+14155550123')
    expect(t.call().dtmf.received).toBe('5#')
    expect(got).toEqual(['received:5', 'received:#'])
  })

  it('refuses DTMF before the call is connected', async () => {
    const t = setup()
    await dialToPhase(t, 'ringing')
    const error = await t.client.sendDtmf('1').catch((e) => e)
    expect(error.code).toBe('CALL_NOT_ACTIVE')
  })

  it('mutes and unmutes the microphone', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    await t.client.setMuted(true)
    expect(t.call().muted).toBe(true)
    expect(t.room.localParticipant.isMicrophoneEnabled).toBe(false)
    await settle()
    expect(t.call().participants[0]?.muted).toBe(true)
    await t.client.setMuted(false)
    expect(t.room.localParticipant.isMicrophoneEnabled).toBe(true)
  })

  it('holds: music replaces the microphone on its own track (no extra publication), then resumes', async () => {
    const s = fakeSounds()
    const t = setup({ sounds: s.sounds })
    await dialToPhase(t, 'active')
    const remote = t.room.publishAudio('sip_+14155550123')
    const mic = t.room.sending
    expect(mic).not.toBeNull()
    await t.client.setMuted(true)
    await t.client.hold()
    expect(t.call().onHold).toBe(true)
    expect(remote.volume).toBe(0)
    // The phone hears the music on the microphone publication, which must be unmuted to carry it.
    expect(t.room.sending).toBe(s.holdTrack)
    expect(t.room.microphoneTrack?.isMuted).toBe(false)
    // Nothing else is published (the fake has no publishTrack): tokens grant the microphone source only.
    await t.client.setMuted(false) // while on hold only the wish changes
    expect(t.room.sending).toBe(s.holdTrack)
    await t.client.resume()
    expect(t.call().onHold).toBe(false)
    expect(remote.volume).toBe(1)
    expect(t.room.sending).toBe(mic)
    expect(s.log).toContain('hold-music:stop')
    expect(t.room.localParticipant.isMicrophoneEnabled).toBe(true)
  })

  it('resumes a call muted before and during hold still muted, with the microphone back on its track', async () => {
    const s = fakeSounds()
    const t = setup({ sounds: s.sounds })
    await dialToPhase(t, 'active')
    const mic = t.room.sending
    await t.client.setMuted(true)
    await t.client.hold()
    await t.client.resume()
    expect(t.room.sending).toBe(mic)
    expect(t.room.localParticipant.isMicrophoneEnabled).toBe(false)
    expect(t.room.microphoneTrack?.isMuted).toBe(true)
    expect(t.call().muted).toBe(true)
  })

  it('transfers and ends our leg', async () => {
    const t = setup({ defaultCountry: 'US' })
    t.server.on('POST /calls/call_1/transfer', () => ({ body: { ok: true } }))
    await dialToPhase(t, 'active')
    await t.client.transfer('(415) 555-0199')
    expect(t.server.calls('POST /calls/call_1/transfer')[0]?.body).toEqual({ to: '+14155550199' })
    const call = t.call()
    expect(call.transfer).toEqual({ to: '+14155550199', status: 'completed', error: null })
    expect(call.phase === 'ended' && call.endReason).toBe('local-hangup')
  })

  it('keeps the call when a transfer fails', async () => {
    const t = setup()
    t.server.on('POST /calls/call_1/transfer', () => ({
      status: 502,
      body: { error: { code: 'TRANSFER_FAILED', message: 'SIP 603', requestId: 'r' } },
    }))
    await dialToPhase(t, 'active')
    const error = await t.client.transfer('sip:desk@example.com').catch((e) => e)
    expect(error.code).toBe('TRANSFER_FAILED')
    expect(t.phase()).toBe('connected')
    expect(t.call().transfer?.status).toBe('failed')
  })

  it('reports blocked autoplay and recovers with startAudio()', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    t.room.setCanPlaybackAudio(false)
    expect(t.client.getSnapshot().audio.readiness).toBe('blocked')
    await t.client.startAudio()
    expect(t.client.getSnapshot().audio.readiness).toBe('ready')
  })
})

describe('snapshots', () => {
  it('returns the same object until something changes and batches bursts into one notification', async () => {
    const t = setup()
    const first = t.client.getSnapshot()
    expect(t.client.getSnapshot()).toBe(first)
    expect(t.client.getServerSnapshot()).toBe(first)
    await dialToPhase(t, 'active')
    const listener = vi.fn()
    t.client.subscribe(listener)
    await settle()
    listener.mockClear()
    const before = t.client.getSnapshot()
    // same attribute value again: no change at all
    t.room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
    await settle()
    expect(t.client.getSnapshot()).toBe(before)
    expect(listener).not.toHaveBeenCalled()
    // a burst: speaking + dtmf + audio playback in one tick
    t.room.setSpeaking(['sip_+14155550123'])
    t.room.receiveDtmf(1, '1')
    t.room.receiveDtmf(2, '2')
    await settle()
    expect(listener).toHaveBeenCalledTimes(1)
    const after = t.client.getSnapshot()
    expect(after).not.toBe(before)
    expect(after.devices).toBe(before.devices)
    expect(after.incoming).toBe(before.incoming)
    expect(after.activeCall?.participants[0]).toBe(before.activeCall?.participants[0])
    expect(after.activeCall?.participants[1]?.speaking).toBe(true)
  })

  it('clears a finished call with dismiss()', async () => {
    const t = setup()
    await dialToPhase(t, 'ringing')
    await t.client.hangup()
    t.client.dismiss()
    expect(t.client.getSnapshot().activeCall).toBeNull()
  })
})

describe('incoming calls', () => {
  const inbound = makeRecord({
    id: 'in_1',
    direction: 'inbound',
    status: 'ringing',
    roomName: 'in-t1_+14155550123_abc',
    fromNumber: '+14155550123',
    toNumber: '+14155550100',
    createdBy: null,
  })

  async function ringing(options: Partial<CallClientOptions> = {}) {
    const t = setup(options)
    t.client.subscribe(() => {})
    await settle()
    expect(t.client.getSnapshot().events).toBe('online')
    t.server.push(makeEvent('call.incoming', inbound))
    await settle()
    return t
  }

  it('lists a ringing call from call.incoming', async () => {
    const t = await ringing()
    const [call] = t.client.getSnapshot().incoming
    expect(call).toMatchObject({ id: 'in_1', from: '+14155550123', to: '+14155550100', phase: 'ringing' })
  })

  it('answers: connecting until the SIP participant is active, then connected', async () => {
    const t = await ringing()
    t.server.on('POST /calls/in_1/answer', () => ({
      body: {
        call: { ...inbound, status: 'in-progress', answeredBy: 'u1' },
        connection: connectionFor(inbound),
      },
    }))
    const pending = t.client.answer('in_1')
    expect(t.phase()).toBe('connecting')
    expect(t.call().direction).toBe('inbound')
    expect(t.client.getSnapshot().incoming).toEqual([])
    await pending
    await settle()
    expect(t.room.connectCalls[0]?.token).toBe('token-in_1')
    expect(t.room.localParticipant.microphoneCalls).toEqual([true])
    t.room.addSipParticipant('ringing')
    await settle()
    expect(t.phase()).toBe('connecting')
    t.room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
    await settle()
    expect(t.phase()).toBe('connected')
    expect(t.call().remote.number).toBe('+14155550123')
    // our own answer echoes back as call.updated: no change
    t.server.push(makeEvent('call.updated', { ...inbound, status: 'in-progress', answeredBy: 'u1' }))
    await settle()
    expect(t.phase()).toBe('connected')
  })

  it('shows answered-elsewhere when someone else answers, then drops it', async () => {
    const t = await ringing({ timeouts: { incomingRetention: 3000 } })
    t.server.push(makeEvent('call.updated', { ...inbound, status: 'in-progress', answeredBy: 'u2' }))
    await settle()
    const [call] = t.client.getSnapshot().incoming
    expect(call?.phase === 'ended' && call.endReason).toBe('answered-elsewhere')
    t.clock.advance(3000)
    expect(t.client.getSnapshot().incoming).toEqual([])
  })

  it('shows missed when the caller hangs up while ringing', async () => {
    const t = await ringing()
    t.server.push(makeEvent('call.ended', { ...inbound, status: 'missed', endReason: 'missed' }))
    await settle()
    const [call] = t.client.getSnapshot().incoming
    expect(call?.phase === 'ended' && call.endReason).toBe('missed')
  })

  it('ends as answered-elsewhere when the answer claim loses (409)', async () => {
    const t = await ringing()
    t.server.on('POST /calls/in_1/answer', () => ({
      status: 409,
      body: { error: { code: 'CALL_ALREADY_ANSWERED', message: 'Answered by Ana', requestId: 'r' } },
    }))
    const error = await t.client.answer('in_1').catch((e) => e)
    expect(error.code).toBe('CALL_ALREADY_ANSWERED')
    const call = t.call()
    expect(call.phase === 'ended' && call.endReason).toBe('answered-elsewhere')
    expect(t.transport.rooms).toHaveLength(0)
  })

  it('declines: removes it here and posts to the server', async () => {
    const t = await ringing()
    t.server.on('POST /calls/in_1/decline', () => ({ body: { ok: true } }))
    await t.client.decline('in_1')
    expect(t.client.getSnapshot().incoming).toEqual([])
    expect(t.server.calls('POST /calls/in_1/decline')[0]?.body).toEqual({})
    // a replay of the same offer (stream resume) does not bring it back
    t.server.push(makeEvent('call.incoming', inbound))
    await settle()
    expect(t.client.getSnapshot().incoming).toEqual([])
  })

  it('notifies on the desktop and flashes the title while the page is hidden', async () => {
    const shown: Array<{ title: string; body?: string; closed: boolean }> = []
    const Notification = Object.assign(
      function (this: { onclick: null; close(): void }, title: string, options?: NotificationOptions) {
        const entry = { title, body: options?.body, closed: false }
        shown.push(entry)
        this.onclick = null
        this.close = () => {
          entry.closed = true
        }
      },
      { permission: 'granted', requestPermission: async () => 'granted' },
    ) as never
    const doc = { title: 'App', visibilityState: 'hidden', addEventListener() {}, removeEventListener() {} }
    const t = await ringing({ notifications: { Notification, document: doc, focus: () => {} } })
    expect(shown).toEqual([{ title: 'Incoming call', body: '+14155550123', closed: false }])
    expect(doc.title).toBe('📞 Incoming call')
    t.server.push(makeEvent('call.ended', { ...inbound, status: 'missed' }))
    await settle()
    expect(shown[0]?.closed).toBe(true)
    expect(doc.title).toBe('App')
  })

  it('rings (ringtone) while an incoming call is listed, call-waiting tone during a call', async () => {
    const s = fakeSounds()
    const t = await ringing({ sounds: s.sounds })
    expect(s.playing.has('ringtone')).toBe(true)
    t.server.push(makeEvent('call.ended', { ...inbound, status: 'missed' }))
    await settle()
    expect(s.playing.has('ringtone')).toBe(false)
  })
})

describe('internal rooms', () => {
  it('joins, lists participants with speaking/muted, and leaves', async () => {
    const t = setup()
    t.server.on('POST /rooms/team/join', (req) => ({
      body: {
        room: {
          name: 'team',
          roomName: 'int-t1-team',
          callId: 'call_r',
          createdBy: 'u1',
          startedAt: '2026-01-01T00:00:00.000Z',
          participants: [],
        },
        connection: {
          serverUrl: 'wss://lk.test',
          token: `token-room-${(req.body as { displayName?: string }).displayName}`,
          roomName: 'int-t1-team',
        },
      },
    }))
    t.server.on('POST /rooms/team/leave', () => ({ body: {} }))
    const pending = t.client.joinRoom('team', { displayName: 'Ana' })
    expect(t.phase()).toBe('connecting')
    await pending
    await settle()
    expect(t.phase()).toBe('connected')
    expect(t.room.connectCalls[0]?.token).toBe('token-room-Ana')
    t.room.addParticipant({ identity: 'u2', name: 'Bo', kind: 'user' })
    t.room.publishAudio('u2')
    t.room.setSpeaking(['u2'])
    await settle()
    expect(t.call().participants.map((p) => [p.name, p.kind, p.speaking, p.muted])).toEqual([
      ['Me', 'user', false, false],
      ['Bo', 'user', true, false],
    ])
    await t.client.leaveRoom()
    const call = t.call()
    expect(call.phase === 'ended' && call.endReason).toBe('local-hangup')
    expect(t.server.calls('POST /rooms/team/leave')).toHaveLength(1)
  })

  it('validates the room name', async () => {
    const t = setup()
    const error = await t.client.joinRoom('Team Room!').catch((e) => e)
    expect(error.code).toBe('INVALID_REQUEST')
    expect(t.server.requests).toHaveLength(0)
  })
})

describe('lifecycle', () => {
  it('opens /events on the first subscriber and closes it after the last leaves', async () => {
    const t = setup()
    await settle()
    expect(t.server.calls('GET /events')).toHaveLength(0)
    const a = t.client.subscribe(() => {})
    const b = t.client.subscribe(() => {})
    await settle()
    expect(t.server.openStreams()).toHaveLength(1)
    expect(t.client.getSnapshot().events).toBe('online')
    a()
    await settle()
    expect(t.server.openStreams()).toHaveLength(1)
    b()
    await settle()
    expect(t.server.openStreams()).toHaveLength(0)
    expect(t.client.getSnapshot().events).toBe('offline')
  })

  it('survives an unsubscribe/subscribe in the same tick (React StrictMode) without reconnecting', async () => {
    const t = setup()
    const a = t.client.subscribe(() => {})
    await settle()
    a()
    const b = t.client.subscribe(() => {})
    await settle()
    expect(t.server.calls('GET /events')).toHaveLength(1)
    expect(t.server.openStreams()).toHaveLength(1)
    b()
  })

  it('sends headers from a function on every request, events included', async () => {
    const t = setup({ headers: () => ({ authorization: 'Bearer abc' }) })
    t.client.subscribe(() => {})
    await t.client.dial('+14155550123')
    await settle()
    expect(t.server.requests.every((r) => r.headers.get('authorization') === 'Bearer abc')).toBe(true)
    expect(t.server.requests.map((r) => r.path).sort()).toEqual(['/calls', '/events'])
  })

  it('touches no browser global when created or read (SSR)', () => {
    const names = [
      'navigator',
      'window',
      'document',
      'BroadcastChannel',
      'AudioContext',
      'fetch',
      'EventSource',
    ]
    const saved = names.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const)
    const touched: string[] = []
    for (const name of names) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get: () => {
          touched.push(name)
          return undefined
        },
      })
    }
    try {
      const client = createCallClient({ baseUrl: '/api/ringline' })
      expect(client.getSnapshot()).toMatchObject({
        events: 'offline',
        activeCall: null,
        incoming: [],
        audio: { readiness: 'ready' },
        permission: 'prompt',
      })
      expect(client.getServerSnapshot()).toBe(client.getSnapshot())
    } finally {
      for (const [name, descriptor] of saved) {
        if (descriptor) Object.defineProperty(globalThis, name, descriptor)
        else delete (globalThis as Record<string, unknown>)[name]
      }
    }
    expect(touched).toEqual([])
  })
})

describe('devices', () => {
  it('lists devices, follows devicechange and switches the active call device', async () => {
    let devices = [
      { kind: 'audioinput', deviceId: 'mic1', groupId: 'g1', label: 'Built-in' },
      { kind: 'audiooutput', deviceId: 'spk1', groupId: 'g1', label: 'Speakers' },
    ] as MediaDeviceInfo[]
    const listeners = new Set<() => void>()
    const mediaDevices = {
      enumerateDevices: async () => devices,
      getUserMedia: async () => ({ getTracks: () => [] }) as unknown as MediaStream,
      addEventListener: (_: string, l: () => void) => listeners.add(l),
      removeEventListener: (_: string, l: () => void) => listeners.delete(l),
    }
    const t = setup({ mediaDevices, canSelectOutput: true })
    const unsubscribe = t.client.subscribe(() => {})
    await settle()
    const state = t.client.getSnapshot()
    expect(state.devices.audioinput.map((d) => d.label)).toEqual(['Built-in'])
    expect(state.permission).toBe('granted') // labels visible ⇒ granted, without a Permissions API
    devices = [
      ...devices,
      { kind: 'audioinput', deviceId: 'mic2', groupId: 'g2', label: 'Headset' } as MediaDeviceInfo,
    ]
    for (const l of listeners) l()
    await settle()
    expect(t.client.getSnapshot().devices.audioinput.map((d) => d.deviceId)).toEqual(['mic1', 'mic2'])
    await dialToPhase(t, 'active')
    await t.client.devices.select('audioinput', 'mic2')
    expect(t.client.getSnapshot().devices.selected.audioinput).toBe('mic2')
    expect(t.room.switched).toEqual([['audioinput', 'mic2']])
    unsubscribe()
    await settle()
    expect(listeners.size).toBe(0)
  })
})
