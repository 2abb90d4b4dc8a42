import { describe, expect, it } from 'vitest'
import type { MediaDevicesLike, PermissionsLike } from './deviceManager'
import { checkReadiness, type ReadinessReport, readinessVerdict } from './readyCheck'
import { createFakeClock, type FakeClock } from './testing/fakeClock'
import { FakeRoom, fakeLivekit } from './testing/fakeRoom'
import { connectionFor, makeRecord } from './testing/fakeServer'

/** A microphone whose level the test sets; `getUserMedia` fails with `fail` when given. */
function fakeMicrophone(options: { fail?: string; label?: string } = {}) {
  const state = { level: 0, stopped: 0, requests: [] as MediaStreamConstraints[] }
  const track = {
    kind: 'audio',
    label: options.label ?? 'USB headset',
    stop: () => {
      state.stopped++
    },
  } as unknown as MediaStreamTrack
  const mediaDevices: MediaDevicesLike = {
    enumerateDevices: async () => [],
    getUserMedia: async (constraints) => {
      state.requests.push(constraints)
      if (options.fail) throw new DOMException('no', options.fail)
      return { getTracks: () => [track], getAudioTracks: () => [track] } as unknown as MediaStream
    },
    addEventListener() {},
    removeEventListener() {},
  }
  const meter = () => ({ level: () => state.level, stop() {} })
  return { state, mediaDevices, meter }
}

const permissionsOf = (value: string): PermissionsLike => ({
  query: async () => ({ state: value, addEventListener() {}, removeEventListener() {} }),
})

/** Run the check on the fake clock: time moves 50 ms at a time until it settles. */
async function drive(clock: FakeClock, work: Promise<ReadinessReport>, onTick?: (ms: number) => void) {
  let done = false
  void work.finally(() => {
    done = true
  })
  let elapsed = 0
  for (let i = 0; i < 2_000 && !done; i++) {
    await new Promise((r) => setTimeout(r, 0))
    if (done) break
    clock.advance(50)
    elapsed += 50
    onTick?.(elapsed)
  }
  return work
}

function fakeApi(room: FakeRoom, options: { fail?: Error } = {}) {
  const calls: string[] = []
  return {
    calls,
    api: {
      async joinRoom(name: string) {
        calls.push(`join:${name}`)
        if (options.fail) throw options.fail
        return { connection: connectionFor(makeRecord()) }
      },
      async endRoom(name: string) {
        calls.push(`end:${name}`)
      },
    },
    createRoom: () => room,
  }
}

describe('checkReadiness', () => {
  it('passes every step on a working setup, with timings and a live level', async () => {
    const clock = createFakeClock()
    const mic = fakeMicrophone()
    const room = new FakeRoom()
    room.senderStats = { packetsSent: 50, packetsLost: 0, roundTripTime: 0.045 }
    const server = fakeApi(room)
    const tones: number[] = []
    const updates: ReadinessReport[] = []
    const report = await drive(
      clock,
      checkReadiness({
        clock,
        mediaDevices: mic.mediaDevices,
        permissions: permissionsOf('prompt'),
        meter: mic.meter,
        api: server.api,
        sounds: { readiness: 'ready', playTestTone: async () => tones.push(1) > 0 },
        livekit: { livekit: fakeLivekit, createRoom: server.createRoom },
        roomName: 'ready-check-t',
        deviceId: 'usb',
        onUpdate: (r) => updates.push(r),
      }),
      (ms) => {
        // The person speaks after half a second.
        if (ms >= 500) mic.state.level = 0.2
      },
    )
    expect(report.steps.map((s) => `${s.name}:${s.state}`)).toEqual([
      'permission:passed',
      'microphone:passed',
      'speaker:passed',
      'connection:passed',
    ])
    expect(report.verdict).toBe('ready')
    expect(report.reasons).toEqual([])
    expect(report.permission).toBe('granted')
    expect(report.connection.rttMs).toBe(45)
    expect(report.steps[1]?.message).toBe('“USB headset” picks up sound.')
    expect(mic.state.requests).toEqual([{ audio: { deviceId: { exact: 'usb' } } }])
    expect(mic.state.stopped).toBe(1)
    expect(tones).toHaveLength(1)
    // Connect + publish the microphone on the room the token route gave, then leave and end it.
    expect(room.connectCalls).toHaveLength(1)
    expect(room.localParticipant.microphoneCalls).toEqual([true])
    expect(room.disconnectCalls).toBe(1)
    expect(server.calls).toEqual(['join:ready-check-t', 'end:ready-check-t'])
    expect(updates.some((u) => u.level === 0.2)).toBe(true)
    expect(updates.some((u) => u.verdict === 'checking')).toBe(true)
  })

  it('connection: uses the server’s private test room (POST /ready-check) when there is one, and ends no room', async () => {
    const clock = createFakeClock()
    const room = new FakeRoom()
    room.senderStats = { packetsSent: 10, packetsLost: 0, roundTripTime: 0.02 }
    const server = fakeApi(room)
    const api = {
      ...server.api,
      async readyCheckConnection() {
        server.calls.push('ready-check')
        return { connection: connectionFor(makeRecord()) }
      },
    }
    const run = (extra: Partial<Parameters<typeof checkReadiness>[0]>) =>
      drive(
        clock,
        checkReadiness({
          clock,
          permissions: permissionsOf('denied'),
          api,
          steps: ['connection'],
          livekit: { livekit: fakeLivekit, createRoom: server.createRoom },
          ...extra,
        }),
      )
    const report = await run({})
    expect(report.steps.map((s) => `${s.name}:${s.state}`)).toEqual(['connection:warning'])
    expect(server.calls).toEqual(['ready-check'])
    expect(room.connectCalls).toHaveLength(1)
    // A named room is the host's choice: joined and ended as before.
    server.calls.length = 0
    await run({ roomName: 'desk-check' })
    expect(server.calls).toEqual(['join:desk-check', 'end:desk-check'])
    // An API with neither skips the step.
    const none = await drive(
      clock,
      checkReadiness({ clock, api: {}, steps: ['connection'], permissions: permissionsOf('granted') }),
    )
    expect(none.steps[0]?.state).toBe('skipped')
  })

  it('denied permission: fails with the browser’s recovery step, skips the microphone, connects without publishing', async () => {
    const clock = createFakeClock()
    const mic = fakeMicrophone()
    const room = new FakeRoom()
    const server = fakeApi(room)
    const report = await drive(
      clock,
      checkReadiness({
        clock,
        mediaDevices: mic.mediaDevices,
        permissions: permissionsOf('denied'),
        meter: mic.meter,
        api: server.api,
        sounds: null,
        livekit: { livekit: fakeLivekit, createRoom: server.createRoom },
      }),
    )
    expect(report.permission).toBe('denied')
    expect(report.steps.map((s) => `${s.name}:${s.state}`)).toEqual([
      'permission:failed',
      'microphone:skipped',
      'speaker:skipped',
      'connection:warning',
    ])
    expect(report.steps[0]?.fix).toMatch(/allow the microphone/i)
    expect(report.verdict).toBe('not-ready')
    expect(report.reasons[0]).toBe('Microphone access is blocked for this site.')
    expect(mic.state.requests).toEqual([])
    expect(room.localParticipant.microphoneCalls).toEqual([])
  })

  it('maps getUserMedia errors: no device, in use', async () => {
    for (const [name, permission] of [
      ['NotFoundError', 'no-device'],
      ['NotReadableError', 'in-use'],
    ] as const) {
      const clock = createFakeClock()
      const mic = fakeMicrophone({ fail: name })
      const report = await drive(
        clock,
        checkReadiness({ clock, mediaDevices: mic.mediaDevices, permissions: null, steps: ['permission'] }),
      )
      expect(report.permission).toBe(permission)
      expect(report.steps[0]?.state).toBe('failed')
    }
  })

  it('short bursts add up (a beep every 500 ms, like Chromium’s fake microphone, passes)', async () => {
    const clock = createFakeClock()
    const mic = fakeMicrophone()
    const report = await drive(
      clock,
      checkReadiness({
        clock,
        mediaDevices: mic.mediaDevices,
        permissions: null,
        meter: mic.meter,
        steps: ['permission', 'microphone'],
      }),
      (ms) => {
        mic.state.level = ms % 500 === 0 ? 0.3 : 0.001
      },
    )
    expect(report.steps[1]?.state).toBe('passed')
  })

  it('a silent microphone fails after the signal timeout; a blip shorter than the hold does not count', async () => {
    const clock = createFakeClock()
    const mic = fakeMicrophone()
    const report = await drive(
      clock,
      checkReadiness({
        clock,
        mediaDevices: mic.mediaDevices,
        permissions: null,
        meter: mic.meter,
        steps: ['permission', 'microphone'],
        signalTimeoutMs: 3_000,
      }),
      (ms) => {
        mic.state.level = ms >= 1_000 && ms < 1_100 ? 0.5 : 0.001
      },
    )
    expect(report.steps[1]).toMatchObject({ state: 'failed', message: '“USB headset” picks up no sound.' })
    expect(report.steps[1]?.fix).toMatch(/muted/)
    expect(report.verdict).toBe('not-ready')
  })

  it('blocked sound fails the speaker step with the way out', async () => {
    const clock = createFakeClock()
    const report = await drive(
      clock,
      checkReadiness({
        clock,
        steps: ['speaker'],
        sounds: { readiness: 'blocked', playTestTone: async () => false },
      }),
    )
    expect(report.steps[0]).toMatchObject({ name: 'speaker', state: 'failed' })
    expect(report.steps[0]?.fix).toMatch(/Enable sound/)
  })

  it('connection: a failing server fails the step; a slow round trip or none warns', async () => {
    const failing = fakeApi(new FakeRoom(), {
      fail: Object.assign(new Error('offline'), { name: 'TypeError' }),
    })
    let clock = createFakeClock()
    let report = await drive(
      clock,
      checkReadiness({
        clock,
        steps: ['connection'],
        api: failing.api,
        livekit: { livekit: fakeLivekit, createRoom: failing.createRoom },
      }),
    )
    expect(report.steps[0]?.state).toBe('failed')
    expect(failing.calls.filter((c) => c.startsWith('end:'))).toEqual([])

    const refused = new FakeRoom()
    refused.failConnect = new Error('could not establish signal connection')
    const s2 = fakeApi(refused)
    clock = createFakeClock()
    report = await drive(
      clock,
      checkReadiness({
        clock,
        steps: ['connection'],
        api: s2.api,
        livekit: { livekit: fakeLivekit, createRoom: s2.createRoom },
      }),
    )
    expect(report.steps[0]?.state).toBe('failed')
    expect(report.steps[0]?.message).toMatch(/signal connection/)
    expect(s2.calls.filter((c) => c.startsWith('end:'))).toHaveLength(1)

    for (const [rtt, expected] of [
      [0.9, /round trip to the call server is 900 ms/],
      [undefined, /no round trip/],
    ] as const) {
      const mic = fakeMicrophone()
      const room = new FakeRoom()
      room.senderStats = { packetsSent: 10, packetsLost: 0, ...(rtt ? { roundTripTime: rtt } : {}) }
      const s = fakeApi(room)
      clock = createFakeClock()
      report = await drive(
        clock,
        checkReadiness({
          clock,
          steps: ['permission', 'connection'],
          mediaDevices: mic.mediaDevices,
          permissions: null,
          api: s.api,
          livekit: { livekit: fakeLivekit, createRoom: s.createRoom },
        }),
      )
      expect(report.steps[1]?.state).toBe('warning')
      expect(report.steps[1]?.message).toMatch(expected)
      expect(report.verdict).toBe('degraded')
    }
  })

  it('readinessVerdict: failed beats warning beats passed; pending means checking', () => {
    const step = (state: 'passed' | 'warning' | 'failed' | 'pending') => ({
      name: 'speaker' as const,
      state,
      message: '',
      fix: null,
    })
    expect(readinessVerdict([step('passed'), step('warning'), step('failed')])).toBe('not-ready')
    expect(readinessVerdict([step('passed'), step('pending')])).toBe('checking')
    expect(readinessVerdict([step('passed'), step('warning')])).toBe('degraded')
    expect(readinessVerdict([step('passed')])).toBe('ready')
  })
})
