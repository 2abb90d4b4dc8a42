-- Ringline schema, version 8: the event log `/events` resumes from.

-- Every event published to `/events` streams, in publish order (`seq`), so a stream resumes with `Last-Event-ID`
-- on any instance — after a restart, behind a load balancer, or once a dropped LISTEN connection is back — not
-- only on the instance that sent the last event. Rows older than an hour are pruned while webhooks are handled.
CREATE TABLE IF NOT EXISTS ringline_events (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  tenant_id text NOT NULL,
  -- User ids the event is for (null: everyone in the tenant).
  audience jsonb,
  event jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ringline_events_tenant_seq ON ringline_events (tenant_id, seq);
CREATE INDEX IF NOT EXISTS ringline_events_created ON ringline_events (created_at);
