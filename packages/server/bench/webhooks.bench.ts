import { createHash } from 'node:crypto'
import { AccessToken, WebhookReceiver } from 'livekit-server-sdk'
import { createRingline } from '../src/ringline'
import { memoryStore } from '../src/sql/memoryStore'
import { postgresStore } from '../src/sql/postgresStore'
import type { RinglineStore } from '../src/sql/types'
import { cpuPerOperation, opsPerSecond, report, reportSequentialAndConcurrent } from './util'

const apiKey = 'APIbench'
const apiSecret = 'bench-secret-bench-secret-bench-secret-32'
let n = 0

/** Rooms the "many rooms" figures spread their webhooks over (each room's webhooks apply one after another). */
const ROOMS = 32

/** A signed `participant_joined` of room `room` (the bench user's room name; `int-bench-<room>` in LiveKit). */
async function signed(room = 'room'): Promise<{ body: string; auth: string }> {
  n += 1
  const body = JSON.stringify({
    id: `EV_bench_${n}_${Math.random()}`,
    event: 'participant_joined',
    createdAt: String(Math.floor(Date.now() / 1000)),
    room: { name: `int-bench-${room}`, sid: `RM_${room}` },
    participant: { sid: 'PA_b', identity: `bench:u${n % 10}`, state: 'ACTIVE', joinedAt: '1750000000' },
  })
  const at = new AccessToken(apiKey, apiSecret, { ttl: 300 })
  at.sha256 = createHash('sha256').update(body).digest('base64')
  return { body, auth: await at.toJwt() }
}

async function throughput(label: string, store: RinglineStore, guards: boolean, rooms = 1): Promise<number> {
  const ringline = createRingline({
    livekit: { url: 'http://127.0.0.1:9', apiKey, apiSecret },
    store,
    authorize: () => null,
  })
  const names = rooms === 1 ? ['room'] : Array.from({ length: rooms }, (_, k) => `r${k}`)
  for (const name of names) await ringline.api.joinRoom({ userId: 'u0', tenantId: 'bench' }, name)
  // Pre-sign so the figure measures the handler, not the signer; enough that no id repeats within a run.
  const pool = await Promise.all(Array.from({ length: 12_000 }, (_, k) => signed(names[k % names.length])))
  let i = 0
  const one = async () => {
    const { body, auth } = pool[i++ % pool.length] as { body: string; auth: string }
    if (guards) {
      const res = await ringline.handler(
        new Request('http://bench/api/ringline/webhooks/livekit', {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/webhook+json' },
          body,
        }),
      )
      await res.arrayBuffer()
    } else {
      await ringline.api.handleLivekitWebhook(body, auth)
    }
  }
  // In flight: LiveKit sends webhooks of many rooms at once.
  const ops = await reportSequentialAndConcurrent(label, 'events/s', one)
  if (store.kind === 'postgres') {
    // Where the time goes: CPU per event here (the app and the bench's requests) and in the PostgreSQL server.
    const pids = async () =>
      (await store.query<{ pid: number }>('SELECT pid FROM pg_stat_activity')).rows.map((r) => r.pid)
    const cpu = await cpuPerOperation(one, 16, pids)
    report(
      `${label.replace('webhooks: POST /webhooks/livekit', 'webhooks:')}: CPU per event`,
      `${cpu.self.toFixed(0)} µs this process · ${cpu.others === null ? 'n/a' : cpu.others.toFixed(0)} µs PostgreSQL (16 in flight, ${cpu.ops.toFixed(0)} events/s)`,
    )
  }
  await ringline.close()
  return ops
}

/** Webhook handling on PGlite and PostgreSQL vs bare WebhookReceiver.receive; router (guards) on vs off. */
export async function benchWebhooks(postgresUrl: string | undefined): Promise<void> {
  const receiver = new WebhookReceiver(apiKey, apiSecret)
  const pool = await Promise.all(Array.from({ length: 500 }, () => signed()))
  let i = 0
  const bare = await opsPerSecond(() => {
    const { body, auth } = pool[i++ % pool.length] as { body: string; auth: string }
    return receiver.receive(body, auth)
  })
  report(
    'webhooks: bare WebhookReceiver.receive',
    `${bare.toFixed(0)} events/s (${(1e6 / bare).toFixed(0)} µs each)`,
  )
  const viaRoute = await throughput(
    'webhooks: POST /webhooks/livekit on PGlite (router on)',
    memoryStore(),
    true,
  )
  const viaApi = await throughput(
    'webhooks: api.handleLivekitWebhook on PGlite (router off)',
    memoryStore(),
    false,
  )
  report('webhooks: router/security overhead', `${(((viaApi - viaRoute) / viaApi) * 100).toFixed(1)} %`)
  if (postgresUrl) {
    await throughput(
      'webhooks: POST /webhooks/livekit on PostgreSQL, one room',
      postgresStore({ connectionString: postgresUrl }),
      true,
    )
    await throughput(
      `webhooks: POST /webhooks/livekit on PostgreSQL, ${ROOMS} rooms`,
      postgresStore({ connectionString: postgresUrl }),
      true,
      ROOMS,
    )
  } else report('webhooks: PostgreSQL', 'skipped (set BENCH_DATABASE_URL or install postgresql-15)')
}
