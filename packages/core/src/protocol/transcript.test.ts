import { describe, expect, it } from 'vitest'
import { transcriptSegmentsFromLegacy } from './transcriptSegments'

describe('transcriptSegmentsFromLegacy', () => {
  it('keeps interim and final segments as sent, trims text, drops empty ones, dates them', () => {
    const speaker = { identity: 'acme:bob', name: 'Bob', kind: 'user' as const }
    const segments = transcriptSegmentsFromLegacy(
      [
        { id: 's1', text: ' Hello ', final: false, firstReceivedTime: Date.UTC(2026, 0, 1) },
        { id: 's2', text: '   ', final: true },
        { id: 's3', text: 'Bye', final: true, language: 'en' },
      ],
      speaker,
      'TR_1',
      new Date(Date.UTC(2026, 0, 2)),
    )
    expect(segments).toEqual([
      {
        id: 's1',
        at: '2026-01-01T00:00:00.000Z',
        speaker: 'Bob',
        speakerIdentity: 'acme:bob',
        speakerKind: 'user',
        text: 'Hello',
        final: false,
        trackId: 'TR_1',
        language: null,
      },
      {
        id: 's3',
        at: '2026-01-02T00:00:00.000Z',
        speaker: 'Bob',
        speakerIdentity: 'acme:bob',
        speakerKind: 'user',
        text: 'Bye',
        final: true,
        trackId: 'TR_1',
        language: 'en',
      },
    ])
  })
})
