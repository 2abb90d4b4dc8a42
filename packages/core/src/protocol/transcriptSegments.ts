// Transcript segments from what LiveKit delivers (text streams, the legacy event): used by the browser's LiveKit
// session (loaded with it, on the first call) and by the server's collector. Kept apart from transcript.ts, which
// the call state needs at once, so pages carry this only with the session.
import { TRANSCRIPTION_ATTRIBUTES } from './constants'
import type { TranscriptSegment } from './media'
import type { LegacyTranscriptionSegment, TranscriptSpeaker } from './transcript'

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
