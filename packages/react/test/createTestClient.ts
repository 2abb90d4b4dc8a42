// The real call client over core's fake server and fake LiveKit transport: React tests assert on what the
// components do with core's actual state machine, not on a re-implementation of it.
import {
  type CallClientOptions,
  createCallClient,
  type MediaDevicesLike,
  type SoundManager,
} from '@ringline/core'
import {
  connectionFor,
  createFakeServer,
  createFakeTransport,
  type FakeServer,
  makeRecord,
} from '@ringline/core/testing'
import type { FakeApi } from '../src/testing/createFakeApi'

/** A real `createCallClient` wired to fakes; `server.on(route, handler)` scripts the HTTP side. */
export function createTestClient(
  options: Partial<CallClientOptions> = {},
  transportOptions: Parameters<typeof createFakeTransport>[0] = {},
) {
  const server = createFakeServer()
  const transport = createFakeTransport(transportOptions)
  const client = createCallClient({
    baseUrl: '/api/ringline',
    fetch: server.fetch,
    transport,
    events: false,
    tabs: false,
    sounds: false,
    notifications: false,
    mediaDevices: null,
    permissions: null,
    ...options,
  })
  return { client, server, transport }
}

/** A `permissions` seam that reports the microphone as `state`. */
export function fakePermissions(state: 'prompt' | 'granted' | 'denied'): CallClientOptions['permissions'] {
  return {
    query: async () => ({ state, addEventListener() {}, removeEventListener() {} }),
  }
}

/** A server error body as the Ringline server sends it. */
export function errorBody(code: string, message: string) {
  return { error: { code, message, requestId: 'req_test' } }
}

type TestClient = ReturnType<typeof createTestClient>

/** Let the client's requests, room events and React updates run. */
export async function flush(rounds = 5) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0))
}

/** Script `POST /calls` to place the call, dial, and drive the fake room to `status`. */
export async function dialTo(t: TestClient, status: 'dialing' | 'ringing' | 'active') {
  const record = makeRecord()
  t.server.on('POST /calls', () => ({
    status: 201,
    body: { call: record, connection: connectionFor(record) },
  }))
  t.server.on('POST /calls/call_1/hangup', () => ({ body: { ok: true } }))
  await t.client.dial(record.toNumber ?? '+14155550123')
  await flush()
  const room = t.transport.room
  if (!room) throw new Error('the client joined no room')
  room.addSipParticipant('dialing')
  if (status !== 'dialing') room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'ringing' })
  if (status === 'active') room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
  await flush()
  return room
}

/** Two microphones and two speakers (`default`, `usb`), with microphone access granted on request. */
export function fakeMediaDevices(): MediaDevicesLike {
  const device = (kind: MediaDeviceKind, deviceId: string, label: string) =>
    ({ kind, deviceId, groupId: deviceId, label }) as MediaDeviceInfo
  const list = [
    device('audioinput', 'default', 'Default microphone'),
    device('audioinput', 'usb', 'USB headset'),
    device('audiooutput', 'default', 'Default speakers'),
    device('audiooutput', 'usb', 'USB headset'),
  ]
  return {
    enumerateDevices: async () => list,
    getUserMedia: async () => ({ getTracks: () => [] }) as unknown as MediaStream,
    addEventListener() {},
    removeEventListener() {},
  }
}

/** A silent sound manager whose `readiness` starts as given; `unlock()` (the client's `startAudio`) makes it ready. */
export function fakeSounds(readiness: 'blocked' | 'ready' = 'ready'): SoundManager & { unlocks: number } {
  const listeners = new Set<() => void>()
  const sounds = {
    readiness: readiness as SoundManager['readiness'],
    unlocks: 0,
    volume: 1,
    canSelectRingDevice: false,
    subscribe(listener: () => void) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    play() {},
    stop() {},
    stopAll() {},
    isPlaying: () => false,
    playDtmf() {},
    createHoldMusic: () => null,
    setVolume() {},
    setRingDevice: async () => {},
    async unlock() {
      sounds.unlocks++
      sounds.readiness = 'ready'
      for (const listener of [...listeners]) listener()
    },
    listen() {},
    unlisten() {},
    destroy() {},
  }
  return sounds as unknown as SoundManager & { unlocks: number }
}

/** Serve `GET /calls` and `GET /calls/:id` of `server` from an in-memory `FakeApi` (its failures as error bodies). */
export function serveFakeApi(server: FakeServer, api: FakeApi) {
  const answer = async (run: () => Promise<unknown>) => {
    try {
      return { body: await run() }
    } catch (error) {
      const e = error as { code?: string; message?: string; status?: number }
      return { status: e.status ?? 500, body: errorBody(e.code ?? 'INTERNAL', e.message ?? 'Error') }
    }
  }
  server.on('GET /calls', (req) => {
    const { limit, ...query } = req.query
    return answer(() => api.listCalls({ ...query, ...(limit ? { limit: Number(limit) } : {}) } as never))
  })
  server.on('GET /calls/:id', (req) => answer(() => api.getCall(req.params.id ?? '')))
}

/** Script `POST /rooms/:name/join|leave|end` as the server answers them; `canEnd` is what join says. */
export function serveRooms(server: FakeServer, options: { canEnd?: boolean } = {}) {
  server.on('POST /rooms/:name/join', (req) => {
    const name = req.params.name ?? ''
    const roomName = `int-t1-${name}`
    return {
      body: {
        room: {
          name,
          roomName,
          callId: `room_${name}`,
          createdBy: 'u1',
          startedAt: '2026-01-01T00:00:00.000Z',
          participants: [],
        },
        connection: { serverUrl: 'wss://lk.test', token: `token-${name}`, roomName },
        canEnd: options.canEnd ?? false,
      },
    }
  })
  server.on('POST /rooms/:name/leave', () => ({ body: { ok: true } }))
  server.on('POST /rooms/:name/end', () => ({ body: { ok: true } }))
}
