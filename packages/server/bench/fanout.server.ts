// The server of the fan-out bench, in a fresh process of its own (started by fanout.bench.ts with --expose-gc, so
// its memory figures hold nothing but the server): one Ringline instance on node:http at 127.0.0.1 through the
// public Node adapter, N `/events` subscribers (a child process, fanout.client.ts), then broadcasts.
import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { availableParallelism, loadavg } from 'node:os'
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

/** Resolves with the child's next message of `type`, or rejects after `ms`. */
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

// A real broadcast: a user joining a room publishes `room.updated` to the whole tenant (no audience). Each broadcast
// is a new user's join: joining again a room one is in changes nothing and publishes nothing.
let joins = 0
const broadcaster = () => ({ userId: `broadcaster-${++joins}`, tenantId: TENANT })
/** `broadcasts` broadcasts one after another, each awaiting `delivered`; returns the server's CPU time (ms) per broadcast. */
async function broadcastCpu(broadcasts: number, delivered: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < broadcasts; i++) {
    const done = delivered()
    await ringline.api.joinRoom(broadcaster(), 'lobby')
    await done
    // Lets the event log write and the sockets' callbacks finish, so each broadcast is counted whole.
    await sleep(100)
  }
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000 / broadcasts
}

// The same broadcasts with nobody listening: the room update's own cost, told apart from the fan-out's.
await ringline.api.joinRoom(broadcaster(), 'lobby')
const alone = await broadcastCpu(BROADCASTS, async () => {})
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
  // The subscribers' presence rows are written (one by one) before memory is read.
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
  const cpu = await broadcastCpu(BROADCASTS, () => next(child, 'complete', 30_000))
  child.send({ type: 'results' } satisfies ToClient)
  const { parsedAt, errors, cpuMs } = await next(child, 'results', 30_000)
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
  // Latencies depend on what else the machine runs: its load is printed beside them.
  report(
    `${label}, p50`,
    `${fmt(percentile(latencies, 50))} (load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} CPUs)`,
  )
  report(`${label}, p95`, `${fmt(p95)} (goal ≤ ${GOAL_P95_MS} ms: ${p95 <= GOAL_P95_MS ? 'met' : 'MISSED'})`)
  report(
    `${label}, last of each`,
    `${fmt(percentile(lastPerBroadcast, 50))} median · ${fmt(Math.max(...lastPerBroadcast))} worst of ${lastPerBroadcast.length} broadcasts${errors ? ` · ${errors} stream errors` : ''}`,
  )
  // CPU time does not depend on how busy the machine is, unlike the latencies above.
  report(
    `${label}, server CPU`,
    `${fmt(cpu - alone)} per broadcast (${(((cpu - alone) / SUBSCRIBERS) * 1000).toFixed(1)} µs per subscriber; the room update itself ${fmt(alone)})`,
  )
  report(
    `${label}, client CPU`,
    `${fmt(cpuMs / BROADCASTS)} per broadcast (the subscribers' process, measuring)`,
  )
} finally {
  child.kill()
  server.closeAllConnections()
  server.close()
  await ringline.close()
}
