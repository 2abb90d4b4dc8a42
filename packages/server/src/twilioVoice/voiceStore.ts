import { iso } from '../sql/rows'
import type { Queryable } from '../sql/types'

/** A tenant's Twilio Voice settings as stored: secrets as secret-box envelopes. */
export interface StoredTwilioVoice {
  tenantId: string
  accountSid: string
  apiKeySid: string
  apiKeySecretCiphertext: string
  authTokenCiphertext: string
  secretKeyId: string
  twimlAppSid: string | null
  callerId: string | null
  setupMethod: 'auto' | 'manual'
  updatedAt: string
}

interface Row {
  tenant_id: string
  account_sid: string
  api_key_sid: string
  api_key_secret_ciphertext: string
  auth_token_ciphertext: string
  secret_key_id: string
  twiml_app_sid: string | null
  caller_id: string | null
  setup_method: 'auto' | 'manual'
  updated_at: Date | string
}

function fromRow(r: Row): StoredTwilioVoice {
  return {
    tenantId: r.tenant_id,
    accountSid: r.account_sid,
    apiKeySid: r.api_key_sid,
    apiKeySecretCiphertext: r.api_key_secret_ciphertext,
    authTokenCiphertext: r.auth_token_ciphertext,
    secretKeyId: r.secret_key_id,
    twimlAppSid: r.twiml_app_sid,
    callerId: r.caller_id,
    setupMethod: r.setup_method,
    updatedAt: iso(r.updated_at),
  }
}

/** The Twilio Voice settings of a tenant, if any. */
export async function getTwilioVoice(q: Queryable, tenantId: string): Promise<StoredTwilioVoice | null> {
  const { rows } = await q.query<Row>('SELECT * FROM ringline_twilio_voice WHERE tenant_id = $1', [tenantId])
  return rows[0] ? fromRow(rows[0]) : null
}

/** Inserts or replaces a tenant's Twilio Voice settings. */
export async function saveTwilioVoice(
  q: Queryable,
  v: Omit<StoredTwilioVoice, 'updatedAt'>,
): Promise<StoredTwilioVoice> {
  const { rows } = await q.query<Row>(
    `INSERT INTO ringline_twilio_voice (tenant_id, account_sid, api_key_sid, api_key_secret_ciphertext,
       auth_token_ciphertext, secret_key_id, twiml_app_sid, caller_id, setup_method)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (tenant_id) DO UPDATE SET account_sid = EXCLUDED.account_sid, api_key_sid = EXCLUDED.api_key_sid,
       api_key_secret_ciphertext = EXCLUDED.api_key_secret_ciphertext,
       auth_token_ciphertext = EXCLUDED.auth_token_ciphertext, secret_key_id = EXCLUDED.secret_key_id,
       twiml_app_sid = EXCLUDED.twiml_app_sid, caller_id = EXCLUDED.caller_id,
       setup_method = EXCLUDED.setup_method, updated_at = now()
     RETURNING *`,
    [
      v.tenantId,
      v.accountSid,
      v.apiKeySid,
      v.apiKeySecretCiphertext,
      v.authTokenCiphertext,
      v.secretKeyId,
      v.twimlAppSid,
      v.callerId,
      v.setupMethod,
    ],
  )
  const row = rows[0]
  if (!row) throw new Error('twilio voice upsert returned no row')
  return fromRow(row)
}

/** Removes a tenant's Twilio Voice settings; true when there were some. */
export async function deleteTwilioVoice(q: Queryable, tenantId: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM ringline_twilio_voice WHERE tenant_id = $1', [tenantId])
  return rowCount > 0
}
