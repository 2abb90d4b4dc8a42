import { type SpeakerKind, TRANSCRIPTION_ATTRIBUTES, type TranscriptSegment } from '@ringline/core/protocol'

/** Who a participant is, as far as transcripts care. */
export interface SpeakerInfo {
  identity: string
  name: string | null
  kind: SpeakerKind
}

/** The part of a received text stream a segment is built from (`TextStreamInfo` of `@livekit/rtc-node`). */
export interface TranscriptionStreamInfo {
  streamId: string
  /** Creation time at the sender, in ms since the epoch. */
  timestamp: number
  attributes?: Record<string, string>
}

/** Maps a LiveKit participant kind (`ParticipantKind`: 0 standard, 1 ingress, 2 egress, 3 SIP, 4 agent) to a speaker kind. */
export function speakerKindOf(kind: number | undefined): SpeakerKind {
  switch (kind) {
    case 0:
      return 'user'
    case 3:
      return 'sip'
    case 4:
      return 'agent'
    default:
      return 'other'
  }
}

/**
 * A segment from one `lk.transcription` text stream: id from `lk.segment_id` (else the stream id), final from
 * `lk.transcription_final`, speaker = owner of `lk.transcribed_track_id` (an agent transcribing a caller publishes
 * for the caller), else the sender. Null for empty text.
 */
export function segmentFromTextStream(
  info: TranscriptionStreamInfo,
  text: string,
  speaker: SpeakerInfo,
): TranscriptSegment | null {
  const trimmed = text.trim()
  if (trimmed === '') return null
  const attributes = info.attributes ?? {}
  return {
    id: attributes[TRANSCRIPTION_ATTRIBUTES.segmentId] || info.streamId,
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
export function segmentsFromLegacy(
  segments: readonly LegacyTranscriptionSegment[],
  speaker: SpeakerInfo,
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

/**
 * Merges incoming segments into a transcript: one entry per segment id (a final version is never replaced by an
 * interim one; a later version otherwise replaces an earlier), ordered by time then arrival. For live views.
 */
export function mergeTranscript(
  current: readonly TranscriptSegment[],
  incoming: readonly TranscriptSegment[],
): TranscriptSegment[] {
  const byId = new Map(current.map((s, i) => [s.id, { segment: s, order: i }] as const))
  let order = current.length
  for (const segment of incoming) {
    const existing = byId.get(segment.id)
    if (existing?.segment.final && !segment.final) continue
    byId.set(segment.id, {
      segment: { ...segment, at: existing?.segment.at ?? segment.at },
      order: existing?.order ?? order++,
    })
  }
  return [...byId.values()]
    .sort((a, b) => a.segment.at.localeCompare(b.segment.at) || a.order - b.order)
    .map((e) => e.segment)
}
