-- Ringline schema, version 5: call records that do not depend on the order LiveKit's webhooks arrive in.

-- Every LiveKit session (participant sid) of a participant, with the times LiveKit gave for its join and leave.
-- A sid joins at most once and leaves at most once, so presence is a function of the set of events:
-- present while some session has joined and not left, whichever order the two arrived in.
ALTER TABLE ringline_call_participants ADD COLUMN IF NOT EXISTS sessions jsonb NOT NULL DEFAULT '{}'::jsonb;

-- Who the event was about and when LiveKit created it: a participant leaving (or a room finishing) before its
-- join arrived is remembered here, so the late join never opens a call for a caller who already hung up.
ALTER TABLE ringline_webhook_events ADD COLUMN IF NOT EXISTS identity text;
ALTER TABLE ringline_webhook_events ADD COLUMN IF NOT EXISTS event_at timestamptz;
CREATE INDEX IF NOT EXISTS ringline_webhook_events_room ON ringline_webhook_events (room_name, event);
