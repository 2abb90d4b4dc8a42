// The server of the fan-out bench, in a fresh process of its own (started by fanout.bench.ts with --expose-gc, so
// its memory figures hold nothing but the server): one Ringline instance on node:http at 127.0.0.1 through the
// public Node adapter, N `/events` subscribers (a child process, fanout.client.ts), then broadcasts.
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { toNodeHandler } from '../src/adapters/node'
import { EventHub } from '../src/events/eventHub'
import { createRingline } from '../src/ringline'
import { memoryStore } from '../src/sql/memoryStore'
import type { FromClient, ToClient } from './fanout.client'
import { percentile, report } from './util'

const SUBSCRIBERS = Number(process.env.FANOUT_SUBSCRIBERS ?? 2000)
const BROADCASTS = Number(process.env.FANOUT_BROADCASTS ?? 20)
const GOAL_P95_MS = 100
const TENANT = 'fanout'
const n = SUBSCRIBERS.toLocaleString('en-US')

// When each event was published (`EventHub.publish` called), on the monotonic clock the subscribers read too.
const publishedAt = new Map<string, number>()
const publish = EventHub.prototype.publish
EventHub.prototype.publish = function (this: EventHub, ...args: Parameters<EventHub['publish']>) {
  const at = Number(process.hrtime.bigint())
  const event = publish.apply(this, args)
  publishedAt.set(event.id, at)
  return event
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A full collection (twice, for objects freed by finalisers), then the process's memory. */
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  const gc = (globalThis as { gc?: () => void }).gc
  for (let i = 0; i < 2; i++) {
    gc?.()
    await sleep(50)
  }
  return process.memoryUsage()
}

/** Resolves with the child's next message passing `test`, or rejects after `ms`. */
function next<T extends FromClient['type']>(
  child: ChildProcess,
  type: T,
  ms: number,
): Promise<Extract<FromClient, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', on)
      reject(new Error(`fan-out bench: no '${type}' from the subscribers within ${ms} ms`))
    }, ms)
    const on = (message: FromClient) => {
      if (message.type !== type) return
      clearTimeout(timer)
      child.off('message', on)
      resolve(message as Extract<FromClient, { type: T }>)
    }
    child.on('message', on)
  })
}

const ringline = createRingline({
  livekit: {
    url: 'http://127.0.0.1:9',
    apiKey: 'APIbench',
    apiSecret: 'bench-secret-bench-secret-bench-secret-32',
  },
  store: memoryStore(),
  // Every subscriber is a distinct user of one tenant, named by a header.
  authorize: (request) => {
    const userId = request.headers.get('x-bench-user')
    return userId ? { userId, tenantId: TENANT } : null
  },
})
await ringline.store.migrate()
const server = createServer(toNodeHandler(ringline))
server.listen({ port: 0, host: '127.0.0.1', backlog: SUBSCRIBERS + 512 })
await once(server, 'listening')
const { port } = server.address() as AddressInfo

// A real broadcast: a user joining a room publishes `room.updated` to the whole tenant (no audience).
const broadcaster = { userId: 'broadcaster', tenantId: TENANT }
await ringline.api.joinRoom(broadcaster, 'lobby')
await sleep(200)
const before = await settledMemory()

const child = fork(fileURLToPath(new URL('./fanout.client.ts', import.meta.url)), {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
})
try {
  await next(child, 'spawned', 30_000)
  child.send({ type: 'connect', port, subscribers: SUBSCRIBERS } satisfies ToClient)
  const connected = await next(child, 'connected', 120_000)
  if (connected.failed > 0) {
    throw new Error(
      `fan-out bench: ${connected.failed} subscribers failed to connect (${connected.firstError})`,
    )
  }
  report(
    `events over HTTP: connect ${n} /events subscribers`,
    `${connected.ms.toFixed(0)} ms (all streaming)`,
  )
  // Presence rows and the first heartbeat-free second settle before memory is read.
  await sleep(1000)
  const after = await settledMemory()
  const perSub = (a: number, b: number) => `${((a - b) / SUBSCRIBERS / 1024).toFixed(1)} KiB`
  report(
    'events over HTTP: server memory per subscriber',
    `RSS ${perSub(after.rss, before.rss)} · heap ${perSub(after.heapUsed, before.heapUsed)} · external ${perSub(
      after.external,
      before.external,
    )}`,
  )

  const lastPerBroadcast: number[] = []
  for (let i = 0; i < BROADCASTS; i++) {
    const complete = next(child, 'complete', 30_000)
    await ringline.api.joinRoom(broadcaster, 'lobby')
    await complete
    await sleep(100)
  }
  child.send({ type: 'results' } satisfies ToClient)
  const { parsedAt, errors } = await next(child, 'results', 30_000)
  const latencies: number[] = []
  for (const [id, times] of Object.entries(parsedAt)) {
    const sent = publishedAt.get(id)
    if (sent === undefined) continue
    const ms = times.map((t) => (t - sent) / 1e6)
    latencies.push(...ms)
    lastPerBroadcast.push(Math.max(...ms))
  }
  const label = `events over HTTP: broadcast to ${n}`
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`
  const p95 = percentile(latencies, 95)
  report(`${label}, p50`, fmt(percentile(latencies, 50)))
  report(`${label}, p95`, `${fmt(p95)} (goal ≤ ${GOAL_P95_MS} ms: ${p95 <= GOAL_P95_MS ? 'met' : 'MISSED'})`)
  report(
    `${label}, last of each`,
    `${fmt(percentile(lastPerBroadcast, 50))} median · ${fmt(Math.max(...lastPerBroadcast))} worst of ${lastPerBroadcast.length} broadcasts${errors ? ` · ${errors} stream errors` : ''}`,
  )
} finally {
  child.kill()
  server.closeAllConnections()
  server.close()
  await ringline.close()
}
