import { createRingline } from '../src/ringline'
import { memoryStore } from '../src/sql/memoryStore'
import { postgresStore } from '../src/sql/postgresStore'
import type { RinglineStore } from '../src/sql/types'
import { percentile, report } from './util'

const CALLS = 100_000

/** 100,000 calls of one tenant over 90 days, 20 users, every direction and status (plus another tenant's 10,000). */
async function seed(store: RinglineStore): Promise<void> {
  await store.migrate()
  await store.query(
    `INSERT INTO ringline_calls (id, tenant_id, direction, status, room_name, from_number, to_number, created_by,
       answered_by, started_at, answered_at, ended_at, duration_seconds)
     SELECT 'c' || g, CASE WHEN g % 11 = 0 THEN 'other' ELSE 'acme' END,
       (ARRAY['outbound', 'inbound', 'internal'])[1 + g % 3],
       (ARRAY['completed', 'completed', 'busy', 'no-answer', 'missed', 'completed', 'declined', 'failed'])[1 + g % 8],
       'room-' || g, '+1415555' || lpad((g % 10000)::text, 4, '0'), '+1628555' || lpad((g % 7919)::text, 4, '0'),
       'user' || (g % 20), CASE WHEN g % 8 IN (0, 1, 5) THEN 'user' || (g % 20) END,
       now() - (g || ' minutes')::interval * 1.3,
       CASE WHEN g % 8 IN (0, 1, 5) THEN now() - (g || ' minutes')::interval * 1.3 END,
       now() - (g || ' minutes')::interval * 1.3 + interval '2 minutes',
       CASE WHEN g % 8 IN (0, 1, 5) THEN 30 + g % 600 ELSE 0 END
     FROM generate_series(1, $1::int) AS g`,
    [Math.round(CALLS * 1.1)],
  )
}

async function measure(label: string, store: RinglineStore): Promise<void> {
  const started = performance.now()
  await seed(store)
  report(
    `history: seed ${CALLS.toLocaleString('en')} calls (${label})`,
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
  const principals = {
    admin: { userId: 'admin', tenantId: 'acme', role: 'admin' as const },
    member: { userId: 'user7', tenantId: 'acme', role: 'member' as const },
  }
  let who: keyof typeof principals = 'admin'
  const ringline = createRingline({
    livekit: {
      url: 'http://127.0.0.1:9',
      apiKey: 'APIbench',
      apiSecret: 'bench-secret-bench-secret-bench-secret-32',
    },
    store,
    authorize: () => principals[who],
  })
  const get = async (path: string) => {
    const res = await ringline.handler(new Request(`http://bench/api/ringline${path}`))
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
    return res.json()
  }
  const cases: Array<[string, keyof typeof principals, string]> = [
    ['GET /calls?stats=1 (admin, whole tenant, per-user)', 'admin', '/calls?stats=1&limit=50'],
    ['GET /calls?stats=1 (member, own calls)', 'member', '/calls?stats=1&limit=50'],
    [
      'GET /calls?stats=1&direction=inbound&since=30d',
      'admin',
      `/calls?stats=1&direction=inbound&since=${encodeURIComponent(new Date(Date.now() - 30 * 86_400_000).toISOString())}`,
    ],
    ['GET /calls (page 1, no stats)', 'admin', '/calls?limit=50'],
    ['GET /calls?q=5550042 (number search)', 'admin', '/calls?q=5550042&limit=50'],
  ]
  for (const [name, user, path] of cases) {
    who = user
    await get(path)
    const times: number[] = []
    for (let i = 0; i < 15; i++) {
      const t = performance.now()
      await get(path)
      times.push(performance.now() - t)
    }
    report(
      `history ${label}: ${name}`,
      `p50 ${percentile(times, 50).toFixed(1)} ms · p95 ${percentile(times, 95).toFixed(1)} ms`,
    )
  }
  await ringline.close()
}

/** `GET /calls?stats=1` latency on 100,000 seeded calls, on PGlite and PostgreSQL. Prints figures only. */
export async function benchHistory(postgresUrl: string | undefined): Promise<void> {
  await measure('PGlite', memoryStore())
  if (!postgresUrl) {
    report('history: PostgreSQL', 'skipped (set BENCH_DATABASE_URL or install postgresql-15)')
    return
  }
  await measure('PostgreSQL', postgresStore({ connectionString: postgresUrl }))
}
