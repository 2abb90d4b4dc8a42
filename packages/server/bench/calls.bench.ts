import { createRingline } from '../src/ringline'
import { memoryStore } from '../src/sql/memoryStore'
import { opsPerSecond, report } from './util'

/**
 * Guard overhead on POST /calls: requests refused by the toll-fraud guard (premium number) vs the same
 * validation path with the guards disabled and an invalid number (both stop before any dialling).
 */
export async function benchCalls(): Promise<void> {
  const make = (disabled: boolean) =>
    createRingline({
      livekit: {
        url: 'http://127.0.0.1:9',
        apiKey: 'APIbench',
        apiSecret: 'bench-secret-bench-secret-bench-secret-32',
      },
      sip: { outboundTrunkId: 'ST_bench', callerId: '+14155550100' },
      store: memoryStore(),
      authorize: () => ({ userId: 'u', tenantId: 'bench' }),
      calls: { disabled, requestsPerTenantPerMinute: 1e9 },
    })
  const request = (to: string) =>
    new Request('http://bench/api/ringline/calls', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to }),
    })
  const on = make(false)
  await on.store.migrate()
  const guarded = await opsPerSecond(async () => (await on.handler(request('+19005551234'))).arrayBuffer())
  const parsed = await opsPerSecond(async () => (await on.handler(request('12'))).arrayBuffer())
  report('POST /calls: number parse + refusal by guard (+ audit row)', `${guarded.toFixed(0)} req/s`)
  report('POST /calls: refused at number parse (no guard reached)', `${parsed.toFixed(0)} req/s`)
  report('POST /calls: guard overhead', `${((1 / guarded - 1 / parsed) * 1e6).toFixed(0)} µs/request`)
  await on.close()
}
