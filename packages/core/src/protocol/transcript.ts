import type { SpeakerKind, TranscriptSegment } from './media'

// Pure transcript helpers shared by the browser client and the server's collector, so both build and merge
// segments the same way.

/** Who spoke, as far as a transcript line cares. */
export interface TranscriptSpeaker {
  identity: string
  name: string | null
  kind: SpeakerKind
}

/**
 * Merges incoming segments into a live transcript: one entry per segment id (a final version is never replaced by
 * an interim one), ordered by time then arrival; returns `current` itself when nothing changed.
 */
export function mergeTranscript(
  current: readonly TranscriptSegment[],
  incoming: readonly TranscriptSegment[],
): readonly TranscriptSegment[] {
  const byId = new Map(current.map((s, i) => [s.id, { segment: s, order: i }] as const))
  let order = current.length
  let changed = false
  for (const segment of incoming) {
    const existing = byId.get(segment.id)
    if (existing?.segment.final && !segment.final) continue
    if (existing && existing.segment.text === segment.text && existing.segment.final === segment.final)
      continue
    changed = true
    byId.set(segment.id, {
      segment: { ...segment, at: existing?.segment.at ?? segment.at },
      order: existing?.order ?? order++,
    })
  }
  if (!changed) return current
  return [...byId.values()]
    .sort((a, b) => a.segment.at.localeCompare(b.segment.at) || a.order - b.order)
    .map((e) => e.segment)
}

/** A legacy `RoomEvent.TranscriptionReceived` segment (livekit-client's `TranscriptionSegment`). */
export interface LegacyTranscriptionSegment {
  id: string
  text: string
  final: boolean
  language?: string
  /** livekit-client: when this client first saw the segment (ms since epoch). */
  firstReceivedTime?: number
  startTime?: number | bigint
}
