import { camelColumns, columnValues, iso, upsertSql } from '../sql/rows'
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
  /** `env` only for the `TWILIO_*` fallback, which is never stored. */
  setupMethod: 'auto' | 'manual' | 'env'
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

/** Columns written by `saveTwilioVoice`, in parameter order ($1…). */
const COLUMNS = [
  'tenant_id',
  'account_sid',
  'api_key_sid',
  'api_key_secret_ciphertext',
  'auth_token_ciphertext',
  'secret_key_id',
  'twiml_app_sid',
  'caller_id',
  'setup_method',
] as const
const ROW_COLUMNS = [...COLUMNS, 'updated_at'] as const
const UPSERT = upsertSql('ringline_twilio_voice', COLUMNS, {
  conflict: 'tenant_id',
  keep: ['tenant_id'],
  set: ['updated_at = now()'],
  returning: '*',
})

function fromRow(r: Row): StoredTwilioVoice {
  return camelColumns(r, ROW_COLUMNS, { updated_at: iso })
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
  const { rows } = await q.query<Row>(UPSERT, columnValues(v, COLUMNS))
  const row = rows[0]
  if (!row) throw new Error('twilio voice upsert returned no row')
  return fromRow(row)
}

/** Removes a tenant's Twilio Voice settings; true when there were some. */
export async function deleteTwilioVoice(q: Queryable, tenantId: string): Promise<boolean> {
  const { rowCount } = await q.query('DELETE FROM ringline_twilio_voice WHERE tenant_id = $1', [tenantId])
  return rowCount > 0
}
