-- Ringline schema, version 6: order-proof answered calls, and presence every instance sees.

-- The kind of participant an event was about (sip, agent, user, other): an agent's join delivered before the
-- caller's own join still answers the call the caller's join opens.
ALTER TABLE ringline_webhook_events ADD COLUMN IF NOT EXISTS participant_kind text;

-- Who holds an `/events` stream, per server instance, kept alive by a heartbeat: a row whose `expires_at` has
-- passed (the instance died without cleaning up) no longer counts as online.
CREATE TABLE IF NOT EXISTS ringline_presence (
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  instance_id text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, user_id, instance_id)
);
CREATE INDEX IF NOT EXISTS ringline_presence_expiry ON ringline_presence (tenant_id, expires_at);
