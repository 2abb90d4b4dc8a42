import type {
  CallConsult,
  CallDirection,
  CallEndReason,
  CallRecord,
  CallStatus,
  CallTransferInfo,
} from '@ringline/core/protocol'
import type { RecordingState } from '../recording/types'
import { iso, isoOrNull, json } from '../sql/rows'

/** A row of `ringline_calls` as the drivers return it. */
export interface CallRow {
  id: string
  tenant_id: string
  direction: CallDirection
  status: CallStatus
  room_name: string
  from_number: string | null
  to_number: string | null
  contact_id: string | null
  created_by: string | null
  answered_by: string | null
  sip_call_id: string | null
  sip_status_code: number | null
  started_at: Date | string
  answered_at: Date | string | null
  ended_at: Date | string | null
  duration_seconds: number | null
  end_reason: CallEndReason | null
  recording_url: string | null
  metadata: Record<string, unknown> | string | null
  /** Set while a recording runs (read by the recording store). */
  egress_id?: string | null
}

/** Server-only fields kept in `metadata` and never sent to browsers. */
export interface CallInternals {
  sipIdentity?: string
  ringUsers?: string[]
  declinedBy?: string[]
  number?: string
  /** The call's phone leg was placed into a room of the app's own (`POST /calls` with `room`): never delete it. */
  sharedRoom?: boolean
  /** The LiveKit room instance (room sid) this call lives in, once a webhook named it. */
  roomSid?: string
  /** Rung as its room started, before the caller's leg joined (`sipIdentity` is LiveKit's, predicted until then). */
  legPending?: boolean
  [key: string]: unknown
}

/** A call record plus its server-only internals. */
export interface StoredCall extends CallRecord {
  internals: CallInternals
  /** Recording state kept by the recording service (never sent to browsers). */
  recording: RecordingState | null
}

/** The one mapper of a `ringline_calls` row: public record, server-only internals and recording state. */
export function callFromRow(row: CallRow): StoredCall {
  const metadata = (json(row.metadata) ?? {}) as Record<string, unknown>
  // `recording` is the recording service's state (object key, egress id): server-only, like internals.
  // `transfer`, `consult` and `roomKind` are fields of the record of their own (kept in metadata: no column).
  const {
    internals = {},
    recording = null,
    transfer = null,
    consult = null,
    roomKind = null,
    ...publicMetadata
  } = metadata as {
    roomKind?: string | null
    internals?: CallInternals
    recording?: RecordingState | null
    transfer?: CallTransferInfo | null
    consult?: CallConsult | null
  }
  return {
    id: row.id,
    tenantId: row.tenant_id,
    direction: row.direction,
    status: row.status,
    roomName: row.room_name,
    fromNumber: row.from_number,
    toNumber: row.to_number,
    contactId: row.contact_id,
    createdBy: row.created_by,
    answeredBy: row.answered_by,
    sipCallId: row.sip_call_id,
    sipStatusCode: row.sip_status_code,
    startedAt: iso(row.started_at),
    answeredAt: isoOrNull(row.answered_at),
    endedAt: isoOrNull(row.ended_at),
    durationSeconds: row.duration_seconds,
    endReason: row.end_reason,
    recordingUrl: row.recording_url,
    ...(transfer ? { transfer } : {}),
    ...(consult ? { consult } : {}),
    ...(typeof roomKind === 'string' ? { roomKind } : {}),
    metadata: Object.keys(publicMetadata).length > 0 ? publicMetadata : null,
    internals,
    recording,
  }
}

/**
 * A call row read as one JSON value (`SELECT to_jsonb(c) ...`, which keeps a prepared statement's result type
 * when a migration adds a column) → the stored call; null for SQL NULL (no such call). Drivers give `jsonb` parsed
 * (node-postgres, PGlite) or as its text; timestamps inside it are ISO strings, which `callFromRow` takes.
 */
export function callFromJson(value: CallRow | string | null | undefined): StoredCall | null {
  if (value === null || value === undefined) return null
  return callFromRow(json<CallRow>(value))
}

/** Where a call's recording plays: the `GET /calls/:id/recording` route under `basePath` (never the object key). */
export function recordingRoute(callId: string, basePath = ''): string {
  return `${basePath}/calls/${encodeURIComponent(callId)}/recording`
}

/** The wire form of a stored call: internals stripped, `recordingUrl` pointing at the playback route. */
export function publicCall(call: StoredCall, basePath?: string): CallRecord {
  const { internals: _internals, recording: _recording, ...record } = call
  return record.recordingUrl ? { ...record, recordingUrl: recordingRoute(call.id, basePath) } : record
}
