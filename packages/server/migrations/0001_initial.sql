-- Ringline schema, version 1. The same SQL runs on PGlite and PostgreSQL.

CREATE TABLE IF NOT EXISTS ringline_calls (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('outbound', 'inbound', 'internal')),
  status text NOT NULL CHECK (status IN ('initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'canceled', 'failed', 'declined', 'missed')),
  room_name text NOT NULL,
  from_number text,
  to_number text,
  contact_id text,
  created_by text,
  answered_by text,
  sip_call_id text,
  sip_status_code integer,
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
-- A room name identifies one open call; internal rooms are reused by name once the previous call ended.
CREATE UNIQUE INDEX IF NOT EXISTS ringline_calls_open_room_name ON ringline_calls (room_name) WHERE ended_at IS NULL;
CREATE INDEX IF NOT EXISTS ringline_calls_room_name ON ringline_calls (room_name);
CREATE INDEX IF NOT EXISTS ringline_calls_tenant_started ON ringline_calls (tenant_id, started_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS ringline_calls_open ON ringline_calls (started_at) WHERE ended_at IS NULL;

CREATE TABLE IF NOT EXISTS ringline_call_participants (
  call_id text NOT NULL REFERENCES ringline_calls (id) ON DELETE CASCADE,
  identity text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('user', 'sip', 'agent', 'other')),
  name text,
  user_id text,
  joined_at timestamptz,
  left_at timestamptz,
  PRIMARY KEY (call_id, identity)
);

CREATE TABLE IF NOT EXISTS ringline_webhook_events (
  id text PRIMARY KEY,
  source text NOT NULL DEFAULT 'livekit',
  event text NOT NULL,
  room_name text,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ringline_webhook_events_received ON ringline_webhook_events (received_at);

CREATE TABLE IF NOT EXISTS ringline_twilio_integrations (
  tenant_id text PRIMARY KEY,
  account_sid text NOT NULL,
  api_key_sid text NOT NULL,
  secret_ciphertext text NOT NULL,
  secret_key_id text NOT NULL,
  status text NOT NULL DEFAULT 'saved',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS ringline_number_connections (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  phone_number_sid text UNIQUE,
  e164 text NOT NULL UNIQUE,
  trunk_sid text,
  origination_url_sid text,
  credential_list_sid text,
  livekit_inbound_trunk_id text,
  livekit_dispatch_rule_id text,
  livekit_outbound_trunk_id text,
  routing_policy jsonb NOT NULL DEFAULT '{"policy":"ring-all"}'::jsonb,
  status text NOT NULL DEFAULT 'connected',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ringline_number_connections_tenant ON ringline_number_connections (tenant_id);

CREATE TABLE IF NOT EXISTS ringline_agent_dispatches (
  id text PRIMARY KEY,
  call_id text NOT NULL REFERENCES ringline_calls (id) ON DELETE CASCADE,
  agent_name text NOT NULL,
  dispatch_id text,
  metadata text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (call_id, agent_name)
);

CREATE TABLE IF NOT EXISTS ringline_audit_log (
  id text PRIMARY KEY,
  tenant_id text,
  user_id text,
  action text NOT NULL,
  target text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ringline_audit_log_tenant ON ringline_audit_log (tenant_id, created_at DESC);
