// The webhook-order model (see webhookModel.ts) with every delivery of a schedule arriving at once: two instances
// on one PostgreSQL each take their share of the deliveries concurrently, so they queue and commit in batches, and a
// batch's joins and leaves record in one round trip (`queryEach`), or fall back to one at a time when a handler needs
// statements. The record and the events Alice's streams were told must agree with the model, as delivered one by one.
// RINGLINE_BURST_PG_RUNS schedules (default 150), fixed seed.
import type { RinglineEvent } from '@ringline/core/protocol'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRingline, type Ringline } from '../src/ringline'
import { postgresStore } from '../src/sql/postgresStore'
import type { EachOptions, RinglineStore, Transaction } from '../src/sql/types'
import {
  API_KEY,
  API_SECRET,
  captureLogger,
  freshDatabaseUrl,
  testAuthorize,
  wrapTransactions,
} from './helpers'
import {
  aliceStreams,
  checkAcrossInstances,
  type Hook,
  SEED,
  scenario,
  scheduledScenario,
} from './webhookModel'
import { signedWebhook } from './webhookSigner'

const RUNS = Number(process.env.RINGLINE_BURST_PG_RUNS) || 150

/** How the batches of both instances went: runs recorded in one round trip, and runs rolled back to one at a time. */
const paths = { oneTrip: 0, fellBack: 0 }

/** Counts `queryEach` runs and the rollbacks of runs that fell back (the store itself is untouched). */
function counting(base: RinglineStore): RinglineStore {
  return wrapTransactions(base, (tx) => ({
    query: (sql, params) => {
      if (sql.startsWith('ROLLBACK TO SAVEPOINT')) paths.fellBack += 1
      return tx.query(sql, params)
    },
    ...(tx.queryEach
      ? {
          queryEach: (sql: string, paramsList: unknown[][], options?: EachOptions) => {
            paths.oneTrip += 1
            return tx.queryEach?.(sql, paramsList, options) as ReturnType<
              NonNullable<Transaction['queryEach']>
            >
          },
        }
      : {}),
  }))
}

/** Posts a pre-signed hook; retried on 5xx as LiveKit does (a conflict between instances is a 503). */
async function post(ringline: Ringline, hook: Hook, first: Request): Promise<void> {
  let request = first
  for (let attempt = 0; ; attempt++) {
    const res = await ringline.handler(request)
    if (res.status === 200) return
    if (res.status < 500 || attempt >= 5) throw new Error(`webhook ${hook.id}: HTTP ${res.status}`)
    request = await signedWebhook(hook.body, { id: hook.id })
  }
}

describe('webhook order with every delivery at once, two instances on one PostgreSQL', () => {
  let instances: Ringline[] = []
  let seen: RinglineEvent[][] = []
  beforeAll(async () => {
    const url = await freshDatabaseUrl()
    instances = [0, 1].map(() =>
      createRingline({
        livekit: { url: 'http://127.0.0.1:9', apiKey: API_KEY, apiSecret: API_SECRET },
        store: counting(postgresStore({ connectionString: url })),
        authorize: testAuthorize,
        logger: captureLogger(),
        reconcileIntervalSeconds: 0,
      }),
    )
    await Promise.all(instances.map((r) => r.ready()))
    seen = await aliceStreams(instances)
  })
  afterAll(async () => {
    for (const r of instances) await r.close()
  })

  let runs = 0
  it(`${RUNS} bursts over A and B give the model's records and client events`, async () => {
    await fc.assert(
      fc.asyncProperty(scheduledScenario(2), async ([k, t, deliveries]) => {
        const s = scenario(k, `burst${k.replace('-', '')}${++runs}`, t)
        await s.setup?.(instances[0]!)
        const from = seen.map((x) => x.length)
        // Signed first, then sent all at once (in schedule order), so they reach the queues together.
        const signed = await Promise.all(
          deliveries.map((d) => signedWebhook(s.hooks[d.hook]!.body, { id: s.hooks[d.hook]!.id })),
        )
        await Promise.all(
          deliveries.map((d, i) => post(instances[d.instance]!, s.hooks[d.hook]!, signed[i]!)),
        )
        await checkAcrossInstances(instances, s, seen, from, { lastWord: false })
      }),
      { numRuns: RUNS, seed: SEED },
    )
    // The schedules did go both ways: runs in one round trip, and runs that fell back to one at a time.
    expect(paths.oneTrip).toBeGreaterThan(RUNS / 2)
    expect(paths.fellBack).toBeGreaterThan(0)
  }, 600_000)
})
