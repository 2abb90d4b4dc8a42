-- Twilio Voice as a second transport: a tenant's Programmable Voice settings (browser Device + TwiML app).
-- Secrets are secret-box envelopes (AES-256-GCM) bound to the tenant; the key id beside them is for rotation.
-- The same SQL runs on PGlite and PostgreSQL.

CREATE TABLE IF NOT EXISTS ringline_twilio_voice (
  tenant_id text PRIMARY KEY,
  account_sid text NOT NULL,
  api_key_sid text NOT NULL,
  api_key_secret_ciphertext text NOT NULL,
  -- The Auth Token signs Twilio's webhooks (X-Twilio-Signature); an API key secret cannot verify them.
  auth_token_ciphertext text NOT NULL,
  secret_key_id text NOT NULL,
  twiml_app_sid text,
  caller_id text,
  setup_method text NOT NULL CHECK (setup_method IN ('auto', 'manual')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS ringline_twilio_voice_account ON ringline_twilio_voice (account_sid);

-- Status callbacks name the Twilio CallSid, kept in sip_call_id for Twilio Voice calls.
CREATE INDEX IF NOT EXISTS ringline_calls_sip_call_id ON ringline_calls (sip_call_id) WHERE sip_call_id IS NOT NULL;
