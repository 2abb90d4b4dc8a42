// Presence rows expire: an instance that died without cleaning up stops counting its users after the TTL.
import { describe, expect, it } from 'vitest'
import { captureLogger } from '../../test/helpers'
import { memoryStore } from '../sql/memoryStore'
import { EventHub } from './eventHub'

describe('presence in the store', () => {
  it('counts this instance, unexpired rows of others, and not expired ones', async () => {
    const store = memoryStore()
    const hub = new EventHub({ bufferSize: 10, store, logger: captureLogger() })
    try {
      await store.query(
        `INSERT INTO ringline_presence (tenant_id, user_id, instance_id, expires_at) VALUES
           ('acme', 'bob', 'other', now() + interval '60 seconds'),
           ('acme', 'carol', 'dead', now() - interval '1 second'),
           ('globex', 'eve', 'other', now() + interval '60 seconds')`,
      )
      const off = hub.subscribe({ tenantId: 'acme', userId: 'alice' }, () => undefined).unsubscribe
      expect([...(await hub.onlineUsersEverywhere('acme'))].sort()).toEqual(['alice', 'bob'])
      const { rows } = await store.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM ringline_presence WHERE user_id = 'alice' AND expires_at > now() + interval '80 seconds'",
      )
      expect(rows[0]!.n).toBe(1)
      off()
      expect([...(await hub.onlineUsersEverywhere('acme'))]).toEqual(['bob'])
    } finally {
      await hub.close()
      await store.close()
    }
  })
})
