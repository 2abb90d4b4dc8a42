import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addSessionFact, type ParticipantSessions, presenceOf, type SessionFact } from './presence'

const at = (s: number) => new Date(Date.UTC(2026, 11, 5, 12, 0, s)).toISOString()
const apply = (facts: SessionFact[]) => facts.reduce<ParticipantSessions>(addSessionFact, {})

describe('participant presence', () => {
  it.each([
    ['joined', [{ sid: 'PA_1', type: 'joined', at: at(1) }], true],
    [
      'joined then left',
      [
        { sid: 'PA_1', type: 'joined', at: at(1) },
        { sid: 'PA_1', type: 'left', at: at(5) },
      ],
      false,
    ],
    [
      'left then joined (reordered)',
      [
        { sid: 'PA_1', type: 'left', at: at(5) },
        { sid: 'PA_1', type: 'joined', at: at(1) },
      ],
      false,
    ],
    [
      'reconnected: old session left after the new one joined',
      [
        { sid: 'PA_2', type: 'joined', at: at(5) },
        { sid: 'PA_1', type: 'joined', at: at(1) },
        { sid: 'PA_1', type: 'left', at: at(5) },
      ],
      true,
    ],
    ['only a leave', [{ sid: 'PA_1', type: 'left', at: at(5) }], false],
  ] as const)('%s → present %s', (_name, facts, present) => {
    expect(presenceOf(apply([...facts])).present).toBe(present)
  })

  it('is the same for every order and duplication of the same facts', () => {
    const fact = fc.record({
      sid: fc.constantFrom('PA_1', 'PA_2', 'PA_3'),
      type: fc.constantFrom('joined' as const, 'left' as const),
      at: fc.integer({ min: 0, max: 59 }).map(at),
    })
    fc.assert(
      fc.property(
        fc.array(fact, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.func(fc.integer()),
        (facts, dupes, key) => {
          const withDupes = [
            ...facts,
            ...dupes.flatMap((i) => (facts.length ? [facts[i % facts.length]!] : [])),
          ]
          const shuffled = withDupes
            .map((f, i) => ({ f, k: key(i) }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.f)
          expect(presenceOf(apply(shuffled))).toEqual(presenceOf(apply(facts)))
        },
      ),
      { numRuns: 10_000 },
    )
  })
})
