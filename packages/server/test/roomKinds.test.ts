// Room kinds without a LiveKit agent worker: validation, history by kind, and recording by policy when a browser
// room starts (egress cannot run here: its Twirp API is the MSW simulator, as for phone recordings).
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { resolveRoomKinds } from '../src/rooms/roomKindConfig'
import { memoryStore } from '../src/sql/memoryStore'
import { createEgressSimulator, type EgressSimulator, type S3Fake, startS3Fake } from '../src/testing'
import type { RinglineConfig } from '../src/types'
import { API_KEY, API_SECRET, ORIGIN, req, testRingline, USERS } from './helpers'

const LIVEKIT_URL = 'http://127.0.0.1:9'
const S3_SECRET = 'room-kinds-s3-secret-0123456789'
const server = setupServer()
let s3: S3Fake
let sim: EgressSimulator
let ringline: ReturnType<typeof testRingline> | undefined

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = Record<string, any>
const post = async (user: string, path: string, body: unknown = {}) => {
  const res = await ringline!.handler(req('POST', path, { user, body }))
  return { status: res.status, body: (await res.json()) as Json }
}
const get = async (user: string, path: string) =>
  (await (await ringline!.handler(req('GET', path, { user }))).json()) as Json
const egressesOf = (roomName: string) =>
  [...sim.egresses.values()].filter((e) => e.info.roomName === roomName)

function withKinds(overrides: Partial<RinglineConfig> = {}) {
  return testRingline({
    livekit: { url: LIVEKIT_URL, apiKey: API_KEY, apiSecret: API_SECRET },
    store: memoryStore(),
    recording: {
      storage: {
        bucket: 'calls',
        region: 'us-east-1',
        endpoint: s3.endpoint,
        accessKeyId: 'AKROOMS',
        secretAccessKey: S3_SECRET,
      },
      policy: 'on-demand',
    },
    rooms: { kinds: { support: { recording: 'on-answer' }, conference: {} } },
    ...overrides,
  })
}

beforeAll(async () => {
  s3 = await startS3Fake({ credentials: { AKROOMS: S3_SECRET }, buckets: ['calls'] })
  sim = createEgressSimulator({
    livekitUrl: LIVEKIT_URL,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    verifyRoom: false,
    retryDelayMs: 5,
    webhook: async (request) =>
      ringline
        ? ringline.handler(
            new Request(`${ORIGIN}/api/ringline/webhooks/livekit`, {
              method: 'POST',
              headers: request.headers,
              body: await request.text(),
            }),
          )
        : new Response(null, { status: 404 }),
  })
  server.use(...sim.handlers)
  server.listen({ onUnhandledRequest: 'bypass' })
})
afterEach(async () => {
  await sim.idle()
  await ringline?.settled()
  await ringline?.close()
  ringline = undefined
})
afterAll(async () => {
  server.close()
  await s3?.close()
})

describe('room kinds', () => {
  it('records a support room by its kind policy as it starts, once, and not a conference room', async () => {
    ringline = withKinds()
    const first = await post('alice', '/rooms/help-1/join', { kind: 'support' })
    expect(first.status).toBe(200)
    expect(first.body.room).toMatchObject({ kind: 'support', roomName: 'int-acme-help-1' })
    // A room kind without an agent reports none.
    expect(first.body).not.toHaveProperty('agentSpawned')
    await post('bob', '/rooms/help-1/join', { kind: 'support' })
    await ringline.settled()
    await sim.idle()
    expect(egressesOf('int-acme-help-1')).toHaveLength(1)
    const detail = await get('alice', `/calls/${first.body.room.callId}`)
    expect(detail.recording?.status).toBe('active')

    await post('alice', '/rooms/team-1/join', { kind: 'conference' })
    await post('alice', '/rooms/plain-1/join')
    await ringline.settled()
    await sim.idle()
    expect(egressesOf('int-acme-team-1')).toHaveLength(0)
    expect(egressesOf('int-acme-plain-1')).toHaveLength(0)
  })

  it('applies the configured recording policy to browser rooms, a kind policy winning over it', async () => {
    ringline = withKinds({
      recording: {
        storage: {
          bucket: 'calls',
          region: 'us-east-1',
          endpoint: s3.endpoint,
          accessKeyId: 'AKROOMS',
          secretAccessKey: S3_SECRET,
        },
        policy: (call) => (call.direction === 'internal' ? 'on-answer' : 'on-demand'),
      },
      rooms: { kinds: { private: { recording: 'never' } } },
    })
    await post('alice', '/rooms/all-hands/join')
    await post('alice', '/rooms/one-on-one/join', { kind: 'private' })
    await ringline.settled()
    await sim.idle()
    expect(egressesOf('int-acme-all-hands')).toHaveLength(1)
    expect(egressesOf('int-acme-one-on-one')).toHaveLength(0)
    // `never` also refuses recording by hand.
    const { rooms } = await ringline.api.listRooms(USERS.alice!)
    const oneOnOne = rooms.find((r) => r.name === 'one-on-one')
    const refused = await post('alice', `/calls/${oneOnOne?.callId}/recording`)
    expect(refused.status).toBe(403)
    expect(egressesOf('int-acme-one-on-one')).toHaveLength(0)
  })

  it('filters history by room kind and shows participants with their time present', async () => {
    ringline = withKinds({ recording: undefined })
    const support = await post('alice', '/token', { room: 'desk-1', kind: 'support' })
    expect(support.body).toMatchObject({ kind: 'support', roomName: 'int-acme-desk-1' })
    await post('alice', '/token', { room: 'desk-2', kind: 'conference' })
    await post('alice', '/token', { room: 'desk-3' })
    const calls = (await get('alice', '/calls?roomKind=support')).calls as Json[]
    expect(calls.map((c) => c.roomName)).toEqual(['int-acme-desk-1'])
    expect(calls[0]).toMatchObject({ id: support.body.callId, roomKind: 'support', direction: 'internal' })
    expect(
      ((await get('alice', '/calls?roomKind=conference')).calls as Json[]).map((c) => c.roomName),
    ).toEqual(['int-acme-desk-2'])
    const all = (await get('alice', '/calls?direction=internal')).calls as Json[]
    expect(all).toHaveLength(3)
    expect(all.find((c) => c.roomName === 'int-acme-desk-3')).not.toHaveProperty('roomKind')
    const bad = await ringline.handler(req('GET', '/calls?roomKind=Support!', { user: 'alice' }))
    expect(bad.status).toBe(400)

    await ringline.api.leaveRoom(USERS.alice!, 'desk-1')
    const detail = await get('alice', `/calls/${support.body.callId}`)
    const [alice] = detail.participants as Json[]
    expect(alice).toMatchObject({ identity: 'acme:alice' })
    expect(alice?.leftAt).not.toBeNull()
    expect(alice?.durationSeconds).toBe(
      Math.round((Date.parse(alice?.leftAt) - Date.parse(alice?.joinedAt)) / 1000),
    )
  })

  it('refuses kinds the server does not know, and agent invites without a name', async () => {
    ringline = withKinds({ recording: undefined })
    const unknown = await post('alice', '/token', { room: 'x-1', kind: 'sales' })
    expect(unknown).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_REQUEST', field: 'kind' } },
    })
    const malformed = await post('alice', '/rooms/x-1/join', { kind: 'Sales Team' })
    expect(malformed).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_REQUEST', field: 'kind' } },
    })
    await post('alice', '/rooms/x-1/join', { kind: 'support' })
    const nameless = await post('alice', '/rooms/x-1/agent', { options: { voice: 'alloy' } })
    expect(nameless).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_REQUEST', field: 'agentName' } },
    })
    const bigOptions = await post('alice', '/rooms/x-1/agent', {
      agentName: 'helper',
      options: { prompt: 'x'.repeat(20_000) },
    })
    expect(bigOptions).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } })
  })

  it('checks the rooms option at start-up', () => {
    expect(() => resolveRoomKinds({ kinds: { 'Bad Kind': {} } })).toThrow(/Bad Kind/)
    expect(() => resolveRoomKinds({ kinds: { support: { agent: { agentName: 'no spaces' } } } })).toThrow(
      /agentName/,
    )
    expect(resolveRoomKinds(undefined)).toEqual({})
    expect(() => testRingline({ rooms: { kinds: { '1st': {} } } })).toThrow(TypeError)
  })
})
