// Browser rooms with an AI agent: a room kind's agent is dispatched once per room, by token requests landing on two
// server instances that share one PostgreSQL, against a real livekit-server (its AgentDispatch API stores dispatches).
import { AgentDispatchClient } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ringline } from '../src/ringline'
import { startTestLivekit, type TestLivekit } from '../src/testing/egress/livekitTestServer'
import { instancesOnOnePostgres, req, USERS } from './helpers'

// Unique per run: the sandbox's livekit-server outlives test runs.
const RUN = Math.random().toString(36).slice(2, 8)

let livekit: TestLivekit
let a: Ringline
let b: Ringline
let dispatches: AgentDispatchClient
const ADMIN = USERS.admin!

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = Record<string, any>
const post = async (on: Ringline, user: string, path: string, body: unknown) => {
  const res = await on.handler(req('POST', path, { user, body }))
  return { status: res.status, body: (await res.json()) as Json }
}
/** The named dispatches of a room (livekit-server also lists an implicit one with an empty agent name). */
const named = async (roomName: string) =>
  (await dispatches.listDispatch(roomName)).filter((d) => d.agentName !== '')

beforeAll(async () => {
  livekit = await startTestLivekit()
  ;[a, b] = (await instancesOnOnePostgres(2, {
    livekit: { url: livekit.url, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret },
    rooms: {
      kinds: {
        support: { agent: { agentName: 'support-agent', metadata: { voice: 'alloy' } } },
        conference: {},
      },
    },
  })) as [Ringline, Ringline]
  dispatches = new AgentDispatchClient(livekit.url, livekit.apiKey, livekit.apiSecret)
})
afterAll(async () => {
  await a?.close()
  await b?.close()
  await livekit?.stop()
})

describe('room kinds with an agent, two instances on one PostgreSQL', () => {
  it('dispatches the support agent exactly once for token requests on both instances', async () => {
    const room = `help-${RUN}`
    const [onA, onB] = await Promise.all([
      post(a, 'alice', '/token', { room, kind: 'support', displayName: 'John Doe' }),
      post(b, 'bob', '/token', { room, kind: 'support' }),
    ])
    expect(onA.status).toBe(200)
    expect(onB.status).toBe(200)
    expect(onA.body).toMatchObject({ roomName: `int-acme-${room}`, kind: 'support', agentSpawned: true })
    expect(onB.body).toMatchObject({ roomName: `int-acme-${room}`, kind: 'support', agentSpawned: true })
    expect(onA.body.callId).toBe(onB.body.callId)
    expect(typeof onA.body.token).toBe('string')

    const onServer = await named(`int-acme-${room}`)
    expect(onServer.map((d) => d.agentName)).toEqual(['support-agent'])
    expect(JSON.parse(onServer[0]?.metadata ?? '')).toEqual({ voice: 'alloy' })

    // Later joins (either instance, either route) report the agent and dispatch nothing new.
    const later = await post(b, 'alice', `/rooms/${room}/join`, { kind: 'support' })
    expect(later.body).toMatchObject({ agentSpawned: true, room: { kind: 'support' } })
    expect(await named(`int-acme-${room}`)).toHaveLength(1)

    const detail = await a.api.getCall(ADMIN, onA.body.callId)
    expect(detail.call.roomKind).toBe('support')
    expect(detail.agents).toEqual([
      expect.objectContaining({
        agentName: 'support-agent',
        state: 'dispatched',
        dispatchId: onServer[0]?.id,
      }),
    ])
  })

  it('invites an agent by name with free-form options as metadata, once under concurrent requests', async () => {
    const room = `invite-${RUN}`
    const token = await post(a, 'alice', '/token', { room, kind: 'conference' })
    expect(token.body).not.toHaveProperty('agentSpawned')
    // No agent asked for (livekit-server has no room to list dispatches of until one is created).
    expect((await a.api.getCall(ADMIN, token.body.callId)).agents).toEqual([])
    const options = { voice: 'echo', prompt: 'Take notes, be brief.' }
    const results = await Promise.all([
      post(a, 'alice', `/rooms/${room}/agent`, { agentName: 'note-taker', options }),
      post(b, 'alice', `/rooms/${room}/agent`, { agentName: 'note-taker', options }),
      post(b, 'bob', `/rooms/${room}/agent`, { agentName: 'note-taker', options }),
    ])
    expect(results.map((r) => r.status)).toEqual([200, 200, 200])
    expect(results.filter((r) => r.body.created)).toHaveLength(1)
    expect(results.every((r) => r.body.dispatch.state === 'dispatched')).toBe(true)
    const onServer = await named(`int-acme-${room}`)
    expect(onServer.map((d) => d.agentName)).toEqual(['note-taker'])
    expect(JSON.parse(onServer[0]?.metadata ?? '')).toEqual(options)

    // A conference room names no agent of its own, and a room nobody opened has none to invite.
    const nameless = await post(a, 'alice', `/rooms/${room}/agent`, {})
    expect(nameless).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_REQUEST', field: 'agentName' } },
    })
    const closed = await post(a, 'alice', `/rooms/nobody-${RUN}/agent`, { agentName: 'note-taker' })
    expect(closed).toMatchObject({ status: 404, body: { error: { code: 'ROOM_NOT_FOUND' } } })
  })
})
