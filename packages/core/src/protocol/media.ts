import { z } from 'zod'

/** Who spoke a segment. */
export const speakerKindSchema = z.enum(['user', 'sip', 'agent', 'other'])
/** Who spoke a segment. */
export type SpeakerKind = z.infer<typeof speakerKindSchema>

/**
 * One transcript segment, speaker-attributed and time-stamped. A superset of the items of `CallDetail.transcript`
 * (`at`, `speaker`, `text`, `final`): `speaker` is the display name (or identity).
 */
export const transcriptSegmentSchema = z.object({
  /** LiveKit segment id (`lk.segment_id`), unique within the call. */
  id: z.string(),
  /** When the segment was spoken (ISO 8601). */
  at: z.string(),
  /** Display name of the speaker, or the identity when it has none. */
  speaker: z.string(),
  speakerIdentity: z.string(),
  speakerKind: speakerKindSchema,
  text: z.string(),
  /** False for interim results, which later segments with the same id replace. */
  final: z.boolean(),
  trackId: z.string().nullable().optional(),
  language: z.string().nullable().optional(),
})
/** One transcript segment. */
export type TranscriptSegment = z.infer<typeof transcriptSegmentSchema>

/** `GET /calls/:id/transcript` response: final segments in speaking order. */
export const callTranscriptResponseSchema = z.object({ segments: z.array(transcriptSegmentSchema) })
/** `GET /calls/:id/transcript` response. */
export type CallTranscriptResponse = z.infer<typeof callTranscriptResponseSchema>

/** Where a call recording is in its life. */
export const recordingStatusSchema = z.enum(['starting', 'active', 'stopping', 'completed', 'failed'])
/** Where a call recording is in its life. */
export type RecordingStatus = z.infer<typeof recordingStatusSchema>

/** A call recording as the API returns it (never a storage URL: play it through `GET /calls/:id/recording`). */
export const recordingInfoSchema = z.object({
  status: recordingStatusSchema,
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationSeconds: z.number().nullable(),
  sizeBytes: z.number().int().nullable(),
  error: z.string().nullable(),
})
/** A call recording as the API returns it. */
export type RecordingInfo = z.infer<typeof recordingInfoSchema>

/** `POST /calls/:id/recording` and `DELETE /calls/:id/recording` response. */
export const recordingResponseSchema = z.object({ recording: recordingInfoSchema })
/** `POST` / `DELETE /calls/:id/recording` response. */
export type RecordingResponse = z.infer<typeof recordingResponseSchema>

/** `GET /calls/:id/recording?format=json` response: a signed link that expires. */
export const recordingPlaybackSchema = z.object({
  url: z.string(),
  expiresAt: z.string(),
  contentType: z.string(),
})
/** A signed, expiring playback link. */
export type RecordingPlayback = z.infer<typeof recordingPlaybackSchema>

/** An agent dispatched to a call. */
export const agentDispatchSchema = z.object({
  agentName: z.string(),
  state: z.enum(['pending', 'dispatched', 'failed']),
  dispatchId: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
})
/** An agent dispatched to a call. */
export type AgentDispatchInfo = z.infer<typeof agentDispatchSchema>

/** `POST /calls/:id/agent` response. */
export const dispatchAgentResponseSchema = z.object({ dispatch: agentDispatchSchema, created: z.boolean() })
/** `POST /calls/:id/agent` response. */
export type DispatchAgentResponse = z.infer<typeof dispatchAgentResponseSchema>
