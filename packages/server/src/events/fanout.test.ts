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
