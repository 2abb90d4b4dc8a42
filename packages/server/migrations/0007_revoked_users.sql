-- Ringline schema, version 7: users whose access the host revoked (sign-out, tenant switch). While a row exists,
-- every authenticated request of that user is refused with ACCESS_REVOKED; `restoreUser` deletes it.
-- The same SQL runs on PGlite and PostgreSQL.

CREATE TABLE IF NOT EXISTS ringline_revoked_users (
  tenant_id text NOT NULL,
  user_id text NOT NULL,
  revoked_at timestamptz NOT NULL DEFAULT now(),
  reason text,
  PRIMARY KEY (tenant_id, user_id)
);
