import { EventHub } from '../src/events/eventHub'
import { consoleLogger } from '../src/redact'
import { percentile, report } from './util'

/** Fan-out latency of one event to 1,000 in-process subscribers (publish → each listener), p50/p95. */
export async function benchEvents(): Promise<void> {
  const hub = new EventHub({ bufferSize: 500, logger: consoleLogger })
  const latencies: number[] = []
  let sentAt = 0
  for (let i = 0; i < 1000; i++) {
    hub.subscribe({ tenantId: 'bench', userId: `u${i}` }, () => {
      latencies.push(performance.now() - sentAt)
    })
  }
  for (let round = 0; round < 50; round++) {
    sentAt = performance.now()
    hub.publish('bench', { type: 'room.updated', name: 'room', room: null })
    await new Promise((r) => setImmediate(r))
  }
  report('events: fan-out to 1,000 subscribers, p50', `${(percentile(latencies, 50) * 1000).toFixed(1)} µs`)
  report('events: fan-out to 1,000 subscribers, p95', `${(percentile(latencies, 95) * 1000).toFixed(1)} µs`)
  await hub.close()
}
