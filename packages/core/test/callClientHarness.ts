// Shared setup of the callClient tests: the real client over a fake server, clock and transport.
import { vi } from 'vitest'
import { type CallClientOptions, createCallClient } from '../src/callClient'
import type { SoundManager, SoundName } from '../src/soundManager'
import { createFakeClock } from '../src/testing/fakeClock'
import {
  connectionFor,
  createFakeServer,
  type FakeServer,
  makeRecord,
  settle,
} from '../src/testing/fakeServer'
import { createFakeTransport } from '../src/testing/index'
import type { Call, CallTransport } from '../src/types'

/** A real call client over `server` and `transport`, with the browser seams off (sounds, devices, tabs, …). */
export function createTestClient(
  server: FakeServer,
  transport: CallTransport,
  options: Partial<CallClientOptions> = {},
) {
  return createCallClient({
    baseUrl: '/api/ringline',
    fetch: server.fetch,
    transport,
    clock: createFakeClock(),
    sounds: false,
    notifications: false,
    mediaDevices: null,
    permissions: null,
    deviceStorage: null,
    tabs: false,
    ...options,
  })
}

/** A test client over a fake LiveKit transport whose `POST /calls` places `outbound`. */
export function setup(
  options: Partial<CallClientOptions> = {},
  transportOptions: Parameters<typeof createFakeTransport>[0] = {},
) {
  const server = createFakeServer()
  const clock = createFakeClock()
  const transport = createFakeTransport(transportOptions)
  const client = createTestClient(server, transport, { clock, random: () => 1, ...options })
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
export function fakeSounds() {
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

export async function dialToPhase(t: ReturnType<typeof setup>, status: 'dialing' | 'ringing' | 'active') {
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
