// Call transcripts: a hidden room participant stores LiveKit transcription segments.
export type { TranscriptStore } from './sqlTranscriptStore'
export { sqlTranscriptStore } from './sqlTranscriptStore'
export type { TranscriptCollector, TranscriptCollectorOptions } from './transcriptCollector'
export { loadRtcNode, startTranscriptCollector } from './transcriptCollector'
export type {
  TranscriptionService,
  TranscriptionServiceDeps,
  TranscriptsOptions,
} from './transcriptionService'
export { createTranscriptionService } from './transcriptionService'
export type { LegacyTranscriptionSegment, SpeakerInfo, TranscriptionStreamInfo } from './transcriptSegments'
export {
  mergeTranscript,
  segmentFromTextStream,
  segmentsFromLegacy,
  speakerKindOf,
} from './transcriptSegments'
