import { describe, expect, it } from 'vitest'
import { dialToPhase, fakeSounds, setup } from '../test/callClientHarness'
import { type CallClientOptions, createCallClient } from './callClient'
import { connectionFor, makeEvent, makeRecord, settle } from './testing/fakeServer'

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

  it('an answer whose room cannot be joined releases the claim (not a hang-up) and says so', async () => {
    const t = await ringing()
    t.server.on('POST /calls/in_1/answer', () => ({
      body: {
        call: { ...inbound, status: 'in-progress', answeredBy: 'u1' },
        connection: connectionFor(inbound),
      },
    }))
    t.server.on('POST /calls/in_1/release', () => ({ body: { call: inbound } }))
    t.transport.onRoom = (room) => {
      room.failConnect = new Error('could not establish signal connection')
    }
    const errors: string[] = []
    t.client.on((e) => {
      if (e.type === 'error') errors.push(`${e.error.code}: ${e.error.message}`)
    })
    await t.client.answer('in_1')
    await settle()
    const call = t.call()
    expect(call.phase === 'failed' && call.error.code).toBe('CONNECTION_FAILED')
    expect(t.server.calls('POST /calls/in_1/release')).toHaveLength(1)
    expect(t.server.calls('POST /calls/in_1/hangup')).toHaveLength(0)
    expect(errors).toEqual([
      'CONNECTION_FAILED: Could not connect to the call: it was handed back and rings your colleagues again.',
    ])
  })

  it('a connect LiveKit reports as a disconnect first (as livekit-client does) is released too', async () => {
    const t = await ringing()
    t.server.on('POST /calls/in_1/answer', () => ({
      body: {
        call: { ...inbound, status: 'in-progress', answeredBy: 'u1' },
        connection: connectionFor(inbound),
      },
    }))
    t.server.on('POST /calls/in_1/release', () => ({ body: { call: inbound } }))
    t.transport.onRoom = (room) => {
      const connect = room.connect.bind(room)
      room.connect = async (url: string, token: string) => {
        room.emit('connectionStateChanged', 'disconnected')
        room.emit('disconnected', 14)
        return connect(url, token)
      }
      room.failConnect = new Error('could not establish signal connection')
    }
    const errors: string[] = []
    t.client.on((e) => {
      if (e.type === 'error') errors.push(e.error.message)
    })
    await t.client.answer('in_1')
    await settle()
    expect(t.phase()).toBe('failed')
    expect(t.server.calls('POST /calls/in_1/release')).toHaveLength(1)
    expect(t.server.calls('POST /calls/in_1/hangup')).toHaveLength(0)
    expect(errors).toEqual([
      'Could not connect to the call: it was handed back and rings your colleagues again.',
    ])
  })

  it('an answer that never connects in time is released; a refused release (media connected) hangs up', async () => {
    const t = await ringing({ timeouts: { connect: 5_000 } })
    t.server.on('POST /calls/in_1/answer', () => ({
      body: {
        call: { ...inbound, status: 'in-progress', answeredBy: 'u1' },
        connection: connectionFor(inbound),
      },
    }))
    t.server.on('POST /calls/in_1/release', () => ({
      status: 409,
      body: { error: { code: 'CALL_NOT_ACTIVE', message: 'connected', requestId: 'r' } },
    }))
    await t.client.answer('in_1')
    await settle()
    expect(t.phase()).toBe('connecting')
    t.clock.advance(5_000)
    await settle()
    expect(t.phase()).toBe('failed')
    expect(t.server.calls('POST /calls/in_1/release')).toHaveLength(1)
    expect(t.server.calls('POST /calls/in_1/hangup')).toHaveLength(1)
  })

  it('rings again when an answer seen elsewhere is released', async () => {
    const t = await ringing({ timeouts: { incomingRetention: 3000 } })
    t.server.push(makeEvent('call.updated', { ...inbound, status: 'in-progress', answeredBy: 'u2' }))
    await settle()
    expect(t.client.getSnapshot().incoming[0]?.phase).toBe('ended')
    t.server.push(makeEvent('call.incoming', inbound))
    await settle()
    expect(t.client.getSnapshot().incoming).toMatchObject([{ id: 'in_1', phase: 'ringing' }])
    // The retention timer of the earlier "answered elsewhere" does not drop the ringing call.
    t.clock.advance(3000)
    expect(t.client.getSnapshot().incoming).toMatchObject([{ id: 'in_1', phase: 'ringing' }])
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
        permission: 'unknown',
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
