// Live events across server instances through PostgreSQL LISTEN/NOTIFY.
import { describe, expect, it } from 'vitest'
import type { Ringline } from '../src/ringline'
import { instancesOnOnePostgres, req, USERS } from './helpers'
import { SseReader } from './sse'

describe('events across instances (PostgreSQL LISTEN/NOTIFY)', () => {
  it('delivers an event published on one instance to streams on another', async () => {
    const [a, b] = (await instancesOnOnePostgres()) as [Ringline, Ringline]
    try {
      const onB = new SseReader(await b.handler(req('GET', '/events', { user: 'alice' })))
      const onA = new SseReader(await a.handler(req('GET', '/events', { user: 'alice' })))
      const joined = await a.api.joinRoom(USERS.bob!, 'shared-room')
      expect(joined.room.name).toBe('shared-room')
      await onB.until((f) => f.some((x) => (x.data as { name?: string })?.name === 'shared-room'))
      await onA.until((f) => f.some((x) => (x.data as { name?: string })?.name === 'shared-room'))
      expect(onB.events()[0]?.id).toBe(onA.events()[0]?.id)
      // And the other way round.
      await b.api.leaveRoom(USERS.bob!, 'shared-room')
      await onA.until((f) => f.filter((x) => x.data).length >= 2)
      await onA.cancel()
      await onB.cancel()
    } finally {
      await a.close()
      await b.close()
    }
  })
})
