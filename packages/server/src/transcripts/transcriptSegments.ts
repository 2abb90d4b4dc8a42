import {
  type SpeakerKind,
  type TranscriptSegment,
  type TranscriptSpeaker,
  transcriptSegmentFromStream,
} from '@ringline/core/protocol'

/** Who a participant is, as far as transcripts care. */
export type SpeakerInfo = TranscriptSpeaker

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
  return transcriptSegmentFromStream({ ...info, id: info.streamId }, text, speaker)
}

/** A legacy `RoomEvent.TranscriptionReceived` segment (the type shared with the browser client). */
export type { LegacyTranscriptionSegment } from '@ringline/core/protocol'
/** Segments from a legacy `TranscriptionReceived(segments, participant, publication)` event. */
/** Merges incoming segments into a transcript (the same function the browser client uses). */
export { mergeTranscript, transcriptSegmentsFromLegacy as segmentsFromLegacy } from '@ringline/core/protocol'
