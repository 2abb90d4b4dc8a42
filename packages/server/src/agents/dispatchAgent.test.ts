import { AgentDispatchClient, RoomServiceClient } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Queryable } from '../sql/types'
import { startTestLivekit, type TestLivekit } from '../testing/egress/livekitTestServer'
import { createTestDb, insertTestCall } from '../testing/testDb'
import { createAgentScheduler } from './agentScheduler'
import { dispatchAgent } from './dispatchAgent'
import { sqlAgentDispatchStore } from './sqlAgentDispatchStore'
import type { AgentCallFacts, AgentDispatchApi } from './types'

// Unique per run: the sandbox's livekit-server outlives test runs.
const RUN = Math.random().toString(36).slice(2, 8)
let livekit: TestLivekit
let db: Queryable & { close(): Promise<void> }
let rooms: RoomServiceClient
let lk: AgentDispatchClient

/** The real client, counting how often LiveKit is asked to create a dispatch. */
function counting(client: AgentDispatchApi = lk): AgentDispatchApi & { creates: number } {
  const wrapper = {
    creates: 0,
    createDispatch: async (...args: Parameters<AgentDispatchApi['createDispatch']>) => {
      wrapper.creates++
      return client.createDispatch(...args)
    },
    listDispatch: (room: string) => client.listDispatch(room),
  }
  return wrapper
}

/** Named dispatches of a room (livekit-server also lists an implicit dispatch with an empty agent name). */
async function named(roomName: string) {
  return (await lk.listDispatch(roomName)).filter((d) => d.agentName !== '')
}

async function newCall(id: string, direction = 'inbound', status = 'ringing'): Promise<string> {
  const roomName = `media-test-agents-${id}-${RUN}`
  await rooms.createRoom({ name: roomName, emptyTimeout: 120 })
  await insertTestCall(db, { id, roomName, direction, status })
  return roomName
}

beforeAll(async () => {
  livekit = await startTestLivekit()
  db = await createTestDb()
  rooms = new RoomServiceClient(livekit.url, livekit.apiKey, livekit.apiSecret)
  lk = new AgentDispatchClient(livekit.url, livekit.apiKey, livekit.apiSecret)
})

afterAll(async () => {
  await db?.close()
  await livekit?.stop()
})

describe('dispatchAgent against a real livekit-server', () => {
  it('dispatches once under 10 concurrent requests', async () => {
    const roomName = await newCall('a1')
    const client = counting()
    const store = sqlAgentDispatchStore(db)
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        dispatchAgent(
          { client, store },
          { callId: 'a1', roomName, agentName: 'receptionist', metadata: '{"lang":"en"}' },
        ),
      ),
    )
    expect(client.creates).toBe(1)
    expect(results.filter((r) => r.created)).toHaveLength(1)
    const onServer = await named(roomName)
    expect(onServer.map((d) => d.agentName)).toEqual(['receptionist'])
    expect(onServer[0]?.metadata).toBe('{"lang":"en"}')
    const [row] = await store.listForCall('a1')
    expect(row).toMatchObject({
      state: 'dispatched',
      dispatchId: onServer[0]?.id,
      attempts: 1,
      trigger: 'api',
    })

    // A second agent on the same call is its own dispatch.
    await dispatchAgent({ client, store }, { callId: 'a1', roomName, agentName: 'note-taker' })
    expect((await named(roomName)).map((d) => d.agentName).sort()).toEqual(['note-taker', 'receptionist'])
  })

  it('dispatches once when the ringing webhook is replayed (agent-first policy)', async () => {
    const roomName = await newCall('a2')
    const client = counting()
    const store = sqlAgentDispatchStore(db)
    const scheduler = createAgentScheduler({
      async getCall(callId): Promise<AgentCallFacts | null> {
        const { rows } = await db.query<{ started_at: Date; status: AgentCallFacts['status'] }>(
          'SELECT started_at, status FROM ringline_calls WHERE id = $1',
          [callId],
        )
        const row = rows[0]
        if (!row) return null
        return {
          callId,
          roomName,
          direction: 'inbound',
          status: row.status,
          startedAt: row.started_at.toISOString(),
          answeredAt: null,
          endedAt: null,
        }
      },
      getPolicy: () => ({ mode: 'agent-first', agentName: 'receptionist' }),
      dispatch: (input) => dispatchAgent({ client, store }, input),
    })
    // LiveKit delivers participant_joined at least once: the same event three times, two of them at once.
    await scheduler.onCallEvent('a2', 'ringing')
    await Promise.all([scheduler.onCallEvent('a2', 'ringing'), scheduler.onCallEvent('a2', 'ringing')])
    expect(client.creates).toBe(1)
    expect(await named(roomName)).toHaveLength(1)
    expect((await store.listForCall('a2'))[0]).toMatchObject({ state: 'dispatched', trigger: 'agent-first' })
  })

  it('records a refused dispatch as failed and lets one retry win', async () => {
    const roomName = await newCall('a3')
    const store = sqlAgentDispatchStore(db)
    const forged = counting(
      new AgentDispatchClient(livekit.url, livekit.apiKey, 'wrong-secret-wrong-secret-wrong-s'),
    )
    await expect(
      dispatchAgent({ client: forged, store }, { callId: 'a3', roomName, agentName: 'receptionist' }),
    ).rejects.toMatchObject({ code: 'UPSTREAM_ERROR', details: { livekitStatus: 401 } })
    const [failed] = await store.listForCall('a3')
    expect(failed).toMatchObject({ state: 'failed', dispatchId: null })
    expect(failed?.error).toMatch(/^401: invalid token/)
    expect(failed?.error).not.toMatch(/eyJ[\w-]{5,}\./)

    const noRetry = await dispatchAgent(
      { client: counting(), store, retryFailed: false },
      { callId: 'a3', roomName, agentName: 'receptionist' },
    )
    expect(noRetry).toMatchObject({ created: false, dispatch: { state: 'failed' } })

    const client = counting()
    const retries = await Promise.all(
      Array.from({ length: 5 }, () =>
        dispatchAgent({ client, store }, { callId: 'a3', roomName, agentName: 'receptionist' }),
      ),
    )
    expect(client.creates).toBe(1)
    expect(retries.filter((r) => r.created)).toHaveLength(1)
    expect((await store.listForCall('a3'))[0]).toMatchObject({ state: 'dispatched', attempts: 2 })
    expect(await named(roomName)).toHaveLength(1)
  })

  it('reconciles a pending claim left by a crashed process instead of dispatching twice', async () => {
    const roomName = await newCall('a4')
    const store = sqlAgentDispatchStore(db)
    // A process claimed, reached LiveKit, and died before saving the id.
    const created = await lk.createDispatch(roomName, 'receptionist')
    await db.query(
      `INSERT INTO ringline_agent_dispatches (id, call_id, agent_name, room_name, state, attempts, updated_at)
       VALUES ('stale-1', 'a4', 'receptionist', $1, 'pending', 1, now() - interval '5 minutes')`,
      [roomName],
    )
    const client = counting()
    const fresh = await dispatchAgent(
      { client, store, staleAfterSeconds: 600 },
      { callId: 'a4', roomName, agentName: 'receptionist' },
    )
    expect(fresh).toMatchObject({ created: false, dispatch: { state: 'pending' } })
    const result = await dispatchAgent(
      { client, store, staleAfterSeconds: 30 },
      { callId: 'a4', roomName, agentName: 'receptionist' },
    )
    expect(client.creates).toBe(0)
    expect(result.dispatch).toMatchObject({ state: 'dispatched', dispatchId: created.id })
    expect(await named(roomName)).toHaveLength(1)

    // A process that died before reaching LiveKit: the stale claim is taken over and dispatched once.
    const room5 = await newCall('a5')
    await db.query(
      `INSERT INTO ringline_agent_dispatches (id, call_id, agent_name, room_name, state, attempts, updated_at)
       VALUES ('stale-2', 'a5', 'receptionist', $1, 'pending', 1, now() - interval '5 minutes')`,
      [room5],
    )
    const takeovers = await Promise.all(
      Array.from({ length: 4 }, () =>
        dispatchAgent({ client, store }, { callId: 'a5', roomName: room5, agentName: 'receptionist' }),
      ),
    )
    expect(client.creates).toBe(1)
    expect(takeovers.filter((r) => r.created)).toHaveLength(1)
    expect(await named(room5)).toHaveLength(1)
  })

  it('refuses bad and unlisted agent names with stable codes', async () => {
    const store = sqlAgentDispatchStore(db)
    await expect(
      dispatchAgent({ client: lk, store }, { callId: 'a1', roomName: 'x', agentName: 'bad name!' }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', field: 'agentName' })
    await expect(
      dispatchAgent(
        { client: lk, store, allowedAgents: ['receptionist'] },
        { callId: 'a1', roomName: 'x', agentName: 'other' },
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })
})
