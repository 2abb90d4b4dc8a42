import { PGlite } from '@electric-sql/pglite'
import type { Queryable } from '../store/types'

/** The tables of DESIGN §5 that recording, agents and transcripts touch, as in migrations/0001_initial.sql. */
export const BASE_TEST_SCHEMA = `
CREATE TABLE ringline_calls (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('outbound', 'inbound', 'internal')),
  status text NOT NULL,
  room_name text NOT NULL,
  from_number text,
  to_number text,
  contact_id text,
  created_by text,
  answered_by text,
  sip_call_id text,
  started_at timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz,
  ended_at timestamptz,
  duration_seconds integer,
  end_reason text,
  recording_url text,
  egress_id text,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ringline_call_participants (
  call_id text NOT NULL REFERENCES ringline_calls (id) ON DELETE CASCADE,
  identity text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('user', 'sip', 'agent', 'other')),
  name text,
  joined_at timestamptz,
  left_at timestamptz,
  PRIMARY KEY (call_id, identity)
);
CREATE TABLE ringline_agent_dispatches (
  id text PRIMARY KEY,
  call_id text NOT NULL REFERENCES ringline_calls (id) ON DELETE CASCADE,
  agent_name text NOT NULL,
  dispatch_id text,
  metadata text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (call_id, agent_name)
);
`

/** The migration proposed for `packages/server/migrations/0002_media.sql` (see the report of this module). */
export const PROPOSED_MEDIA_MIGRATION = `
-- Agent dispatch state: claimed as pending before LiveKit is called, then dispatched or failed.
ALTER TABLE ringline_agent_dispatches ADD COLUMN IF NOT EXISTS room_name text;
ALTER TABLE ringline_agent_dispatches ADD COLUMN IF NOT EXISTS state text NOT NULL DEFAULT 'pending'
  CHECK (state IN ('pending', 'dispatched', 'failed'));
ALTER TABLE ringline_agent_dispatches ADD COLUMN IF NOT EXISTS trigger text NOT NULL DEFAULT 'api';
ALTER TABLE ringline_agent_dispatches ADD COLUMN IF NOT EXISTS error text;
ALTER TABLE ringline_agent_dispatches ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0;
ALTER TABLE ringline_agent_dispatches ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();

-- egress webhooks find their call by egress id.
CREATE INDEX IF NOT EXISTS ringline_calls_egress_id ON ringline_calls (egress_id) WHERE egress_id IS NOT NULL;

-- Final transcript segments, one row per LiveKit segment id.
CREATE TABLE IF NOT EXISTS ringline_transcript_segments (
  call_id text NOT NULL REFERENCES ringline_calls (id) ON DELETE CASCADE,
  segment_id text NOT NULL,
  speaker_identity text NOT NULL,
  speaker_name text,
  speaker_kind text NOT NULL DEFAULT 'other' CHECK (speaker_kind IN ('user', 'sip', 'agent', 'other')),
  track_id text,
  text text NOT NULL,
  language text,
  spoken_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  seq bigserial,
  PRIMARY KEY (call_id, segment_id)
);
CREATE INDEX IF NOT EXISTS ringline_transcript_segments_order ON ringline_transcript_segments (call_id, spoken_at, seq);
`

/** An in-memory PGlite with the base tables and the proposed migration applied. */
export async function createTestDb(): Promise<Queryable & { close(): Promise<void> }> {
  const db = await PGlite.create()
  await db.exec(BASE_TEST_SCHEMA)
  await db.exec(PROPOSED_MEDIA_MIGRATION)
  return {
    async query(sql, params) {
      const result = await db.query<never>(sql, params as unknown[])
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length }
    },
    close: () => db.close(),
  }
}

/** Inserts a call row for a test. */
export async function insertTestCall(
  db: Queryable,
  call: {
    id: string
    tenantId?: string
    roomName: string
    status?: string
    direction?: string
    endedAt?: string
  },
): Promise<void> {
  await db.query(
    `INSERT INTO ringline_calls (id, tenant_id, direction, status, room_name, ended_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      call.id,
      call.tenantId ?? 'tenant-a',
      call.direction ?? 'outbound',
      call.status ?? 'in-progress',
      call.roomName,
      call.endedAt ?? null,
    ],
  )
}
