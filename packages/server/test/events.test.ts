import type { RoomInfo } from '@ringline/core/protocol'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { req, testRingline, USERS } from './helpers'
import { SseReader } from './sse'

describe('GET /events', () => {
  const ringline = testRingline({ heartbeatSeconds: 0.05, maxEventStreamsPerUser: 2 })
  const readers: SseReader[] = []
  const open = async (user: string, headers: Record<string, string> = {}) => {
    const res = await ringline.handler(req('GET', '/events', { user, headers }))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const reader = new SseReader(res)
    readers.push(reader)
    return reader
  }
  afterEach(async () => {
    for (const r of readers.splice(0)) await r.cancel()
  })
  afterAll(() => ringline.close())

  it('streams the tenant’s events with ids and heartbeats, and nothing of other tenants', async () => {
    const alice = await open('alice')
    const eve = await open('eve')
    await ringline.api.joinRoom(USERS.bob!, 'sse-room')
    await ringline.api.joinRoom(USERS.eve!, 'globex-room')
    await alice.until((f) => f.some((x) => (x.data as { name?: string })?.name === 'sse-room'))
    await alice.until((f) => f.filter((x) => x.comment === 'ping').length >= 2)
    const event = alice.events().find((e) => e.type === 'room.updated')
    expect(event?.id).toBe(alice.frames.find((f) => f.data === event)?.id)
    await eve.until((f) => f.some((x) => (x.data as { name?: string })?.name === 'globex-room'))
    expect(eve.events().some((e) => (e as { name?: string }).name === 'sse-room')).toBe(false)
    expect(alice.events().some((e) => (e as { name?: string }).name === 'globex-room')).toBe(false)
  })

  it('publishes room.updated for a join that changes the room, not for a repeated token of a present user', async () => {
    const alice = await open('alice')
    await ringline.api.joinRoom(USERS.bob!, 'quiet-room')
    // Bob's token again while his first join is still open: nobody's view of the room changes.
    await ringline.api.createToken(USERS.bob!, { room: 'quiet-room' })
    await ringline.api.joinRoom(USERS.bob!, 'quiet-room')
    await ringline.api.joinRoom(USERS.alice!, 'quiet-room')
    await alice.until(
      (f) => f.filter((x) => (x.data as { name?: string })?.name === 'quiet-room').length >= 2,
    )
    // A later event of another room, so any third update of quiet-room would have arrived before it.
    await ringline.api.joinRoom(USERS.bob!, 'quiet-marker')
    await alice.until((f) => f.some((x) => (x.data as { name?: string })?.name === 'quiet-marker'))
    const updates = alice
      .events()
      .filter((e) => e.type === 'room.updated' && e.name === 'quiet-room')
      .map((e) => (e as { room?: RoomInfo | null }).room?.participants.map((p) => p.userId))
    expect(updates).toEqual([['bob'], ['bob', 'alice']])
  })

  it('resumes after Last-Event-ID from the buffer', async () => {
    const first = await open('alice')
    await ringline.api.joinRoom(USERS.bob!, 'resume-1')
    await first.until((f) => f.some((x) => (x.data as { name?: string })?.name === 'resume-1'))
    const lastId = first.events().at(-1)?.id as string
    await first.cancel()
    await ringline.api.joinRoom(USERS.bob!, 'resume-2')
    await ringline.api.joinRoom(USERS.bob!, 'resume-3')
    const second = await open('alice', { 'last-event-id': lastId })
    await second.until((f) => f.filter((x) => x.data).length >= 2)
    expect(second.events().map((e) => (e as { name?: string }).name)).toEqual(['resume-2', 'resume-3'])
  })

  it('resumes on another instance of the same store from the event log (restart, load balancer)', async () => {
    const first = await open('alice')
    await ringline.api.joinRoom(USERS.bob!, 'log-1')
    await first.until((f) => f.some((x) => (x.data as { name?: string })?.name === 'log-1'))
    const lastId = first.events().at(-1)?.id as string
    await first.cancel()
    await ringline.api.joinRoom(USERS.bob!, 'log-2')
    await ringline.api.joinRoom(USERS.eve!, 'log-other-tenant')
    // A second server on the same store: its memory has none of these events, the log has them all.
    const other = testRingline({ store: ringline.store })
    try {
      await other.api.joinRoom(USERS.bob!, 'log-3')
      const res = await other.handler(
        req('GET', '/events', { user: 'alice', headers: { 'last-event-id': lastId } }),
      )
      const second = new SseReader(res)
      readers.push(second)
      await second.until((f) => f.filter((x) => x.data).length >= 2)
      expect(second.events().map((e) => (e as { name?: string }).name)).toEqual(['log-2', 'log-3'])
      // Live events keep flowing after the replay, each once.
      await other.api.joinRoom(USERS.bob!, 'log-4')
      await second.until((f) => f.filter((x) => x.data).length >= 3)
      expect(second.events().map((e) => (e as { name?: string }).name)).toEqual(['log-2', 'log-3', 'log-4'])
    } finally {
      await other.api.leaveRoom(USERS.bob!, 'log-4').catch(() => undefined)
    }
  })

  it('caps streams per user with 429 TOO_MANY_CONNECTIONS', async () => {
    await open('bob')
    await open('bob')
    const third = await ringline.handler(req('GET', '/events', { user: 'bob' }))
    expect(third.status).toBe(429)
    expect((await third.json()).error.code).toBe('TOO_MANY_CONNECTIONS')
  })

  it('cuts off a client that stops reading instead of queueing without bound', async () => {
    const res = await ringline.handler(req('GET', '/events', { user: 'admin' }))
    for (let i = 0; i < 400; i++)
      await ringline.api.leaveRoom(USERS.admin!, 'sse-room').catch(() => undefined)
    // The stream was closed and unsubscribed: a new stream is allowed and the old one ends after its queue.
    const reader = new SseReader(res)
    await reader.until(() => false, 2000).catch(() => undefined)
    expect(reader.done).toBe(true)
    expect(reader.events().length).toBeLessThan(400)
  })
})
