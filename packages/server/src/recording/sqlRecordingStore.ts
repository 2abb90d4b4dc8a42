import { type CallRow, callFromRow } from '../calls/callRow'
import type { Queryable } from '../sql/types'
import type { RecordingCall, RecordingStore } from './types'

/** A `ringline_calls` row through the one call mapper, narrowed to what the recording service reads. */
function toCall(row: CallRow): RecordingCall {
  const call = callFromRow(row)
  return {
    id: call.id,
    tenantId: call.tenantId,
    direction: call.direction,
    status: call.status,
    roomName: call.roomName,
    fromNumber: call.fromNumber,
    toNumber: call.toNumber,
    endedAt: call.endedAt,
    recordingUrl: row.recording_url,
    egressId: row.egress_id ?? null,
    recording: call.recording,
  }
}

/**
 * `RecordingStore` on the `ringline_calls` table of DESIGN §5: `egress_id`, `recording_url` (the object key) and
 * `metadata.recording` (status, sizes, error). Works on PGlite and PostgreSQL, inside or outside a transaction.
 */
export function sqlRecordingStore(db: Queryable): RecordingStore {
  return {
    async getCall(callId) {
      const { rows } = await db.query<CallRow>(`SELECT * FROM ringline_calls WHERE id = $1`, [callId])
      return rows[0] ? toCall(rows[0]) : null
    },

    async findCallForEgress(egressId, roomName) {
      const byId = await db.query<CallRow>(
        `SELECT * FROM ringline_calls
         WHERE egress_id = $1 OR metadata -> 'recording' ->> 'egressId' = $1
         ORDER BY started_at DESC LIMIT 1`,
        [egressId],
      )
      if (byId.rows[0]) return toCall(byId.rows[0])
      if (!roomName) return null
      // egress_started may arrive before startRoomCompositeEgress has returned the id to us.
      const byRoom = await db.query<CallRow>(
        `SELECT * FROM ringline_calls
         WHERE room_name = $1 AND metadata -> 'recording' ->> 'status' = 'starting'
           AND (metadata -> 'recording' ->> 'egressId') IS NULL
         ORDER BY started_at DESC LIMIT 1`,
        [roomName],
      )
      return byRoom.rows[0] ? toCall(byRoom.rows[0]) : null
    },

    async claimStart(callId, recording, staleBefore) {
      const { rows } = await db.query<{ id: string }>(
        `UPDATE ringline_calls
         SET metadata = jsonb_set(COALESCE(metadata, '{}'::jsonb), '{recording}', $2::jsonb), updated_at = now()
         WHERE id = $1 AND ended_at IS NULL AND (
           metadata -> 'recording' IS NULL
           OR metadata -> 'recording' ->> 'status' IN ('completed', 'failed')
           OR (metadata -> 'recording' ->> 'status' = 'starting'
               AND (metadata -> 'recording' ->> 'egressId') IS NULL
               AND (metadata -> 'recording' ->> 'requestedAt')::timestamptz < $3::timestamptz)
         )
         RETURNING id`,
        [callId, JSON.stringify(recording), staleBefore],
      )
      return rows.length === 1
    },

    async saveRecording(callId, update, guard) {
      const { rowCount } = await db.query(
        `UPDATE ringline_calls
         SET metadata = jsonb_set(COALESCE(metadata, '{}'::jsonb), '{recording}', $2::jsonb),
             egress_id = COALESCE($3, egress_id),
             recording_url = COALESCE($4, recording_url),
             updated_at = now()
         WHERE id = $1 AND metadata -> 'recording' ->> 'objectKey' = $5
           AND metadata -> 'recording' ->> 'status' = $6
           AND COALESCE(metadata -> 'recording' ->> 'egressId', '') = $7`,
        [
          callId,
          JSON.stringify(update.recording),
          update.egressId ?? null,
          update.recordingUrl ?? null,
          guard.objectKey,
          guard.status,
          guard.egressId ?? '',
        ],
      )
      return rowCount > 0
    },
  }
}
