// A participant's sessions as the webhooks' facts leave them: LiveKit's facts merge in SQL (one upsert), the joins
// Ringline records itself in JS; any mix of both must leave the row `presence.ts` says, on PGlite and PostgreSQL.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertCall } from '../src/calls/callRepository'
import {
  type ParticipantRow,
  recordParticipantFact,
  upsertParticipant,
} from '../src/calls/participantRepository'
import { addSessionFact, type ParticipantSessions, presenceOf, type SessionFact } from '../src/calls/presence'
import { isoOrNull, json } from '../src/sql/rows'
import type { RinglineStore } from '../src/sql/types'
import { STORE_KINDS } from './helpers'

const REQUESTED = 'requested:'
const KINDS = ['user', 'sip', 'agent', 'other'] as const

/** One fact with the row fields it comes with: a LiveKit join/leave, or a join Ringline records (`requested`). */
type Step = {
  requested: boolean
  sid: string
  type: SessionFact['type']
  at: string
  kind: (typeof KINDS)[number]
  name: string | null
  userId: string | null
}

const step: fc.Arbitrary<Step> = fc.record({
  requested: fc.boolean(),
  sid: fc.constantFrom('PA_1', 'PA_2', 'PA_3'),
  type: fc.constantFrom('joined' as const, 'left' as const),
  // Few distinct seconds, so that times tie as LiveKit's whole seconds do.
  at: fc.integer({ min: 0, max: 4 }).map((k) => new Date(1_750_000_000_000 + k * 1000).toISOString()),
  kind: fc.constantFrom(...KINDS),
  name: fc.constantFrom(null, 'Ann', 'Bea'),
  userId: fc.constantFrom(null, 'u1', 'u2'),
})

/** What the row must hold after `steps`, by `presence.ts` and the rules of `recordParticipantFact`. */
function model(steps: Step[]) {
  let sessions: ParticipantSessions = {}
  let row: { kind: string; name: string | null; userId: string | null; leftAt: string | null } | undefined
  let present = false
  for (const s of steps) {
    const fact: SessionFact = s.requested
      ? { sid: `${REQUESTED}${s.at}`, type: 'joined', at: s.at }
      : { sid: s.sid, type: s.type, at: s.at }
    const openRequest = Object.entries(sessions).some(
      ([sid, x]) => sid.startsWith(REQUESTED) && x.joinedAt !== undefined && x.leftAt === undefined,
    )
    if (!(s.requested && openRequest)) {
      // A LiveKit fact ends the joins Ringline recorded that are still open.
      if (!s.requested)
        for (const [sid, x] of Object.entries(sessions))
          if (sid.startsWith(REQUESTED) && x.leftAt === undefined)
            sessions = addSessionFact(sessions, { sid, type: 'left', at: fact.at })
      sessions = addSessionFact(sessions, fact)
    }
    const presence = presenceOf(sessions)
    present = presence.present
    row = {
      kind: !row || fact.type === 'joined' || row.kind === 'other' ? s.kind : row.kind,
      name: s.name ?? row?.name ?? null,
      userId: s.userId ?? row?.userId ?? null,
      leftAt: presence.present ? null : (presence.leftAt ?? fact.at),
    }
  }
  return { sessions, present, joinedAt: presenceOf(sessions).joinedAt, ...row }
}

describe.each(STORE_KINDS)('participant facts on %s', (_kind, make) => {
  let store: RinglineStore
  let callId: string
  beforeAll(async () => {
    store = await make()
    const call = await insertCall(store, {
      id: crypto.randomUUID(),
      tenantId: 'acme',
      direction: 'internal',
      status: 'in-progress',
      roomName: 'int-acme-facts',
    })
    callId = call!.id
  })
  afterAll(() => store.close())

  let n = 0
  it('any mix of LiveKit facts and recorded joins leaves the sessions, presence and fields presence.ts gives', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 7 }), async (steps) => {
        const identity = `acme:p${++n}`
        let present: boolean | undefined
        for (const s of steps) {
          const row: ParticipantRow = { callId, identity, kind: s.kind, name: s.name, userId: s.userId }
          if (s.requested) await upsertParticipant(store, { ...row, joinedAt: new Date(s.at) })
          else present = await recordParticipantFact(store, row, { sid: s.sid, type: s.type, at: s.at })
        }
        const want = model(steps)
        const { rows } = await store.query<{
          sessions: ParticipantSessions | string
          kind: string
          name: string | null
          user_id: string | null
          joined_at: Date | string | null
          left_at: Date | string | null
        }>(
          'SELECT sessions, kind, name, user_id, joined_at, left_at FROM ringline_call_participants WHERE call_id = $1 AND identity = $2',
          [callId, identity],
        )
        const got = rows[0]!
        expect(json(got.sessions)).toEqual(want.sessions)
        expect({
          kind: got.kind,
          name: got.name,
          userId: got.user_id,
          joinedAt: isoOrNull(got.joined_at),
          leftAt: isoOrNull(got.left_at),
        }).toEqual({
          kind: want.kind,
          name: want.name,
          userId: want.userId,
          joinedAt: want.joinedAt,
          leftAt: want.leftAt,
        })
        if (!steps.at(-1)!.requested) expect(present).toBe(want.present)
      }),
      { numRuns: 150, seed: 17 },
    )
  }, 120_000)
})
