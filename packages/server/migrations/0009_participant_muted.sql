-- Ringline schema, version 9: each participant's last known microphone mute state.

-- `muted`: null while unknown. `muted_key`: the order key of the fact that set it (see participantRepository.ts):
-- a fact only replaces one with a smaller key, so duplicated and reordered webhooks and mute reports give the same
-- final state.
ALTER TABLE ringline_call_participants
  ADD COLUMN IF NOT EXISTS muted boolean,
  ADD COLUMN IF NOT EXISTS muted_key text;

-- A microphone track event's `track.muted`: one delivered before its inbound call exists (the caller's join opens
-- it) is applied from here when the call is recorded.
ALTER TABLE ringline_webhook_events ADD COLUMN IF NOT EXISTS muted boolean;
