import type { CallParticipant } from '@ringline/core/protocol'
import { preparable } from '../sql/prepared'
import { isoOrNull, json } from '../sql/rows'
import type { Queryable } from '../sql/types'
import { addSessionFact, type ParticipantSessions, presenceOf, type SessionFact } from './presence'

function participantKind(kind: string | undefined): CallParticipant['kind'] {
  if (kind === 'sip' || kind === 'agent' || kind === 'user') return kind
  return 'other'
}

/** The participant row's own fields (what a join says of it). */
export interface ParticipantRow {
  callId: string
  identity: string
  kind: CallParticipant['kind']
  name?: string | null
  userId?: string | null
}

/** Pseudo-sessions of joins Ringline recorded itself (a user asked to join), before LiveKit said anything. */
const REQUESTED = 'requested:'

/** Whether one of the joins Ringline recorded itself is still open (LiveKit has not spoken since). */
function hasOpenRequest(sessions: ParticipantSessions): boolean {
  for (const [sid, session] of Object.entries(sessions))
    if (sid.startsWith(REQUESTED) && session.joinedAt !== undefined && session.leftAt === undefined)
      return true
  return false
}

/**
 * One fact added to a participant's sessions; LiveKit's own facts supersede the joins Ringline recorded. A join
 * Ringline records while an earlier one is still open adds nothing (returns `sessions` itself): the participant is
 * present already since an earlier time, and the next LiveKit fact or leave closes both alike, so presence is the
 * same — and a user asking for token after token does not grow the row by a session each time.
 */
function withFact(sessions: ParticipantSessions, fact: SessionFact): ParticipantSessions {
  let next = sessions
  if (fact.sid.startsWith(REQUESTED)) {
    if (fact.type === 'joined' && hasOpenRequest(sessions)) return sessions
  } else {
    for (const [sid, session] of Object.entries(sessions)) {
      if (sid.startsWith(REQUESTED) && session.leftAt === undefined) {
        next = addSessionFact(next, { sid, type: 'left', at: fact.at })
      }
    }
  }
  return addSessionFact(next, fact)
}

/**
 * Adds `facts`, in order, to a participant's `stored` sessions and writes the sessions and the presence they
 * give in one UPDATE (a join also sets the row's kind, as does any fact while the kind is unknown — a row a mute
 * fact made first — and fills in its name and user id). Returns whether the
 * participant is present afterwards.
 */
async function writeFacts(
  q: Queryable,
  row: ParticipantRow,
  stored: ParticipantSessions,
  facts: readonly [SessionFact, ...SessionFact[]],
): Promise<boolean> {
  const { params, present } = factWrite(row, stored, facts)
  await q.query(WRITE_FACTS, params)
  return present
}

/** The UPDATE of `factWrite`'s parameters ($1–$9); see `writeFacts`. */
const WRITE_FACTS = `UPDATE ringline_call_participants SET sessions = $3::jsonb,
       joined_at = COALESCE($4::timestamptz, joined_at), left_at = $5::timestamptz,
       kind = CASE WHEN $7 OR kind = 'other' THEN $6 ELSE kind END,
       name = COALESCE($8, name), user_id = COALESCE($9, user_id)
     WHERE call_id = $1 AND identity = $2`

/** The sessions after `facts`, the presence they give, and the parameters of the UPDATE that writes them. */
function factWrite(
  row: ParticipantRow,
  stored: ParticipantSessions,
  facts: readonly [SessionFact, ...SessionFact[]],
): {
  sessions: ParticipantSessions
  present: boolean
  joinedAt: string | null
  leftAt: string | null
  params: unknown[]
} {
  const sessions = facts.reduce(withFact, stored)
  const last = facts[facts.length - 1] ?? facts[0]
  const presence = presenceOf(sessions)
  const leftAt = presence.present ? null : (presence.leftAt ?? last.at)
  return {
    sessions,
    present: presence.present,
    joinedAt: presence.joinedAt,
    leftAt,
    params: [
      row.callId,
      row.identity,
      JSON.stringify(sessions),
      presence.joinedAt,
      leftAt,
      row.kind,
      last.type === 'joined',
      row.name ?? null,
      row.userId ?? null,
    ],
  }
}

/**
 * Creates the participant's row unless it exists and locks it, in one statement; returns its sessions. A row
 * another transaction inserted after this statement's snapshot is not in its `FOR UPDATE` part: it is read (and
 * locked) by a second statement then.
 */
async function lockRow(q: Queryable, row: ParticipantRow): Promise<ParticipantSessions> {
  type Sessions = { sessions: ParticipantSessions | string | null }
  const { rows } = await q.query<Sessions>(
    `WITH created AS (
       INSERT INTO ringline_call_participants (call_id, identity, kind, name, user_id, joined_at, left_at, sessions)
       VALUES ($1, $2, $3, $4, $5, NULL, NULL, '{}'::jsonb) ON CONFLICT (call_id, identity) DO NOTHING
       RETURNING sessions),
     locked AS (
       SELECT sessions FROM ringline_call_participants WHERE call_id = $1 AND identity = $2 FOR UPDATE)
     SELECT sessions FROM created UNION ALL SELECT sessions FROM locked`,
    [row.callId, row.identity, row.kind, row.name ?? null, row.userId ?? null],
  )
  if (rows[0]) return storedSessions(rows[0].sessions)
  const { rows: again } = await q.query<Sessions>(
    'SELECT sessions FROM ringline_call_participants WHERE call_id = $1 AND identity = $2 FOR UPDATE',
    [row.callId, row.identity],
  )
  return storedSessions(again[0]?.sessions)
}

/**
 * A participant's microphone mute state at a moment. `published` / `unpublished`: LiveKit's `track_published` /
 * `track_unpublished` of the microphone track (`track.muted`; a leave unpublishes, so it carries the state at
 * leaving); `report`: the participant's own client said so (`POST /calls/:id/mute`).
 */
export interface MuteFact {
  muted: boolean
  /** When: LiveKit's event time (whole seconds), or when the server received the report (ISO). */
  at: string
  source: 'published' | 'report' | 'unpublished'
}

const MUTE_RANK: Record<MuteFact['source'], number> = { published: 0, report: 1, unpublished: 2 }

/**
 * The order of mute facts, as a string that sorts like it: by second (LiveKit's times have no finer grain); within
 * one second a publish, then reports (by millisecond), then an unpublish (LiveKit's state as the track went away);
 * finally the value, so two facts never tie with different states.
 */
export function muteKey(fact: MuteFact): string {
  const iso = new Date(fact.at).toISOString()
  const ms = fact.source === 'report' ? iso.slice(20, 23) : '000'
  return `${iso.slice(0, 19)}|${MUTE_RANK[fact.source]}|${ms}|${fact.muted ? 1 : 0}`
}

/**
 * Records a mute fact: it sets the participant's `muted` unless a later fact (by `muteKey`) already did, so
 * duplicates and any delivery order leave the same state. A fact before the participant's join keeps an empty row.
 * Returns the state recorded afterwards.
 */
export async function recordMuteFact(
  q: Queryable,
  row: ParticipantRow,
  fact: MuteFact,
): Promise<boolean | null> {
  // One statement: creates the row with the fact, or sets it on the row unless a later fact did; only when that
  // later fact stands does a second statement read it.
  const { rows: written } = await q.query<{ muted: boolean | null }>(
    preparable(`INSERT INTO ringline_call_participants AS p
       (call_id, identity, kind, name, user_id, joined_at, left_at, sessions, muted, muted_key)
     VALUES ($1, $2, $5, $6, $7, NULL, NULL, '{}'::jsonb, $3, $4)
     ON CONFLICT (call_id, identity) DO UPDATE SET muted = $3, muted_key = $4
       WHERE p.muted_key IS NULL OR p.muted_key < $4
     RETURNING p.muted`),
    [row.callId, row.identity, fact.muted, muteKey(fact), row.kind, row.name ?? null, row.userId ?? null],
  )
  if (written[0]) return written[0].muted
  const { rows } = await q.query<{ muted: boolean | null }>(
    'SELECT muted FROM ringline_call_participants WHERE call_id = $1 AND identity = $2',
    [row.callId, row.identity],
  )
  return rows[0]?.muted ?? null
}

/** A participant's stored sessions (`{}` when none). */
const storedSessions = (value: ParticipantSessions | string | null | undefined): ParticipantSessions =>
  value ? json<ParticipantSessions>(value) : {}

/**
 * Applies one join or leave of a LiveKit session to a participant (see presence.ts): any order and any number
 * of deliveries of the same events leave the same row. Returns whether the participant is present afterwards.
 */
export async function recordParticipantFact(
  q: Queryable,
  row: ParticipantRow,
  fact: SessionFact,
): Promise<boolean> {
  if (fact.sid.startsWith(REQUESTED)) return writeFacts(q, row, await lockRow(q, row), [fact])
  // A LiveKit fact: one statement creates the row with it, or merges it into the row's sessions in SQL (as
  // `withFact` and `presenceOf` do) under the row's lock, so a concurrent writer's change is never lost.
  const created = createdByFact(fact)
  const { rows } = await q.query<{ present: boolean }>(MERGE_LIVEKIT_FACT, [
    row.callId,
    row.identity,
    row.kind,
    row.name ?? null,
    row.userId ?? null,
    created.joinedAt,
    created.leftAt,
    created.sessions,
    fact.sid,
    fact.type,
    fact.at,
  ])
  return rows[0]?.present ?? created.leftAt === null
}

/**
 * The `ON CONFLICT` clause that merges a LiveKit fact (parameters `sid`, `type`, `at`: e.g. `$9`) into an existing
 * participant row (alias `p`), as `withFact` and `factWrite` do: the joins Ringline recorded that are still open end
 * at the fact's time, then the session's earliest join or latest leave (ISO times compare as "C" strings), then the
 * presence, and the kind, name and user id of the row proposed for insertion.
 */
export function mergeLivekitFact(sid: string, type: string, at: string): string {
  return `ON CONFLICT (call_id, identity) DO UPDATE SET (sessions, joined_at, left_at, kind, name, user_id) = (
       SELECT merged.s, COALESCE(presence.joined::timestamptz, p.joined_at),
         CASE WHEN presence.present THEN NULL ELSE COALESCE(presence.left_, ${at}::text)::timestamptz END,
         CASE WHEN ${type}::text = 'joined' OR p.kind = 'other' THEN EXCLUDED.kind ELSE p.kind END,
         COALESCE(EXCLUDED.name, p.name), COALESCE(EXCLUDED.user_id, p.user_id)
       FROM (
         SELECT closed.s || jsonb_build_object(${sid}::text, COALESCE(closed.s -> ${sid}::text, '{}'::jsonb) ||
           CASE WHEN ${type}::text = 'joined' THEN jsonb_build_object('joinedAt',
               CASE WHEN (closed.s -> ${sid}::text ->> 'joinedAt') COLLATE "C" <= ${at}::text
                 THEN closed.s -> ${sid}::text ->> 'joinedAt' ELSE ${at}::text END)
             ELSE jsonb_build_object('leftAt',
               CASE WHEN (closed.s -> ${sid}::text ->> 'leftAt') COLLATE "C" >= ${at}::text
                 THEN closed.s -> ${sid}::text ->> 'leftAt' ELSE ${at}::text END) END) AS s
         FROM (
           SELECT COALESCE(jsonb_object_agg(e.key,
               CASE WHEN starts_with(e.key, '${REQUESTED}') AND NOT e.value ? 'leftAt'
                 THEN e.value || jsonb_build_object('leftAt', ${at}::text) ELSE e.value END), '{}'::jsonb) AS s
           FROM jsonb_each(COALESCE(p.sessions, '{}'::jsonb)) AS e) AS closed) AS merged,
       LATERAL (
         SELECT COALESCE(bool_or(v ? 'joinedAt' AND NOT v ? 'leftAt'), false) AS present,
           min((v ->> 'joinedAt') COLLATE "C") AS joined, max((v ->> 'leftAt') COLLATE "C") AS left_
         FROM jsonb_each(merged.s) AS x(k, v)) AS presence)`
}

/**
 * The row a LiveKit fact creates when the participant has none yet: its `joined_at`, `left_at` and `sessions`
 * (`recordParticipantFact`'s insert values).
 */
export function createdByFact(fact: SessionFact): {
  joinedAt: string | null
  leftAt: string | null
  sessions: string
} {
  const w = factWrite({ callId: '', identity: '', kind: 'other' }, {}, [fact])
  return { joinedAt: w.joinedAt, leftAt: w.leftAt, sessions: JSON.stringify(w.sessions) }
}

/** `recordParticipantFact` of a LiveKit fact ($9 sid, $10 type, $11 ISO time) in one statement. */
const MERGE_LIVEKIT_FACT = preparable(`INSERT INTO ringline_call_participants AS p
       (call_id, identity, kind, name, user_id, joined_at, left_at, sessions)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8::jsonb)
     ${mergeLivekitFact('$9', '$10', '$11')}
     RETURNING p.left_at IS NULL AS present`)

/** Records a user joining through Ringline (before LiveKit's own join event, which then takes over). */
export async function upsertParticipant(
  q: Queryable,
  p: ParticipantRow & { joinedAt?: Date },
): Promise<void> {
  const at = (p.joinedAt ?? new Date()).toISOString()
  await recordParticipantFact(q, p, { sid: `${REQUESTED}${at}`, type: 'joined', at })
}

/**
 * Records a participant leaving through Ringline: every session still open ends now, with one read and one
 * write. Returns whether it was present.
 */
export async function markParticipantLeft(q: Queryable, callId: string, identity: string): Promise<boolean> {
  const { rows } = await q.query<{ sessions: ParticipantSessions | string | null; kind: string }>(
    'SELECT sessions, kind FROM ringline_call_participants WHERE call_id = $1 AND identity = $2 FOR UPDATE',
    [callId, identity],
  )
  const row = rows[0]
  if (!row) return false
  const sessions = storedSessions(row.sessions)
  const at = new Date().toISOString()
  const [first, ...rest] = Object.entries(sessions)
    .filter(([, s]) => s.joinedAt !== undefined && s.leftAt === undefined)
    .map(([sid]): SessionFact => ({ sid, type: 'left', at }))
  if (!first) return false
  await writeFacts(q, { callId, identity, kind: participantKind(row.kind) }, sessions, [first, ...rest])
  return true
}

/** A `ringline_call_participants` row as `participantFromRow` reads it. */
export interface ParticipantListRow {
  identity: string
  kind: string
  name: string | null
  user_id: string | null
  joined_at: Date | string | null
  left_at: Date | string | null
  muted: boolean | null
}

/**
 * The query of a call's participants (`callId`: an SQL expression of the call id, e.g. `$1`, or `ANY($1)` for
 * several calls, then `withCallId` says whose each row is), optionally only those still present, in
 * `listParticipants`' order.
 */
export function participantsQuery(
  callId: string,
  options: { presentOnly?: boolean; withCallId?: boolean } = {},
): string {
  // A row with no join or leave yet (only a mute fact that arrived first) is not a participant yet.
  return `SELECT ${options.withCallId ? 'call_id, ' : ''}identity, kind, name, user_id, joined_at, left_at, muted
     FROM ringline_call_participants
     WHERE call_id = ${callId} AND (joined_at IS NOT NULL OR sessions <> '{}'::jsonb)
       ${options.presentOnly ? 'AND left_at IS NULL' : ''} ORDER BY joined_at ASC, identity ASC`
}

/** One participant of `participantsQuery`'s rows (timestamps as `Date`s or ISO strings, as drivers and JSON give). */
export function participantFromRow(
  r: ParticipantListRow,
  now = Date.now(),
): CallParticipant & { userId: string | null } {
  const joinedAt = isoOrNull(r.joined_at)
  const leftAt = isoOrNull(r.left_at)
  // Seconds present: to leaving, or to now while still in the call.
  const durationSeconds = joinedAt
    ? Math.max(0, Math.round(((leftAt ? Date.parse(leftAt) : now) - Date.parse(joinedAt)) / 1000))
    : null
  return {
    identity: r.identity,
    kind: participantKind(r.kind),
    name: r.name,
    userId: r.user_id,
    joinedAt,
    leftAt,
    durationSeconds,
    muted: r.muted ?? null,
  }
}

/** Participants of a call, optionally only those still present. */
export async function listParticipants(
  q: Queryable,
  callId: string,
  options: { presentOnly?: boolean } = {},
): Promise<(CallParticipant & { userId: string | null })[]> {
  const { rows } = await q.query<ParticipantListRow>(participantsQuery('$1', options), [callId])
  const now = Date.now()
  return rows.map((r) => participantFromRow(r, now))
}

/** A participant row as `recordRequestedJoinAsRead` needs it (read without a lock). */
export interface StoredParticipant {
  sessions: ParticipantSessions | string | null
  kind: string
  name: string | null
  user_id: string | null
  joined_at: Date | string | null
  left_at: Date | string | null
}

const sameTime = (a: Date | string | null, b: string | null): boolean =>
  a === null || b === null ? a === b : new Date(a).getTime() === new Date(b).getTime()

/**
 * `upsertParticipant` without a transaction, given the row as read (`stored`, null when there was none): writes
 * nothing when the join changes nothing (an earlier join through Ringline is still open), else writes with one
 * statement that applies only while the row's sessions are still as read. `conflict`: the row changed meanwhile (or
 * appeared) and nothing was written; redo the join with `upsertParticipant` in a transaction.
 */
export async function recordRequestedJoinAsRead(
  q: Queryable,
  p: ParticipantRow,
  stored: StoredParticipant | null,
  at = new Date(),
): Promise<'unchanged' | 'written' | 'conflict'> {
  const iso = at.toISOString()
  const fact: SessionFact = { sid: `${REQUESTED}${iso}`, type: 'joined', at: iso }
  if (!stored) {
    const w = factWrite(p, {}, [fact])
    const { rowCount } = await q.query(
      `INSERT INTO ringline_call_participants (call_id, identity, kind, name, user_id, joined_at, left_at, sessions)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::timestamptz, $8::jsonb)
       ON CONFLICT (call_id, identity) DO NOTHING`,
      [
        p.callId,
        p.identity,
        p.kind,
        p.name ?? null,
        p.userId ?? null,
        w.joinedAt,
        w.leftAt,
        JSON.stringify(w.sessions),
      ],
    )
    return rowCount > 0 ? 'written' : 'conflict'
  }
  const sessions = storedSessions(stored.sessions)
  const w = factWrite(p, sessions, [fact])
  // What the UPDATE of `writeFacts` would set (a join sets the kind).
  const unchanged =
    w.sessions === sessions &&
    stored.kind === p.kind &&
    stored.name === (p.name ?? stored.name) &&
    stored.user_id === (p.userId ?? stored.user_id) &&
    (w.joinedAt === null || sameTime(stored.joined_at, w.joinedAt)) &&
    sameTime(stored.left_at, w.leftAt)
  if (unchanged) return 'unchanged'
  // Only while the row's sessions are still as read.
  const { rowCount } = await q.query(`${WRITE_FACTS} AND sessions = $10::jsonb`, [
    ...w.params,
    JSON.stringify(sessions),
  ])
  return rowCount > 0 ? 'written' : 'conflict'
}
