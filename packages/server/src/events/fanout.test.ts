// The in-memory fan-out: an event reaches its tenant's subscribers in its audience and no one else, live and on
// resume, and every stream of a broadcast gets the event's own frame.
import type { RinglineEvent } from '@ringline/core/protocol'
import { describe, expect, it } from 'vitest'
import { captureLogger } from '../../test/helpers'
import { SseReader } from '../../test/sse'
import { EventHub } from './eventHub'
import { sseResponse } from './sseResponse'

const room = (name: string) => ({ type: 'room.updated' as const, name, room: null })

describe('fan-out', () => {
  it('delivers an event with an audience to those users of its tenant only, live and on resume', async () => {
    const hub = new EventHub({ bufferSize: 10, logger: captureLogger() })
    const seen: Record<string, string[]> = { alice: [], bob: [], carol: [], dave: [] }
    for (const [tenantId, userId] of [
      ['acme', 'alice'],
      ['acme', 'bob'],
      ['acme', 'carol'],
      ['globex', 'dave'],
    ] as const) {
      hub.subscribe({ tenantId, userId }, (e) => seen[userId]!.push((e as { name: string }).name))
    }
    const first = hub.publish('acme', room('everyone'))
    hub.publish('acme', room('alice-and-carol'), ['alice', 'carol'])
    hub.publish('acme', room('dave-elsewhere'), ['dave'])
    hub.publish('acme', room('everyone-again'))
    expect(seen).toEqual({
      alice: ['everyone', 'alice-and-carol', 'everyone-again'],
      bob: ['everyone', 'everyone-again'],
      carol: ['everyone', 'alice-and-carol', 'everyone-again'],
      dave: [],
    })
    const resumed = (userId: string) =>
      (
        hub.subscribe({ tenantId: 'acme', userId, lastEventId: first.id }, () => undefined)
          .missed as RinglineEvent[]
      ).map((e) => (e as { name: string }).name)
    expect(resumed('bob')).toEqual(['everyone-again'])
    expect(resumed('carol')).toEqual(['alice-and-carol', 'everyone-again'])
    await hub.close()
  })

  it('keeps streams, online users and stream counts per tenant and user as streams come and go', async () => {
    const hub = new EventHub({ bufferSize: 10, logger: captureLogger() })
    const got: string[] = []
    const closed: string[] = []
    const open = (tenantId: string, userId: string, tag: string) =>
      hub.subscribe({ tenantId, userId, close: () => closed.push(tag) }, (e) =>
        got.push(`${tag}:${(e as { name: string }).name}`),
      )
    const a1 = open('acme', 'alice', 'a1')
    const a2 = open('acme', 'alice', 'a2')
    const b1 = open('acme', 'bob', 'b1')
    open('globex', 'alice', 'g1')
    expect(hub.streamCount('acme', 'alice')).toBe(2)
    expect(hub.streamCount('globex', 'alice')).toBe(1)
    expect(hub.streamCount('acme', 'nobody')).toBe(0)
    expect([...hub.onlineUsers('acme')].sort()).toEqual(['alice', 'bob'])
    // An audience repeating a user still delivers once per stream.
    hub.publish('acme', room('to-alice'), ['alice', 'alice'])
    expect(got.sort()).toEqual(['a1:to-alice', 'a2:to-alice'])
    a1.unsubscribe()
    a1.unsubscribe()
    expect(hub.streamCount('acme', 'alice')).toBe(1)
    b1.unsubscribe()
    expect([...hub.onlineUsers('acme')]).toEqual(['alice'])
    // Closing a user's streams touches that user of that tenant only.
    expect(await hub.closeStreams('acme', 'alice')).toBe(1)
    expect(closed).toEqual(['a2'])
    a2.unsubscribe()
    expect(hub.onlineUsers('acme').size).toBe(0)
    got.length = 0
    hub.publish('acme', room('nobody-left'))
    hub.publish('globex', room('globex-only'))
    expect(got).toEqual(['g1:globex-only'])
    await hub.close()
  })

  it('writes each event of a broadcast to every stream with its own id and data, in order', async () => {
    const hub = new EventHub({ bufferSize: 10, logger: captureLogger() })
    const open = (userId: string) =>
      new SseReader(
        sseResponse({ hub, tenantId: 'acme', userId, heartbeatMs: 60_000, headers: new Headers() }),
      )
    const readers = [open('alice'), open('bob'), open('carol')]
    const published = ['one', 'two', 'three'].map((name) => hub.publish('acme', room(name)))
    // Bob alone is told of the fourth: the next broadcast to all must not repeat it.
    published.push(hub.publish('acme', room('bob-only'), ['bob']))
    published.push(hub.publish('acme', room('four')))
    for (const [i, reader] of readers.entries()) {
      const expected = published.filter((e) => i === 1 || (e as { name: string }).name !== 'bob-only')
      await reader.until((f) => f.filter((x) => x.data).length >= expected.length)
      expect(reader.frames.filter((f) => f.data).map((f) => [f.id, f.data])).toEqual(
        expected.map((e) => [e.id, e]),
      )
      await reader.cancel()
    }
    await hub.close()
  })
})
