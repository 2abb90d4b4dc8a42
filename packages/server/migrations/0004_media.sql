-- Recording, agents and transcripts. The same SQL runs on PGlite and PostgreSQL.

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
