// Model-based check that call records do not depend on the order LiveKit's webhooks arrive in: realistic event
// streams of each kind of call (outbound, inbound answered, inbound missed, team rooms open and ended) are
// delivered on random schedules — duplicates (LiveKit's retries), delays up to 30 s, so reorders within that
// window — and the final record, the participants' presence and what a client was told must equal the model.
// Two levels: the pure presence fold at scale (RINGLINE_ORDER_PURE_RUNS, default 10,000), and the whole webhook
// handler on in-memory PGlite (RINGLINE_ORDER_RUNS per kind, default 60). The two-instance run on PostgreSQL is
// webhookOrder.postgres.test.ts. Fixed seed: RINGLINE_ORDER_SEED.
import type { RinglineEvent } from '@ringline/core/protocol'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addSessionFact, type ParticipantSessions, presenceOf, type SessionFact } from '../src/calls/presence'
import { testRingline, USERS } from './helpers'
import {
  actual,
  checkSeen,
  deliver,
  KINDS,
  MAX_DELAY_MS,
  SEED,
  scenario,
  schedule,
  timing,
} from './webhookModel'

const PURE_RUNS = Number(process.env.RINGLINE_ORDER_PURE_RUNS) || 10_000
const RUNS = Number(process.env.RINGLINE_ORDER_RUNS) || 60

describe('presence is a function of the set of join/leave events (pure fold, at scale)', () => {
  // Realistic sessions of one participant: each joins, most leave, some reconnect; LiveKit's times in seconds.
  const sessions = fc.array(
    fc.record({ join: fc.integer({ min: 0, max: 600 }), stay: fc.option(fc.integer({ min: 0, max: 600 })) }),
    { minLength: 1, maxLength: 4 },
  )
  const iso = (s: number) => new Date((1_800_000_000 + s) * 1000).toISOString()

  it(`${PURE_RUNS} schedules: duplicates and reorders within ${MAX_DELAY_MS / 1000} s give the model's presence`, () => {
    const started = Date.now()
    fc.assert(
      fc.property(
        sessions.chain((ss) => {
          const facts: Array<SessionFact & { t: number }> = ss.flatMap((s, i) => [
            { sid: `PA_${i}`, type: 'joined' as const, at: iso(s.join), t: s.join },
            ...(s.stay === null
              ? []
              : [{ sid: `PA_${i}`, type: 'left' as const, at: iso(s.join + s.stay), t: s.join + s.stay }]),
          ])
          const delay = fc.integer({ min: 0, max: MAX_DELAY_MS })
          return fc.record({
            ss: fc.constant(ss),
            facts: fc.constant(facts),
            first: fc.array(delay, { minLength: facts.length, maxLength: facts.length }),
            retries: fc.array(fc.tuple(fc.nat({ max: facts.length - 1 }), delay), {
              maxLength: facts.length,
            }),
          })
        }),
        ({ ss, facts, first, retries }) => {
          const order = [
            ...first.map((d, i) => ({ i, time: facts[i]!.t * 1000 + d })),
            ...retries.map(([i, d]) => ({ i, time: facts[i]!.t * 1000 + d })),
          ].sort((a, b) => a.time - b.time || a.i - b.i)
          let state: ParticipantSessions = {}
          for (const { i } of order) state = addSessionFact(state, facts[i]!)
          // The model: present while a session has joined and not left; first join; last leave when gone.
          const present = ss.some((s) => s.stay === null)
          const result = presenceOf(state)
          expect(result.present).toBe(present)
          expect(result.joinedAt).toBe(iso(Math.min(...ss.map((s) => s.join))))
          expect(result.leftAt).toBe(present ? null : iso(Math.max(...ss.map((s) => s.join + (s.stay ?? 0)))))
        },
      ),
      { numRuns: PURE_RUNS, seed: SEED },
    )
    // Cheap by design: the 10k must fit in CI on 2 shared cores.
    expect(Date.now() - started).toBeLessThan(60_000)
  })
})

describe('webhook order does not change the call record (whole handler, PGlite)', () => {
  const ringline = testRingline()
  const seen: RinglineEvent[] = []
  beforeAll(async () => {
    await ringline.store.migrate()
    ringline.api.subscribe(USERS.alice!, (e) => seen.push(e))
  })
  afterAll(() => ringline.close())
  let runs = 0

  for (const kind of KINDS) {
    it(`${kind}: ${RUNS} schedules give the model's record and client events`, async () => {
      await fc.assert(
        fc.asyncProperty(
          // The stream's shape and times depend on the timing only; its names are fresh on every run (fast-check
          // replays values while shrinking), so the schedule is drawn for a template of the stream.
          timing.chain((t) => fc.tuple(fc.constant(t), schedule(scenario(kind, 'template', t).hooks))),
          async ([t, deliveries]) => {
            const fresh = scenario(kind, `${kind.replace('-', '')}${++runs}`, t)
            await fresh.setup?.(ringline)
            const from = seen.length
            for (const d of deliveries) await deliver(ringline, fresh.hooks[d.hook]!)
            const records = await actual(ringline, fresh.expected.room)
            expect(records).toEqual([fresh.expected])
            const ids = (
              await ringline.store.query<{ id: string }>(
                'SELECT id FROM ringline_calls WHERE room_name = $1',
                [fresh.expected.room],
              )
            ).rows.map((r) => r.id)
            checkSeen(fresh, seen.slice(from), ids)
            if (!fresh.expected.ended)
              await ringline.api.leaveRoom(USERS.alice!, fresh.expected.room.slice(9)).catch(() => undefined)
          },
        ),
        { numRuns: RUNS, seed: SEED },
      )
    })
  }
})
