import type { TranscriptSegment } from '@ringline/core/protocol'
import { iso } from '../sql/rows'
import type { Queryable } from '../sql/types'

/** Where final transcript segments go; `sqlTranscriptStore(db)` implements it on `ringline_transcript_segments`. */
export interface TranscriptStore {
  /** Stores final segments; a segment id already stored for the call is skipped. Returns how many were new. */
  appendSegments(callId: string, segments: readonly TranscriptSegment[]): Promise<number>
  /** The call's segments in speaking order. */
  listSegments(callId: string): Promise<TranscriptSegment[]>
}

interface Row {
  segment_id: string
  speaker_identity: string
  speaker_name: string | null
  speaker_kind: TranscriptSegment['speakerKind']
  track_id: string | null
  text: string
  language: string | null
  spoken_at: Date | string
}

/** `TranscriptStore` on the `ringline_transcript_segments` table of the proposed 0002 migration. */
export function sqlTranscriptStore(db: Queryable): TranscriptStore {
  return {
    async appendSegments(callId, segments) {
      let added = 0
      for (const s of segments) {
        if (!s.final) continue
        const { rowCount } = await db.query(
          `INSERT INTO ringline_transcript_segments
             (call_id, segment_id, speaker_identity, speaker_name, speaker_kind, track_id, text, language, spoken_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (call_id, segment_id) DO NOTHING`,
          [
            callId,
            s.id,
            s.speakerIdentity,
            s.speaker === s.speakerIdentity ? null : s.speaker,
            s.speakerKind,
            s.trackId ?? null,
            s.text,
            s.language ?? null,
            s.at,
          ],
        )
        added += rowCount
      }
      return added
    },

    async listSegments(callId) {
      const { rows } = await db.query<Row>(
        `SELECT segment_id, speaker_identity, speaker_name, speaker_kind, track_id, text, language, spoken_at
         FROM ringline_transcript_segments WHERE call_id = $1 ORDER BY spoken_at, seq`,
        [callId],
      )
      return rows.map((r) => ({
        id: r.segment_id,
        at: iso(r.spoken_at),
        speaker: r.speaker_name ?? r.speaker_identity,
        speakerIdentity: r.speaker_identity,
        speakerKind: r.speaker_kind,
        text: r.text,
        final: true,
        trackId: r.track_id,
        language: r.language,
      }))
    },
  }
}
