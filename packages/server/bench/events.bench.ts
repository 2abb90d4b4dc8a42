import { EventHub } from '../src/events/eventHub'
import { consoleLogger } from '../src/redact'
import { percentile, report } from './util'

/**
 * Fan-out latency of one event to 1,000 in-process subscribers (publish → each listener), p50/p95; then the same
 * with every subscriber named in the event's audience (an inbound call rings everyone online).
 */
export async function benchEvents(): Promise<void> {
  const hub = new EventHub({ bufferSize: 500, logger: consoleLogger })
  const users = Array.from({ length: 1000 }, (_, i) => `u${i}`)
  let latencies: number[] = []
  let sentAt = 0
  for (const userId of users) {
    hub.subscribe({ tenantId: 'bench', userId }, () => {
      latencies.push(performance.now() - sentAt)
    })
  }
  for (const [label, audience] of [
    ['', undefined],
    [', audience of all', users],
  ] as const) {
    latencies = []
    for (let round = 0; round < 50; round++) {
      sentAt = performance.now()
      hub.publish('bench', { type: 'room.updated', name: 'room', room: null }, audience)
      await new Promise((r) => setImmediate(r))
    }
    for (const p of [50, 95]) {
      report(
        `events: fan-out to 1,000 subscribers${label}, p${p}`,
        `${(percentile(latencies, p) * 1000).toFixed(1)} µs`,
      )
    }
  }
  await hub.close()
}
