import { createHash } from 'node:crypto'
import { AccessToken, WebhookReceiver } from 'livekit-server-sdk'
import { createRingline } from '../src/ringline'
import { memoryStore } from '../src/sql/memoryStore'
import { postgresStore } from '../src/sql/postgresStore'
import type { RinglineStore } from '../src/sql/types'
import { opsPerSecond, report, reportSequentialAndConcurrent } from './util'

const apiKey = 'APIbench'
const apiSecret = 'bench-secret-bench-secret-bench-secret-32'
let n = 0

async function signed(): Promise<{ body: string; auth: string }> {
  n += 1
  const body = JSON.stringify({
    id: `EV_bench_${n}_${Math.random()}`,
    event: 'participant_joined',
    createdAt: String(Math.floor(Date.now() / 1000)),
    room: { name: 'int-bench-room', sid: 'RM_b' },
    participant: { sid: 'PA_b', identity: `bench:u${n % 10}`, state: 'ACTIVE', joinedAt: '1750000000' },
  })
  const at = new AccessToken(apiKey, apiSecret, { ttl: 300 })
  at.sha256 = createHash('sha256').update(body).digest('base64')
  return { body, auth: await at.toJwt() }
}

async function throughput(label: string, store: RinglineStore, guards: boolean): Promise<number> {
  const ringline = createRingline({
    livekit: { url: 'http://127.0.0.1:9', apiKey, apiSecret },
    store,
    authorize: () => null,
  })
  await ringline.api.joinRoom({ userId: 'u0', tenantId: 'bench' }, 'room')
  // Pre-sign so the figure measures the handler, not the signer.
  const pool = await Promise.all(Array.from({ length: 3000 }, () => signed()))
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
  report('webhooks: bare WebhookReceiver.receive', `${bare.toFixed(0)} events/s`)
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
  if (postgresUrl)
    await throughput(
      'webhooks: POST /webhooks/livekit on PostgreSQL',
      postgresStore({ connectionString: postgresUrl }),
      true,
    )
  else report('webhooks: PostgreSQL', 'skipped (set BENCH_DATABASE_URL or install postgresql-15)')
}
