import type { CallParticipant } from '@ringline/core/protocol'
import { isoOrNull } from '../sql/rows'
import type { Queryable } from '../sql/types'

function participantKind(kind: string | undefined): CallParticipant['kind'] {
  if (kind === 'sip' || kind === 'agent' || kind === 'user') return kind
  return 'other'
}

/** Records a participant joining (again). */
export async function upsertParticipant(
  q: Queryable,
  p: {
    callId: string
    identity: string
    kind: CallParticipant['kind']
    name?: string | null
    userId?: string | null
    joinedAt?: Date
  },
): Promise<void> {
  await q.query(
    `INSERT INTO ringline_call_participants (call_id, identity, kind, name, user_id, joined_at, left_at)
     VALUES ($1, $2, $3, $4, $5, COALESCE($6::timestamptz, now()), NULL)
     ON CONFLICT (call_id, identity) DO UPDATE SET kind = EXCLUDED.kind,
       name = COALESCE(EXCLUDED.name, ringline_call_participants.name),
       user_id = COALESCE(EXCLUDED.user_id, ringline_call_participants.user_id),
       joined_at = CASE WHEN ringline_call_participants.left_at IS NULL THEN ringline_call_participants.joined_at
         ELSE EXCLUDED.joined_at END,
       left_at = NULL`,
    [p.callId, p.identity, p.kind, p.name ?? null, p.userId ?? null, p.joinedAt?.toISOString() ?? null],
  )
}

/** Records a participant leaving; returns whether it was present. */
export async function markParticipantLeft(q: Queryable, callId: string, identity: string): Promise<boolean> {
  const { rowCount } = await q.query(
    'UPDATE ringline_call_participants SET left_at = now() WHERE call_id = $1 AND identity = $2 AND left_at IS NULL',
    [callId, identity],
  )
  return rowCount > 0
}

/** Participants of a call, optionally only those still present. */
export async function listParticipants(
  q: Queryable,
  callId: string,
  options: { presentOnly?: boolean } = {},
): Promise<(CallParticipant & { userId: string | null })[]> {
  const { rows } = await q.query<{
    identity: string
    kind: string
    name: string | null
    user_id: string | null
    joined_at: Date | string | null
    left_at: Date | string | null
  }>(
    `SELECT identity, kind, name, user_id, joined_at, left_at FROM ringline_call_participants
     WHERE call_id = $1 ${options.presentOnly ? 'AND left_at IS NULL' : ''} ORDER BY joined_at ASC, identity ASC`,
    [callId],
  )
  return rows.map((r) => ({
    identity: r.identity,
    kind: participantKind(r.kind),
    name: r.name,
    userId: r.user_id,
    joinedAt: isoOrNull(r.joined_at),
    leftAt: isoOrNull(r.left_at),
  }))
}
