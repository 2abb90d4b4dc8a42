import { describe, expect, it } from 'vitest'
import { dialToPhase, fakeSounds, setup } from '../test/callClientHarness'
import { isRinglineError } from './ringlineError'
import { connectionFor, makeEvent, makeRecord, settle } from './testing/fakeServer'
import type { CallPhaseName } from './types'

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
    // The Dialer reads this to stay disabled with the reason.
    expect(t.client.getSnapshot().configured).toBe(false)
  })

  it('knows calling is configured once the server placed a call', async () => {
    const t = setup()
    expect(t.client.getSnapshot().configured).toBeNull()
    await t.client.dial('+14155550123')
    expect(t.client.getSnapshot().configured).toBe(true)
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
    expect(call.phase === 'failed' && call.error.code).toBe('CONNECTION_LOST')
    await settle()
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(1)
  })

  it('fails when LiveKit gives up (signal closed)', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    t.room.disconnectFromServer('SIGNAL_CLOSE')
    await settle()
    const call = t.call()
    expect(call.phase === 'failed' && call.error.code).toBe('CONNECTION_LOST')
    // The server ends the call (the phone is not left alone in the room), once.
    await settle()
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(1)
  })

  it('a room deleted by the server is not hung up again from here', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    t.room.disconnectFromServer('ROOM_DELETED')
    await settle()
    await settle()
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(0)
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
