import type {
  CallConsult,
  CallDirection,
  CallStats,
  CallStatus,
  CallTransferInfo,
} from '@ringline/core/protocol'
import { preparable } from '../sql/prepared'
import { date } from '../sql/rows'
import type { EachOptions, Queryable, Transaction } from '../sql/types'
import { type CallInternals, type CallRow, callFromJson, callFromRow, type StoredCall } from './callRow'
import type { CloseCall } from './lifecycle'
import { createdByFact, mergeLivekitFact } from './participantRepository'
import type { SessionFact } from './presence'

/** Fields of a new call. */
export interface NewCall {
  id: string
  tenantId: string
  direction: CallDirection
  status: CallStatus
  roomName: string
  fromNumber?: string | null
  toNumber?: string | null
  contactId?: string | null
  createdBy?: string | null
  answeredBy?: string | null
  answeredAt?: 'now' | null
  sipCallId?: string | null
  internals?: CallInternals
  /** The kind of a browser room (`metadata.roomKind`). */
  roomKind?: string | null
}

/** Inserts a call; returns `null` when an open call already holds the room name. */
export async function insertCall(q: Queryable, call: NewCall): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `INSERT INTO ringline_calls (id, tenant_id, direction, status, room_name, from_number, to_number, contact_id,
       created_by, answered_by, answered_at, sip_call_id, metadata)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $11 THEN now() END, $12, $13::jsonb)
     ON CONFLICT (room_name) WHERE ended_at IS NULL DO NOTHING
     RETURNING *`,
    [
      call.id,
      call.tenantId,
      call.direction,
      call.status,
      call.roomName,
      call.fromNumber ?? null,
      call.toNumber ?? null,
      call.contactId ?? null,
      call.createdBy ?? null,
      call.answeredBy ?? null,
      call.answeredAt === 'now',
      call.sipCallId ?? null,
      JSON.stringify({
        internals: call.internals ?? {},
        ...(call.roomKind ? { roomKind: call.roomKind } : {}),
      }),
    ],
  )
  return rows[0] ? callFromRow(rows[0]) : null
}

/** A call of a tenant by id (`null` for another tenant's call, so ids never leak across tenants). */
export async function getCall(q: Queryable, tenantId: string, id: string): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>('SELECT * FROM ringline_calls WHERE id = $1 AND tenant_id = $2', [
    id,
    tenantId,
  ])
  return rows[0] ? callFromRow(rows[0]) : null
}

/** A call by id whatever its tenant (server-side work only: webhooks, schedulers). */
export async function getCallById(q: Queryable, id: string): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>('SELECT * FROM ringline_calls WHERE id = $1', [id])
  return rows[0] ? callFromRow(rows[0]) : null
}

/** The open call in a LiveKit room, if any. */
export async function getOpenCallByRoom(q: Queryable, roomName: string): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    'SELECT * FROM ringline_calls WHERE room_name = $1 AND ended_at IS NULL',
    [roomName],
  )
  return rows[0] ? callFromRow(rows[0]) : null
}

/** The tenant that first used a room name, if any (room names must never be shared across tenants). */
export async function getRoomOwner(q: Queryable, roomName: string): Promise<string | null> {
  const { rows } = await q.query<{ tenant_id: string }>(
    'SELECT tenant_id FROM ringline_calls WHERE room_name = $1 ORDER BY started_at ASC LIMIT 1',
    [roomName],
  )
  return rows[0]?.tenant_id ?? null
}

/** How an open call closes. */

/** Closes an open call (no-op when it already ended); returns the closed call or `null`. */
export async function closeCall(q: Queryable, id: string, close: CloseCall): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `UPDATE ringline_calls SET status = $2, end_reason = $3, sip_status_code = COALESCE($4, sip_status_code),
       ended_at = now(), updated_at = now(),
       duration_seconds = CASE WHEN answered_at IS NULL THEN 0
         ELSE GREATEST(0, EXTRACT(EPOCH FROM (now() - answered_at)))::int END
     WHERE id = $1 AND ended_at IS NULL RETURNING *`,
    [id, close.status, close.endReason, close.sipStatusCode ?? null],
  )
  if (rows[0]) {
    await q.query(
      'UPDATE ringline_call_participants SET left_at = now() WHERE call_id = $1 AND left_at IS NULL',
      [id],
    )
  }
  return rows[0] ? callFromRow(rows[0]) : null
}

/**
 * The call as stored now, after an attempt to close it: the closed call, or, when something else closed it first (a
 * `room_finished` webhook racing a hang-up), the record as that left it, never the stale open copy.
 */
export async function afterClose(
  q: Queryable,
  before: StoredCall,
  closed: StoredCall | null,
): Promise<StoredCall> {
  return closed ?? (await getCallById(q, before.id)) ?? before
}

/** Marks an outbound call answered when it is still dialing; returns it or `null`. */
export async function markAnswered(
  q: Queryable,
  id: string,
  fields: { sipCallId?: string | null } = {},
): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `UPDATE ringline_calls SET status = 'in-progress', answered_at = now(), updated_at = now(),
       sip_call_id = COALESCE($2, sip_call_id)
     WHERE id = $1 AND status IN ('initiated', 'ringing') AND ended_at IS NULL RETURNING *`,
    [id, fields.sipCallId ?? null],
  )
  return rows[0] ? callFromRow(rows[0]) : null
}

/** The atomic claim of a ringing inbound call: exactly one caller gets the row back. */
export async function claimCall(
  q: Queryable,
  tenantId: string,
  id: string,
  userId: string,
): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `UPDATE ringline_calls SET status = 'in-progress', answered_by = $3, answered_at = now(), updated_at = now()
     WHERE id = $1 AND tenant_id = $2 AND direction = 'inbound' AND status = 'ringing' AND ended_at IS NULL
     RETURNING *`,
    [id, tenantId, userId],
  )
  return rows[0] ? callFromRow(rows[0]) : null
}

/**
 * Hands a claimed inbound call back to ringing: only `userId`'s claim of the answer at `answeredAt` (a later claim,
 * even by the same user, is kept). Returns the ringing call, or `null` when that claim is no longer the call's.
 */
export async function releaseClaim(
  q: Queryable,
  id: string,
  userId: string,
  answeredAt: string,
): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `UPDATE ringline_calls SET status = 'ringing', answered_by = NULL, answered_at = NULL, updated_at = now()
     WHERE id = $1 AND direction = 'inbound' AND status = 'in-progress' AND ended_at IS NULL
       AND answered_by = $2 AND abs(extract(epoch FROM answered_at - $3::timestamptz)) < 0.002
     RETURNING *`,
    [id, userId, answeredAt],
  )
  return rows[0] ? callFromRow(rows[0]) : null
}

/** Merges fields into a call's internals. */
export async function updateInternals(
  q: Queryable,
  id: string,
  patch: CallInternals,
): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `UPDATE ringline_calls SET metadata = jsonb_set(metadata, '{internals}',
       COALESCE(metadata->'internals', '{}'::jsonb) || $2::jsonb), updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, JSON.stringify(patch)],
  )
  return rows[0] ? callFromRow(rows[0]) : null
}

/**
 * Fills in the phone leg of an inbound call rung before its caller joined the room (see `onRoomStarted`): the SIP
 * call id and the caller's number as the join names them, and the leg's identity.
 */
export async function setInboundLeg(
  q: Queryable,
  id: string,
  leg: { sipIdentity: string; sipCallId: string | null; fromNumber: string | null },
): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `UPDATE ringline_calls SET sip_call_id = COALESCE($3, sip_call_id), from_number = COALESCE($4, from_number),
       metadata = jsonb_set(metadata, '{internals}', (COALESCE(metadata->'internals', '{}'::jsonb) - 'legPending')
         || jsonb_build_object('sipIdentity', $2::text)), updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, leg.sipIdentity, leg.sipCallId, leg.fromNumber],
  )
  return rows[0] ? callFromRow(rows[0]) : null
}

/** Whether any webhook of `roomName` other than `exceptId` has been recorded (delivered before it). */
export async function roomHasOtherWebhooks(
  q: Queryable,
  roomName: string,
  exceptId: string,
): Promise<boolean> {
  const { rows } = await q.query(
    'SELECT 1 FROM ringline_webhook_events WHERE room_name = $1 AND id <> $2 LIMIT 1',
    [roomName, exceptId],
  )
  return rows.length > 0
}

/**
 * Records a completed transfer on a call (`metadata.transfer`). When the phone leg's leave closed the call
 * before a blind transfer was written, its end reason becomes `transferred` (as if written first).
 */
export async function recordTransfer(
  q: Queryable,
  id: string,
  transfer: CallTransferInfo,
): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `UPDATE ringline_calls SET metadata = jsonb_set(metadata, '{transfer}', $2::jsonb),
       end_reason = CASE WHEN $3 AND ended_at IS NOT NULL AND end_reason = 'completed' THEN 'transferred'
         ELSE end_reason END,
       updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, JSON.stringify(transfer), transfer.kind === 'blind'],
  )
  return rows[0] ? callFromRow(rows[0]) : null
}

/** Opens a consult on a connected call that has none; returns the call, or `null` (not connected, or one is open). */
export async function openConsult(
  q: Queryable,
  id: string,
  consult: CallConsult,
): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `UPDATE ringline_calls SET metadata = jsonb_set(metadata, '{consult}', $2::jsonb), updated_at = now()
     WHERE id = $1 AND ended_at IS NULL AND status = 'in-progress'
       AND COALESCE(metadata->'consult', 'null'::jsonb) = 'null'::jsonb
     RETURNING *`,
    [id, JSON.stringify(consult)],
  )
  return rows[0] ? callFromRow(rows[0]) : null
}

/**
 * Moves an open call's consult on, atomically from the state `from` (`any`: either): to `next` (null closes it),
 * optionally handing the call to a new `answeredBy`. Returns the call, or `null` when the consult was not in `from`.
 */
export async function moveConsult(
  q: Queryable,
  id: string,
  from: CallConsult['state'] | 'any',
  next: CallConsult | null,
  answeredBy?: string,
): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `UPDATE ringline_calls SET metadata = jsonb_set(metadata, '{consult}', $3::jsonb),
       answered_by = COALESCE($4, answered_by), updated_at = now()
     WHERE id = $1 AND ended_at IS NULL AND metadata->'consult'->>'state' IS NOT NULL
       AND ($2 = 'any' OR metadata->'consult'->>'state' = $2)
     RETURNING *`,
    [id, from, JSON.stringify(next), answeredBy ?? null],
  )
  return rows[0] ? callFromRow(rows[0]) : null
}

/** Records a user declining a ringing call; returns the updated call. */
export async function addDecline(q: Queryable, id: string, userId: string): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `UPDATE ringline_calls SET metadata = jsonb_set(metadata, '{internals,declinedBy}',
       COALESCE(metadata->'internals'->'declinedBy', '[]'::jsonb) || to_jsonb($2::text)), updated_at = now()
     WHERE id = $1 AND status = 'ringing' AND ended_at IS NULL
       AND NOT COALESCE(metadata->'internals'->'declinedBy', '[]'::jsonb) ? $2
     RETURNING *`,
    [id, userId],
  )
  if (rows[0]) return callFromRow(rows[0])
  const { rows: current } = await q.query<CallRow>('SELECT * FROM ringline_calls WHERE id = $1', [id])
  return current[0] ? callFromRow(current[0]) : null
}

/** Open internal calls of a tenant. */
export async function listOpenInternalCalls(q: Queryable, tenantId: string): Promise<StoredCall[]> {
  const { rows } = await q.query<CallRow>(
    `SELECT * FROM ringline_calls WHERE tenant_id = $1 AND direction = 'internal' AND ended_at IS NULL
     ORDER BY started_at ASC LIMIT 200`,
    [tenantId],
  )
  return rows.map(callFromRow)
}

/** Open calls started before a moment (for reconciliation). */
export async function listOpenCallsBefore(q: Queryable, before: Date, limit = 500): Promise<StoredCall[]> {
  const { rows } = await q.query<CallRow>(
    'SELECT * FROM ringline_calls WHERE ended_at IS NULL AND started_at < $1 ORDER BY started_at ASC LIMIT $2',
    [before.toISOString(), limit],
  )
  return rows.map(callFromRow)
}

/**
 * Open inbound calls a person (not an agent) claimed before `before` whose participant is not in the room by the
 * webhooks' record, with no consult open and no warm transfer under way (the colleague joins after the hand-over).
 */
export async function listUnconnectedAnswers(q: Queryable, before: Date, limit = 500): Promise<StoredCall[]> {
  const { rows } = await q.query<CallRow>(
    `SELECT c.* FROM ringline_calls c
     WHERE c.ended_at IS NULL AND c.direction = 'inbound' AND c.status = 'in-progress' AND c.answered_at < $1
       AND c.answered_by IS NOT NULL AND c.answered_by NOT LIKE 'agent:%'
       AND COALESCE(c.metadata->'consult', 'null'::jsonb) = 'null'::jsonb
       AND COALESCE(c.metadata->'transfer', 'null'::jsonb) = 'null'::jsonb
       AND NOT EXISTS (SELECT 1 FROM ringline_call_participants p WHERE p.call_id = c.id
         AND p.identity = c.tenant_id || ':' || c.answered_by AND p.joined_at IS NOT NULL AND p.left_at IS NULL)
     ORDER BY c.answered_at ASC LIMIT $2`,
    [before.toISOString(), limit],
  )
  return rows.map(callFromRow)
}

/** Filters of a call-history query; `userId` restricts to calls a user made or answered. */
export interface CallFilter {
  tenantId: string
  userId?: string
  direction?: CallDirection
  status?: CallStatus
  from?: string
  to?: string
  q?: string
  contactId?: string
  /** Browser rooms of one kind. */
  roomKind?: string
  since?: string
  until?: string
}

function where(filter: CallFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [filter.tenantId]
  const parts = ['tenant_id = $1']
  const add = (sql: (n: string) => string, value: unknown): void => {
    params.push(value)
    parts.push(sql(`$${params.length}`))
  }
  if (filter.userId !== undefined) add((n) => `(created_by = ${n} OR answered_by = ${n})`, filter.userId)
  if (filter.direction) add((n) => `direction = ${n}`, filter.direction)
  if (filter.status) add((n) => `status = ${n}`, filter.status)
  if (filter.from) add((n) => `from_number = ${n}`, filter.from)
  if (filter.to) add((n) => `to_number = ${n}`, filter.to)
  if (filter.contactId) add((n) => `contact_id = ${n}`, filter.contactId)
  if (filter.roomKind) add((n) => `metadata->>'roomKind' = ${n}`, filter.roomKind)
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    add((n) => `(from_number LIKE ${n} OR to_number LIKE ${n} OR room_name LIKE ${n})`, like)
  }
  if (filter.since) add((n) => `started_at >= ${n}::timestamptz`, filter.since)
  if (filter.until) add((n) => `started_at < ${n}::timestamptz`, filter.until)
  return { sql: parts.join(' AND '), params }
}

/** A page of call history, newest first, with an opaque cursor for the next page. */
export async function listCalls(
  q: Queryable,
  filter: CallFilter,
  page: { limit: number; cursor?: { startedAt: string; id: string } },
): Promise<{ calls: StoredCall[]; next: { startedAt: string; id: string } | null }> {
  const { sql, params } = where(filter)
  let cursorSql = ''
  if (page.cursor) {
    params.push(page.cursor.startedAt, page.cursor.id)
    cursorSql = ` AND (started_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`
  }
  params.push(page.limit + 1)
  const { rows } = await q.query<CallRow>(
    `SELECT * FROM ringline_calls WHERE ${sql}${cursorSql} ORDER BY started_at DESC, id DESC LIMIT $${params.length}`,
    params,
  )
  const calls = rows.slice(0, page.limit).map(callFromRow)
  const last = calls[calls.length - 1]
  return { calls, next: rows.length > page.limit && last ? { startedAt: last.startedAt, id: last.id } : null }
}

/** Aggregates over the calls a filter selects; `byUser` (calls made or answered, per user) on request. */
export async function callStats(
  q: Queryable,
  filter: CallFilter,
  options: { byUser?: boolean } = {},
): Promise<CallStats> {
  const { sql, params } = where(filter)
  const { rows } = await q.query<{
    status: string
    direction: string
    n: number
    duration: number
    answered: number
  }>(
    `SELECT status, direction, count(*)::int AS n, COALESCE(sum(duration_seconds), 0)::int AS duration,
       count(answered_at)::int AS answered
     FROM ringline_calls WHERE ${sql} GROUP BY status, direction`,
    params,
  )
  const byStatus: Record<string, number> = {}
  const byDirection: Record<string, number> = {}
  let total = 0
  let answered = 0
  let totalDuration = 0
  for (const row of rows) {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + Number(row.n)
    byDirection[row.direction] = (byDirection[row.direction] ?? 0) + Number(row.n)
    total += Number(row.n)
    answered += Number(row.answered)
    totalDuration += Number(row.duration)
  }
  const stats: CallStats = {
    total,
    byStatus,
    byDirection,
    answerRate: total === 0 ? null : answered / total,
    averageDurationSeconds: answered === 0 ? null : totalDuration / answered,
    totalDurationSeconds: totalDuration,
  }
  if (!options.byUser) return stats
  // A call counts for whoever answered it (inbound) or else made it (outbound, internal).
  const users = await q.query<{ user_id: string; n: number; duration: number }>(
    `SELECT COALESCE(answered_by, created_by) AS user_id, count(*)::int AS n,
       COALESCE(sum(duration_seconds), 0)::int AS duration
     FROM ringline_calls WHERE ${sql} AND COALESCE(answered_by, created_by) IS NOT NULL
     GROUP BY 1 ORDER BY 2 DESC, 1 ASC LIMIT 500`,
    params,
  )
  stats.byUser = users.rows.map((r) => ({
    userId: r.user_id,
    calls: Number(r.n),
    totalDurationSeconds: Number(r.duration),
  }))
  return stats
}

/**
 * A tenant's (and user's) outbound phone legs, open and started in the last hour, for the call caps: outbound calls,
 * plus the phone legs of warm transfers (`POST /calls/:id/consult { to }`: open while the consult rings or talks, and
 * each one started, from the audit log's `call.consult` rows), which are outbound calls on the trunk too.
 */
export async function outboundVolume(
  q: Queryable,
  tenantId: string,
  userId: string,
): Promise<{ userOpen: number; tenantOpen: number; userHour: number; tenantHour: number }> {
  const { rows } = await q.query<{
    user_open: number
    tenant_open: number
    user_hour: number
    tenant_hour: number
  }>(
    `WITH calls AS (
       SELECT
         count(*) FILTER (WHERE ended_at IS NULL AND created_by = $2)::int AS user_open,
         count(*) FILTER (WHERE ended_at IS NULL)::int AS tenant_open,
         count(*) FILTER (WHERE started_at > now() - interval '1 hour' AND created_by = $2)::int AS user_hour,
         count(*) FILTER (WHERE started_at > now() - interval '1 hour')::int AS tenant_hour
       FROM ringline_calls WHERE tenant_id = $1 AND direction = 'outbound'
         AND (ended_at IS NULL OR started_at > now() - interval '1 hour')
     ), legs AS (
       SELECT
         count(*) FILTER (WHERE metadata->'consult'->>'by' = $2)::int AS user_open,
         count(*)::int AS tenant_open
       FROM ringline_calls WHERE tenant_id = $1 AND ended_at IS NULL
         AND metadata->'consult'->>'to' IS NOT NULL AND metadata->'consult'->>'state' IN ('ringing', 'connected')
     ), consults AS (
       SELECT count(*) FILTER (WHERE user_id = $2)::int AS user_hour, count(*)::int AS tenant_hour
       FROM ringline_audit_log WHERE tenant_id = $1 AND action = 'call.consult'
         AND created_at > now() - interval '1 hour'
     )
     SELECT calls.user_open + legs.user_open AS user_open, calls.tenant_open + legs.tenant_open AS tenant_open,
       calls.user_hour + consults.user_hour AS user_hour, calls.tenant_hour + consults.tenant_hour AS tenant_hour
     FROM calls, legs, consults`,
    [tenantId, userId],
  )
  const r = rows[0]
  return {
    userOpen: Number(r?.user_open ?? 0),
    tenantOpen: Number(r?.tenant_open ?? 0),
    userHour: Number(r?.user_hour ?? 0),
    tenantHour: Number(r?.tenant_hour ?? 0),
  }
}

/** Appends an audit row. */
export async function audit(
  q: Queryable,
  entry: {
    tenantId?: string | null
    userId?: string | null
    action: string
    target?: string | null
    detail?: Record<string, unknown>
  },
): Promise<void> {
  await q.query(
    'INSERT INTO ringline_audit_log (id, tenant_id, user_id, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6::jsonb)',
    [
      crypto.randomUUID(),
      entry.tenantId ?? null,
      entry.userId ?? null,
      entry.action,
      entry.target ?? null,
      JSON.stringify(entry.detail ?? {}),
    ],
  )
}

/** A webhook's dedupe row, as `recordWebhookEvent` writes it. */
export interface WebhookEventRecord {
  id: string
  event: string
  roomName?: string | null
  source?: string
  /** Who it is about (participant events). */
  identity?: string | null
  /** When LiveKit created it. */
  eventAt?: Date | null
  /** The kind of participant it is about (`sip`, `agent`, `user`, `other`). */
  participantKind?: string | null
  /** A microphone track event's `track.muted`. */
  muted?: boolean | null
}

const INSERT_WEBHOOK_EVENT = preparable(`INSERT INTO ringline_webhook_events
       (id, source, event, room_name, identity, event_at, participant_kind, muted)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8) ON CONFLICT (id) DO NOTHING`)

const webhookEventParams = (event: WebhookEventRecord): unknown[] => [
  event.id,
  event.source ?? 'livekit',
  event.event,
  event.roomName ?? null,
  event.identity ?? null,
  event.eventAt?.toISOString() ?? null,
  event.participantKind ?? null,
  event.muted ?? null,
]

/** Records a webhook event id; `false` when it was seen before (the caller then skips its effects). */
export async function recordWebhookEvent(q: Queryable, event: WebhookEventRecord): Promise<boolean> {
  const { rowCount } = await q.query(INSERT_WEBHOOK_EVENT, webhookEventParams(event))
  return rowCount > 0
}

/**
 * `recordWebhookEvent` and, in the same statement, `getLatestCallByRoom(roomName)` as it stands before the event
 * applies (one round trip instead of two): whether the id is new, and the room's call.
 */
export async function recordWebhookEventReadingCall(
  q: Queryable,
  event: WebhookEventRecord,
  roomName: string,
): Promise<{ fresh: boolean; call: StoredCall | null }> {
  const { rows } = await q.query<{ fresh: number; call: CallRow | string | null }>(RECORD_READING_CALL, [
    ...webhookEventParams(event),
    roomName,
  ])
  return { fresh: (rows[0]?.fresh ?? 0) > 0, call: callFromJson(rows[0]?.call) }
}

/** A LiveKit join or leave that `recordWebhookEventWithFact` records on the room's call when it can. */
export interface WebhookFact {
  identity: string
  kind: string
  name: string | null
  fact: SessionFact
  /** The LiveKit room instance the event names (`''`: none). */
  roomSid: string
}

/**
 * `recordWebhookEventReadingCall` that also, in the same statement, records `fact` on the room's call as
 * `recordParticipantFact` does (user id from the call's tenant), when the event is new and the call is the event's
 * own room instance already bound to it (or the event names none): then nothing else had to be written first.
 * `recorded`: whether it did; when not, the caller records the fact as usual, if at all.
 */
export async function recordWebhookEventWithFact(
  q: Queryable,
  event: WebhookEventRecord,
  roomName: string,
  fact: WebhookFact,
): Promise<RecordedWithFact> {
  const { rows } = await q.query<RecordWithFactRow>(
    RECORD_WITH_FACT,
    recordWithFactParams(event, roomName, fact),
  )
  return recordedWithFact(rows[0])
}

/**
 * `recordWebhookEventWithFact` of several webhooks, in order (each sees the ones before it), in one round trip
 * through `queryEach`, after `SAVEPOINT <savepoint>` (rolling back to it undoes all of them), then the statement
 * `after` in the same trip: what each recorded, and `after`'s rows.
 */
export async function recordWebhookEventsWithFacts(
  queryEach: NonNullable<Transaction['queryEach']>,
  webhooks: Array<{ event: WebhookEventRecord; roomName: string; fact: WebhookFact }>,
  savepoint: string,
  after?: EachOptions['after'],
): Promise<{ recorded: RecordedWithFact[]; after: Array<Record<string, unknown>> }> {
  const result = await queryEach(
    RECORD_WITH_FACT,
    webhooks.map(({ event, roomName, fact }) => recordWithFactParams(event, roomName, fact)),
    { savepoint, after },
  )
  if (result.runs.length !== webhooks.length) throw new Error('queryEach did not return one result per run')
  return {
    recorded: result.runs.map((rows) => recordedWithFact(rows[0] as RecordWithFactRow | undefined)),
    after: result.after,
  }
}

/** What `recordWebhookEventWithFact` read and did (see there). */
export interface RecordedWithFact {
  fresh: boolean
  call: StoredCall | null
  recorded: boolean
}

interface RecordWithFactRow {
  fresh: number
  call: CallRow | string | null
  recorded: number
}

const recordedWithFact = (row: RecordWithFactRow | undefined): RecordedWithFact => ({
  fresh: (row?.fresh ?? 0) > 0,
  call: callFromJson(row?.call),
  recorded: (row?.recorded ?? 0) > 0,
})

/** `RECORD_WITH_FACT`'s parameters. */
function recordWithFactParams(event: WebhookEventRecord, roomName: string, fact: WebhookFact): unknown[] {
  const created = createdByFact(fact.fact)
  return [
    ...webhookEventParams(event),
    roomName,
    fact.identity,
    fact.kind,
    fact.name,
    created.joinedAt,
    created.leftAt,
    created.sessions,
    fact.fact.sid,
    fact.fact.type,
    fact.fact.at,
    fact.roomSid,
  ]
}

const RECORD_WITH_FACT = preparable(`WITH recorded AS (${INSERT_WEBHOOK_EVENT} RETURNING 1),
     room_call AS (${latestCallByRoom('$9')}),
     fact AS (
       INSERT INTO ringline_call_participants AS p
         (call_id, identity, kind, name, user_id, joined_at, left_at, sessions)
       SELECT c.id, $10::text, $11::text, $12::text,
         CASE WHEN starts_with($10::text, c.tenant_id || ':') THEN substr($10::text, length(c.tenant_id) + 2) END,
         $13::timestamptz, $14::timestamptz, $15::jsonb
       FROM room_call AS c
       WHERE EXISTS (SELECT 1 FROM recorded)
         AND ($19::text = '' OR c.metadata -> 'internals' ->> 'roomSid' = $19::text)
       ${mergeLivekitFact('$16', '$17', '$18')}
       RETURNING 1)
     SELECT (SELECT count(*) FROM recorded)::int AS fresh, (SELECT to_jsonb(c) FROM room_call AS c) AS call,
       (SELECT count(*) FROM fact)::int AS recorded`)

// The call as one JSON value: the statement's result type stays the same when a migration adds a column.
const RECORD_READING_CALL = preparable(`WITH recorded AS (${INSERT_WEBHOOK_EVENT} RETURNING 1)
     SELECT (SELECT count(*) FROM recorded)::int AS fresh,
       (SELECT to_jsonb(c) FROM (${latestCallByRoom('$9')}) AS c) AS call`)

/** The microphone track events of `identity` in `roomName` received so far (LiveKit's time, event, `muted`). */
export async function listMicrophoneEvents(
  q: Queryable,
  roomName: string,
  identity: string,
): Promise<Array<{ at: Date; event: string; muted: boolean }>> {
  const { rows } = await q.query<{ at: Date | string; event: string; muted: boolean }>(
    `SELECT COALESCE(event_at, received_at) AS at, event, muted FROM ringline_webhook_events
     WHERE room_name = $1 AND event IN ('track_published', 'track_unpublished') AND identity = $2
       AND muted IS NOT NULL`,
    [roomName, identity],
  )
  return rows.map((r) => ({ at: date(r.at), event: r.event, muted: r.muted }))
}

/** The first agent join LiveKit reported in `roomName` (identity and time), or null. */
export async function firstAgentJoin(
  q: Queryable,
  roomName: string,
): Promise<{ identity: string; at: Date } | null> {
  const { rows } = await q.query<{ identity: string; at: Date | string }>(
    `SELECT identity, COALESCE(event_at, received_at) AS at FROM ringline_webhook_events WHERE room_name = $1
       AND event = 'participant_joined' AND participant_kind = 'agent' ORDER BY 2 ASC, identity LIMIT 1`,
    [roomName],
  )
  return rows[0] ? { identity: rows[0].identity, at: date(rows[0].at) } : null
}

/**
 * An inbound call closed as missed whose answer (an agent's join before the caller left) was delivered after
 * the close: the record becomes what in-order delivery gives, completed and answered. Returns it, or null.
 */
export async function answerMissedCall(
  q: Queryable,
  id: string,
  answeredBy: string,
  answeredAt: Date,
): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(
    `UPDATE ringline_calls SET status = 'completed', end_reason = 'completed', answered_by = $2,
       answered_at = $3::timestamptz, updated_at = now(),
       duration_seconds = GREATEST(0, EXTRACT(EPOCH FROM (ended_at - $3::timestamptz)))::int
     WHERE id = $1 AND direction = 'inbound' AND status = 'missed' AND end_reason = 'missed'
       AND ended_at IS NOT NULL RETURNING *`,
    [id, answeredBy, answeredAt.toISOString()],
  )
  return rows[0] ? callFromRow(rows[0]) : null
}

/**
 * When LiveKit said that `identity` left `roomName`, or that the room finished (null if it did not): a join
 * delivered after that (a retry, or another instance's slower delivery) must not ring for someone who is gone.
 */
export async function hasLeftRoom(q: Queryable, roomName: string, identity: string): Promise<Date | null> {
  const { rows } = await q.query<{ at: Date | string }>(
    `SELECT COALESCE(event_at, received_at) AS at FROM ringline_webhook_events WHERE room_name = $1
       AND (event = 'room_finished' OR (event IN ('participant_left', 'participant_connection_aborted')
       AND identity = $2)) ORDER BY 1 ASC LIMIT 1`,
    [roomName, identity],
  )
  return rows[0] ? date(rows[0].at) : null
}

/**
 * Forgets webhook ids received more than `hours` ago by the database's clock (the one `received_at` was set by,
 * so instances' clock skew does not matter); returns how many. Uses `ringline_webhook_events_received`.
 */
export async function pruneWebhookEvents(q: Queryable, hours: number): Promise<number> {
  const { rowCount } = await q.query(
    "DELETE FROM ringline_webhook_events WHERE received_at < now() - $1 * interval '1 hour'",
    [hours],
  )
  return rowCount
}

/**
 * The call of a LiveKit room: the open one when there is one, else the most recent. One statement: the open call
 * through its unique index, and only without one the latest of the room's calls (an internal room reused daily has
 * many).
 */
export async function getLatestCallByRoom(q: Queryable, roomName: string): Promise<StoredCall | null> {
  const { rows } = await q.query<CallRow>(latestCallByRoom('$1'), [roomName])
  return rows[0] ? callFromRow(rows[0]) : null
}

/** The query of `getLatestCallByRoom`, the room name being the parameter `param` (e.g. `$1`). */
/** The statement reading the call of the room named by SQL expression `param`: its open call, else its last one. */
export function latestCallByRoom(param: string): string {
  return `(SELECT * FROM ringline_calls WHERE room_name = ${param} AND ended_at IS NULL)
     UNION ALL
     (SELECT * FROM ringline_calls WHERE room_name = ${param} ORDER BY started_at DESC LIMIT 1)
     LIMIT 1`
}
