import { Room, RoomEvent } from '@livekit/rtc-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './harness'

describe('internal rooms on a real LiveKit', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h.close())

  it('LiveKit accepts the tokens, webhooks update the store, and end removes real participants', async () => {
    const a = await h.post('alice', '/rooms/standup/join')
    const b = await h.post('bob', '/rooms/standup/join')
    expect(a.status).toBe(200)
    const alice = new Room()
    const bob = new Room()
    await alice.connect(h.sandbox.livekit.wsUrl, a.body.connection.token)
    await bob.connect(h.sandbox.livekit.wsUrl, b.body.connection.token)
    expect(alice.isConnected).toBe(true)
    expect(alice.name).toBe(`int-${h.tenant}-standup`)
    // participant_joined from LiveKit records when each one really connected.
    await h.waitForEvent(
      (e) =>
        e.type === 'room.updated' &&
        e.room !== null &&
        e.room.participants.every((p) => p.joinedAt !== null) &&
        e.room.participants.length === 2,
    )
    const { rows } = await h.ringline.store.query<{ identity: string }>(
      'SELECT identity FROM ringline_call_participants p JOIN ringline_calls c ON c.id = p.call_id WHERE c.room_name = $1 AND p.left_at IS NULL ORDER BY identity',
      [`int-${h.tenant}-standup`],
    )
    expect(rows.map((r) => r.identity)).toEqual([`${h.tenant}:alice`, `${h.tenant}:bob`])

    // Bob leaves in LiveKit: participant_left marks him gone.
    await bob.disconnect()
    await h.waitForEvent(
      (e) =>
        e.type === 'room.updated' &&
        e.room?.participants.length === 1 &&
        e.room.participants[0]?.userId === 'alice',
    )

    // Bob did not create the room: he cannot end it. Alice can, and LiveKit drops her.
    expect((await h.post('bob', '/rooms/standup/end')).status).toBe(403)
    const disconnected = new Promise<void>((resolve) => alice.once(RoomEvent.Disconnected, () => resolve()))
    const ended = await h.post('alice', '/rooms/standup/end')
    expect(ended.status).toBe(200)
    expect(ended.body.call).toMatchObject({ status: 'completed', endReason: 'completed' })
    await disconnected
  })

  it('reconcile closes a record whose room LiveKit no longer has', async () => {
    await h.post('alice', '/rooms/ghost/join')
    await h.ringline.store.query(
      "UPDATE ringline_calls SET started_at = now() - interval '10 minutes' WHERE room_name = $1",
      [`int-${h.tenant}-ghost`],
    )
    const result = await h.ringline.api.reconcile()
    const { rows } = await h.ringline.store.query<{ id: string; end_reason: string }>(
      'SELECT id, end_reason FROM ringline_calls WHERE room_name = $1',
      [`int-${h.tenant}-ghost`],
    )
    expect(result.closed).toContain(rows[0]?.id)
    expect(rows[0]?.end_reason).toBe('stale')
  })

  it('health reports LiveKit and the store reachable without secrets', async () => {
    const res = await fetch(`${h.baseUrl}/api/ringline/health`)
    const text = await res.text()
    expect(res.status).toBe(200)
    expect(JSON.parse(text)).toMatchObject({
      ok: true,
      livekit: { reachable: true },
      store: { reachable: true },
    })
    expect(text).not.toContain(h.sandbox.livekit.apiSecret)
  })
})
