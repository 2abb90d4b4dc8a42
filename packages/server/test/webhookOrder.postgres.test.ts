// The webhook-order model (see webhookModel.ts) across two server instances sharing one PostgreSQL: each delivery
// of a schedule goes to instance A or B, both instances work through their deliveries at the same time (LiveKit's
// retries and a load balancer give exactly this), and the record and what Alice's streams on *both* instances were
// told must agree with the model: the final record exactly; each stream was told the final state (not
// necessarily last: two instances' events about one call can cross, see checkSeen). RINGLINE_ORDER_PG_RUNS schedules (default 200), fixed seed.
import type { RinglineEvent } from '@ringline/core/protocol'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, it } from 'vitest'
import type { Ringline } from '../src/ringline'
import { instancesOnOnePostgres } from './helpers'
import {
  aliceStreams,
  checkAcrossInstances,
  deliver,
  SEED,
  scenario,
  scheduledScenario,
} from './webhookModel'

const RUNS = Number(process.env.RINGLINE_ORDER_PG_RUNS) || 200
// RINGLINE_ORDER_PG_STRICT=1 also demands each stream's last word be the final state (see checkSeen).
const STRICT = process.env.RINGLINE_ORDER_PG_STRICT === '1'

describe('webhook order across two instances on one PostgreSQL', () => {
  let instances: Ringline[] = []
  let seen: RinglineEvent[][] = []
  beforeAll(async () => {
    instances = await instancesOnOnePostgres()
    seen = await aliceStreams(instances)
  })
  afterAll(async () => {
    for (const r of instances) await r.close()
  })

  let runs = 0
  it(`${RUNS} schedules over A and B give the model's records and client events`, async () => {
    await fc.assert(
      fc.asyncProperty(scheduledScenario(2), async ([k, t, deliveries]) => {
        const s = scenario(k, `pg${k.replace('-', '')}${++runs}`, t)
        await s.setup?.(instances[0]!)
        const from = seen.map((x) => x.length)
        await Promise.all(
          instances.map(async (ringline, i) => {
            for (const d of deliveries) if (d.instance === i) await deliver(ringline, s.hooks[d.hook]!)
          }),
        )
        await checkAcrossInstances(instances, s, seen, from, { lastWord: STRICT })
      }),
      { numRuns: RUNS, seed: SEED },
    )
  }, 600_000)
})
