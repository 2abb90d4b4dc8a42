// The real call client over core's fake server and fake LiveKit transport: React tests assert on what the
// components do with core's actual state machine, not on a re-implementation of it.
import { type CallClientOptions, createCallClient } from '@ringline/core'
import { createFakeServer, createFakeTransport } from '@ringline/core/testing'

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
