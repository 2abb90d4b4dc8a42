import type { RinglineEvent } from '@ringline/core/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pgliteDriver } from '../src/sql/pgliteStore'
import { createSqlStore } from '../src/sql/sqlStore'
import type { SqlDriver } from '../src/sql/types'
import { testRingline, USERS } from './helpers'
import { signedWebhook } from './webhookSigner'

/**
 * The embedded store runs its queries on the event loop's thread: a webhook's follow-up work (here the routing
 * policy's scheduler of a ringing inbound call) must not start in the turn its events are delivered, or it holds back
 * their writes to the `/events` sockets. Checked by order, not time: a callback queued for the next turn at the
 * moment the event is delivered runs before the follow-up work's first query.
 */
describe("a webhook's follow-up work starts on the next turn", () => {
  const log: string[] = []
  const base = pgliteDriver('memory')
  const logged =
    (query: SqlDriver['query']): SqlDriver['query'] =>
    (sql, params) => {
      log.push('query')
      return query(sql, params)
    }
  const driver: SqlDriver = {
    ...base,
    query: logged(base.query.bind(base)),
    transaction: (fn) => base.transaction((tx) => fn({ ...tx, query: logged(tx.query.bind(tx)) })),
  }
  const ringline = testRingline({ store: createSqlStore(driver) })
  beforeAll(async () => {
    await ringline.store.migrate()
    ringline.api.subscribe(USERS.alice!, (event: RinglineEvent) => {
      if (event.type !== 'call.incoming') return
      log.push('delivered')
      setImmediate(() => log.push('next turn'))
    })
  })
  afterAll(() => ringline.close())

  const ringing = (n: number) =>
    signedWebhook({
      event: 'participant_joined',
      room: { name: `in-acme_+15550001111_Turn${n}`, sid: `RM_turn${n}` },
      participant: {
        sid: `PA_turn${n}`,
        identity: 'sip_+15550001111',
        kind: 'SIP',
        state: 'ACTIVE',
        attributes: {
          'sip.phoneNumber': '+15550001111',
          'sip.callID': `SCL_turn${n}`,
          'ringline.tenant': 'acme',
        },
      },
    })

  it('runs the scheduler of a ringing call after the turn that delivered call.incoming', async () => {
    // The first webhook of an instance also starts its occasional pruning: not what this looks at.
    expect((await ringline.handler(await ringing(1))).status).toBe(200)
    await ringline.settled()
    log.length = 0
    expect((await ringline.handler(await ringing(2))).status).toBe(200)
    await ringline.settled()
    await new Promise((resolve) => setImmediate(resolve))
    const delivered = log.indexOf('delivered')
    expect(delivered).toBeGreaterThanOrEqual(0)
    const after = log.slice(delivered)
    // The follow-up work did query the store (the scheduler reads the call), and only after the turn ended.
    expect(after).toContain('query')
    expect(after).toContain('next turn')
    expect(after.indexOf('next turn')).toBeLessThan(after.indexOf('query'))
  })
})
