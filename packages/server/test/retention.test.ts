// Housekeeping that runs inside the handler's lifecycle, with no cron: webhook dedupe ids pruned after the
// retention window (amortised over webhook handling), and reconcile on a timer by default, cheap when no call is open.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { testRingline } from './helpers'
import { signedWebhook } from './webhookSigner'

afterEach(() => {
  vi.useRealTimers()
})

const ids = async (ringline: ReturnType<typeof testRingline>) =>
  (await ringline.store.query<{ id: string }>('SELECT id FROM ringline_webhook_events ORDER BY id')).rows.map(
    (r) => r.id,
  )

/** A webhook id received `hours` ago (by the database's clock, which stamps `received_at`). */
const aged = (ringline: ReturnType<typeof testRingline>, id: string, hours: number) =>
  ringline.store.query(
    "INSERT INTO ringline_webhook_events (id, event, received_at) VALUES ($1, 'room_started', now() - $2 * interval '1 hour')",
    [id, hours],
  )

const hook = async (ringline: ReturnType<typeof testRingline>, id: string) => {
  const res = await ringline.handler(
    await signedWebhook({ event: 'room_started', room: { name: `r-${id}`, sid: `RM_${id}` } }, { id }),
  )
  expect(res.status).toBe(200)
  await ringline.settled()
}

describe('webhook dedupe retention', () => {
  it('prunes ids older than the window (24 h by default) while handling webhooks, at most every 10 minutes', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2030-01-01T00:00:00Z') })
    const ringline = testRingline()
    try {
      await ringline.store.migrate()
      await aged(ringline, 'EV_old', 25)
      await aged(ringline, 'EV_recent', 23)
      await hook(ringline, 'EV_1')
      // The first webhook of an instance prunes: 25 h is past the window, 23 h is not.
      expect(await ids(ringline)).toEqual(['EV_1', 'EV_recent'])
      await aged(ringline, 'EV_old2', 30)
      vi.advanceTimersByTime(5 * 60_000)
      await hook(ringline, 'EV_2')
      // Within 10 minutes of the last prune: not again.
      expect(await ids(ringline)).toContain('EV_old2')
      vi.advanceTimersByTime(6 * 60_000)
      await hook(ringline, 'EV_3')
      expect(await ids(ringline)).toEqual(['EV_1', 'EV_2', 'EV_3', 'EV_recent'])
    } finally {
      await ringline.close()
    }
  })

  it('keeps ids for `webhookRetentionHours`', async () => {
    const ringline = testRingline({ webhookRetentionHours: 48 })
    try {
      await ringline.store.migrate()
      await aged(ringline, 'EV_47h', 47)
      await aged(ringline, 'EV_49h', 49)
      await hook(ringline, 'EV_now')
      expect(await ids(ringline)).toEqual(['EV_47h', 'EV_now'])
    } finally {
      await ringline.close()
    }
  })
})

describe('reconcile on by default', () => {
  const openCall = (ringline: ReturnType<typeof testRingline>) =>
    ringline.store.query(
      `INSERT INTO ringline_calls (id, tenant_id, direction, status, room_name, started_at)
       VALUES ('c-stale', 'acme', 'internal', 'in-progress', 'int-acme-stale', now() - interval '5 minutes')`,
    )
  const reconcileRuns = (ringline: ReturnType<typeof testRingline>) =>
    // LiveKit is unreachable in tests: a pass that asks it logs "reconcile failed".
    ringline.logger.lines.filter((l) => l.includes('reconcile failed')).length

  it('runs every 60 s by default and asks LiveKit only when a call is open', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const ringline = testRingline()
    try {
      await ringline.store.migrate()
      await vi.advanceTimersByTimeAsync(60_000)
      await new Promise((r) => setTimeout(r, 300))
      // Nothing open: the pass was one query, no LiveKit request.
      expect(reconcileRuns(ringline)).toBe(0)
      await openCall(ringline)
      await vi.advanceTimersByTimeAsync(60_000)
      await vi.waitFor(() => expect(reconcileRuns(ringline)).toBe(1), { timeout: 10_000 })
    } finally {
      await ringline.close()
    }
  })

  it('is off with reconcileIntervalSeconds: 0', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const ringline = testRingline({ reconcileIntervalSeconds: 0 })
    try {
      await ringline.store.migrate()
      await openCall(ringline)
      await vi.advanceTimersByTimeAsync(5 * 60_000)
      await new Promise((r) => setTimeout(r, 200))
      expect(reconcileRuns(ringline)).toBe(0)
    } finally {
      await ringline.close()
    }
  })

  it('finds open calls through the partial index ringline_calls_open', async () => {
    const ringline = testRingline()
    try {
      await ringline.store.migrate()
      const plan = await ringline.store.transaction(async (tx) => {
        // Tiny test tables make a sequential scan cheapest; what matters is that the index serves the query.
        await tx.query('SET LOCAL enable_seqscan = off')
        const { rows } = await tx.query<{ 'QUERY PLAN': string }>(
          "EXPLAIN SELECT * FROM ringline_calls WHERE ended_at IS NULL AND started_at < now() - interval '60 seconds' ORDER BY started_at ASC LIMIT 500",
        )
        return rows.map((r) => r['QUERY PLAN']).join('\n')
      })
      expect(plan).toMatch(/Index Scan using ringline_calls_open/)
    } finally {
      await ringline.close()
    }
  })
})
