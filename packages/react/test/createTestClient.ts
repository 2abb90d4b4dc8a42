// The real call client over core's fake server and fake LiveKit transport: React tests assert on what the
// components do with core's actual state machine, not on a re-implementation of it.
import { type CallClientOptions, createCallClient } from '@ringline/core'
import { connectionFor, createFakeServer, createFakeTransport, makeRecord } from '@ringline/core/testing'

/** A real `createCallClient` wired to fakes; `server.on(route, handler)` scripts the HTTP side. */
export function createTestClient(options: Partial<CallClientOptions> = {}) {
  const server = createFakeServer()
  const transport = createFakeTransport()
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
