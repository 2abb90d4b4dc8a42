-- Bring your own Twilio number: what a connect needs to reconcile on retry instead of duplicating.
-- The same SQL runs on PGlite and PostgreSQL.

ALTER TABLE ringline_number_connections
  ADD COLUMN IF NOT EXISTS trunk_strategy text NOT NULL DEFAULT 'shared',
  ADD COLUMN IF NOT EXISTS sip_target text,
  ADD COLUMN IF NOT EXISTS termination_domain text,
  ADD COLUMN IF NOT EXISTS credential_sid text,
  ADD COLUMN IF NOT EXISTS termination_username text,
  -- Secret-box envelope (AES-256-GCM) of the trunk's termination password; the key id beside it for rotation.
  ADD COLUMN IF NOT EXISTS termination_password_ciphertext text,
  ADD COLUMN IF NOT EXISTS termination_password_key_id text,
  -- The last connect/disconnect report: [{ step, status, sid }].
  ADD COLUMN IF NOT EXISTS steps jsonb NOT NULL DEFAULT '[]'::jsonb,
  ADD COLUMN IF NOT EXISTS last_error_code text;

ALTER TABLE ringline_number_connections DROP CONSTRAINT IF EXISTS ringline_number_connections_trunk_strategy_check;
ALTER TABLE ringline_number_connections
  ADD CONSTRAINT ringline_number_connections_trunk_strategy_check CHECK (trunk_strategy IN ('shared', 'dedicated'));
ALTER TABLE ringline_number_connections DROP CONSTRAINT IF EXISTS ringline_number_connections_status_check;
ALTER TABLE ringline_number_connections
  ADD CONSTRAINT ringline_number_connections_status_check
  CHECK (status IN ('connecting', 'connected', 'partial', 'disconnected'));

-- Numbers sharing a trunk are looked up together (shared strategy, outbound trunk numbers).
CREATE INDEX IF NOT EXISTS ringline_number_connections_trunk ON ringline_number_connections (trunk_sid);
