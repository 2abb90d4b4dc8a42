import { TRANSCRIPTION_ATTRIBUTES } from './constants'
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
 * A segment from one `lk.transcription` text stream: id from `lk.segment_id` (else the stream id), final from
 * `lk.transcription_final`; null for empty text.
 */
export function transcriptSegmentFromStream(
  info: { id: string; timestamp: number; attributes?: Record<string, string> },
  text: string,
  speaker: TranscriptSpeaker,
): TranscriptSegment | null {
  const trimmed = text.trim()
  if (trimmed === '') return null
  const attributes = info.attributes ?? {}
  return {
    id: attributes[TRANSCRIPTION_ATTRIBUTES.segmentId] || info.id,
    at: new Date(info.timestamp > 0 ? info.timestamp : Date.now()).toISOString(),
    speaker: speaker.name || speaker.identity,
    speakerIdentity: speaker.identity,
    speakerKind: speaker.kind,
    text: trimmed,
    final: attributes[TRANSCRIPTION_ATTRIBUTES.final] === 'true',
    trackId: attributes[TRANSCRIPTION_ATTRIBUTES.trackId] || null,
    language: null,
  }
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

/** Segments from a legacy `TranscriptionReceived(segments, participant, publication)` event. */
export function transcriptSegmentsFromLegacy(
  segments: readonly LegacyTranscriptionSegment[],
  speaker: TranscriptSpeaker,
  trackId: string | null,
  receivedAt: Date = new Date(),
): TranscriptSegment[] {
  return segments
    .filter((s) => s.text.trim() !== '')
    .map((s) => ({
      id: s.id,
      at: new Date(
        s.firstReceivedTime && s.firstReceivedTime > 0 ? s.firstReceivedTime : receivedAt.getTime(),
      ).toISOString(),
      speaker: speaker.name || speaker.identity,
      speakerIdentity: speaker.identity,
      speakerKind: speaker.kind,
      text: s.text.trim(),
      final: s.final,
      trackId,
      language: s.language || null,
    }))
}
