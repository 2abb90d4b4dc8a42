import type { Queryable } from '../sql/types'
import type { RecordingCall, RecordingState, RecordingStore } from './types'

interface Row {
  id: string
  tenant_id: string
  direction: RecordingCall['direction']
  status: RecordingCall['status']
  room_name: string
  from_number: string | null
  to_number: string | null
  ended_at: Date | string | null
  recording_url: string | null
  egress_id: string | null
  recording: RecordingState | string | null
}

const COLUMNS = `id, tenant_id, direction, status, room_name, from_number, to_number, ended_at, recording_url, egress_id,
  metadata -> 'recording' AS recording`

function iso(value: Date | string | null): string | null {
  if (value === null) return null
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString()
}

function toCall(row: Row): RecordingCall {
  const recording =
    typeof row.recording === 'string' ? (JSON.parse(row.recording) as RecordingState) : row.recording
  return {
    id: row.id,
    tenantId: row.tenant_id,
    direction: row.direction,
    status: row.status,
    roomName: row.room_name,
    fromNumber: row.from_number,
    toNumber: row.to_number,
    endedAt: iso(row.ended_at),
    recordingUrl: row.recording_url,
    egressId: row.egress_id,
    recording: recording ?? null,
  }
}

/**
 * `RecordingStore` on the `ringline_calls` table of DESIGN §5: `egress_id`, `recording_url` (the object key) and
 * `metadata.recording` (status, sizes, error). Works on PGlite and PostgreSQL, inside or outside a transaction.
 */
export function sqlRecordingStore(db: Queryable): RecordingStore {
  return {
    async getCall(callId) {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM ringline_calls WHERE id = $1`, [callId])
      return rows[0] ? toCall(rows[0]) : null
    },

    async findCallForEgress(egressId, roomName) {
      const byId = await db.query<Row>(
        `SELECT ${COLUMNS} FROM ringline_calls
         WHERE egress_id = $1 OR metadata -> 'recording' ->> 'egressId' = $1
         ORDER BY started_at DESC LIMIT 1`,
        [egressId],
      )
      if (byId.rows[0]) return toCall(byId.rows[0])
      if (!roomName) return null
      // egress_started may arrive before startRoomCompositeEgress has returned the id to us.
      const byRoom = await db.query<Row>(
        `SELECT ${COLUMNS} FROM ringline_calls
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
