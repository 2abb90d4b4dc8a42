import { AsyncLocalStorage } from 'node:async_hooks'
import { HttpError } from '../http/errors'
import { camelColumns, columnValues, date, json, upsertSql } from '../sql/rows'
import type { RinglineStore } from '../sql/types'
import type {
  AuditEntry,
  ConnectStep,
  NumberConnectionRecord,
  RoutingPolicy,
  TwilioIntegrationRecord,
  TwilioOnboardingStore,
} from './types'

/** Options of {@link sqlTwilioOnboardingStore}. */
export interface SqlTwilioOnboardingStoreOptions {
  /**
   * PostgreSQL only: how many lock chains of this process may hold a pool connection at once (default 3).
   * Each chain holds one connection for its outer lock and at most one for a nested lock, so keep
   * `2 × maxLockChains` below the pool size (default pool: 10) to leave connections for queries.
   */
  maxLockChains?: number
}

interface IntegrationRow {
  tenant_id: string
  account_sid: string
  api_key_sid: string
  secret_ciphertext: string
  secret_key_id: string
  status: TwilioIntegrationRecord['status']
  created_at: Date | string
  updated_at: Date | string
}

interface ConnectionRow {
  id: string
  tenant_id: string
  phone_number_sid: string
  e164: string
  trunk_sid: string | null
  origination_url_sid: string | null
  credential_list_sid: string | null
  livekit_inbound_trunk_id: string | null
  livekit_dispatch_rule_id: string | null
  livekit_outbound_trunk_id: string | null
  routing_policy: RoutingPolicy | string
  status: NumberConnectionRecord['status']
  created_at: Date | string
  updated_at: Date | string
  trunk_strategy: NumberConnectionRecord['trunkStrategy']
  sip_target: string | null
  termination_domain: string | null
  credential_sid: string | null
  termination_username: string | null
  termination_password_ciphertext: string | null
  termination_password_key_id: string | null
  steps: ConnectStep[] | string
  last_error_code: string | null
}

/** Columns of `ringline_twilio_integrations`, in parameter order ($1…) of `saveIntegration`. */
const INTEGRATION_COLUMNS = [
  'tenant_id',
  'account_sid',
  'api_key_sid',
  'secret_ciphertext',
  'secret_key_id',
  'status',
  'created_at',
  'updated_at',
] as const
const UPSERT_INTEGRATION = upsertSql('ringline_twilio_integrations', INTEGRATION_COLUMNS, {
  conflict: 'tenant_id',
  keep: ['tenant_id', 'created_at'],
})

/** Columns read and written by `saveConnection`, in parameter order ($1…). */
const CONNECTION_COLUMNS = [
  'id',
  'tenant_id',
  'phone_number_sid',
  'e164',
  'trunk_sid',
  'origination_url_sid',
  'credential_list_sid',
  'livekit_inbound_trunk_id',
  'livekit_dispatch_rule_id',
  'livekit_outbound_trunk_id',
  'routing_policy',
  'status',
  'created_at',
  'updated_at',
  'trunk_strategy',
  'sip_target',
  'termination_domain',
  'credential_sid',
  'termination_username',
  'termination_password_ciphertext',
  'termination_password_key_id',
  'steps',
  'last_error_code',
] as const
const UPSERT_CONNECTION = upsertSql('ringline_number_connections', CONNECTION_COLUMNS, {
  conflict: 'phone_number_sid',
  keep: ['id', 'created_at'],
  jsonb: ['routing_policy', 'steps'],
})

function toIntegration(r: IntegrationRow): TwilioIntegrationRecord {
  return camelColumns(r, INTEGRATION_COLUMNS, { created_at: date, updated_at: date })
}

function toConnection(r: ConnectionRow): NumberConnectionRecord {
  return camelColumns(r, CONNECTION_COLUMNS, {
    routing_policy: json<RoutingPolicy>,
    created_at: date,
    updated_at: date,
    steps: (steps: ConnectionRow['steps']) => json(steps) ?? [],
  })
}

/** In-process FIFO lock per key, shared by every onboarding store over the same Ringline store. */
type LocalLocks = Map<string, Promise<unknown>>
const localLocksByStore = new WeakMap<object, LocalLocks>()

function localLock<T>(locks: LocalLocks, key: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve()
  const run = previous.then(fn, fn)
  const tail = run.catch(() => undefined)
  locks.set(key, tail)
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key)
  })
  return run
}

/** A counting semaphore for pool connections held by lock chains. */
function semaphore(size: number) {
  let free = Math.max(1, size)
  const waiting: Array<() => void> = []
  return {
    async acquire(): Promise<void> {
      if (free > 0) {
        free -= 1
        return
      }
      await new Promise<void>((resolve) => waiting.push(resolve))
    },
    release(): void {
      const next = waiting.shift()
      if (next) next()
      else free += 1
    },
  }
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505'

/**
 * `TwilioOnboardingStore` on `ringline_twilio_integrations`, `ringline_number_connections` and `ringline_audit_log`
 * (migrations 0001 + 0002), over PGlite or PostgreSQL.
 *
 * Locks: on PostgreSQL `withLock` takes `pg_advisory_xact_lock(hashtext(key))` in a transaction of its own, so
 * every server instance on the database serializes on the key; the callback's queries run outside that
 * transaction, so progress is visible while it runs. On PGlite (one process owns the data folder, one connection)
 * an in-process lock per key does the same job: a PGlite transaction would block every other query.
 * @example createTwilioOnboarding({ store: sqlTwilioOnboardingStore(ringline.store), secretBox, livekit })
 */
export function sqlTwilioOnboardingStore(
  store: RinglineStore,
  options: SqlTwilioOnboardingStoreOptions = {},
): TwilioOnboardingStore {
  let local = localLocksByStore.get(store)
  if (!local) {
    local = new Map()
    localLocksByStore.set(store, local)
  }
  const locks = local
  const chains = semaphore(options.maxLockChains ?? 3)
  /** Keys the current async chain holds (nested `withLock` calls skip the chain semaphore and re-enter freely). */
  const held = new AsyncLocalStorage<ReadonlySet<string>>()

  async function advisory<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined
    try {
      await store.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key])
        outcome = await fn().then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        )
      })
    } catch (error) {
      // Failing to take the lock is an error; failing to commit an empty transaction after `fn` ran is not.
      if (!outcome) throw error
    }
    if (!outcome) throw new Error('lock transaction ended without running its callback')
    if (!outcome.ok) throw outcome.error
    return outcome.value
  }

  return {
    async getIntegration(tenantId) {
      const { rows } = await store.query<IntegrationRow>(
        'SELECT * FROM ringline_twilio_integrations WHERE tenant_id = $1',
        [tenantId],
      )
      return rows[0] ? toIntegration(rows[0]) : null
    },

    async saveIntegration(r) {
      await store.query(UPSERT_INTEGRATION, columnValues(r, INTEGRATION_COLUMNS))
    },

    async deleteIntegration(tenantId) {
      const { rowCount } = await store.query(
        'DELETE FROM ringline_twilio_integrations WHERE tenant_id = $1',
        [tenantId],
      )
      return rowCount > 0
    },

    async getConnection(phoneNumberSid) {
      const { rows } = await store.query<ConnectionRow>(
        'SELECT * FROM ringline_number_connections WHERE phone_number_sid = $1',
        [phoneNumberSid],
      )
      return rows[0] ? toConnection(rows[0]) : null
    },

    async listConnections(tenantId) {
      const { rows } = await store.query<ConnectionRow>(
        `SELECT * FROM ringline_number_connections
         WHERE tenant_id = $1 AND phone_number_sid IS NOT NULL ORDER BY created_at ASC, id ASC`,
        [tenantId],
      )
      return rows.map(toConnection)
    },

    async saveConnection(r) {
      // A row for the same number without a Twilio SID (written by `provisionNumber`) or left disconnected is
      // adopted by this connection instead of clashing with it on the unique `e164`.
      await store.query(
        `UPDATE ringline_number_connections SET phone_number_sid = $1, updated_at = now()
         WHERE e164 = $2 AND phone_number_sid IS DISTINCT FROM $1
           AND (tenant_id = $3 OR status = 'disconnected')
           AND NOT EXISTS (SELECT 1 FROM ringline_number_connections WHERE phone_number_sid = $1)`,
        [r.phoneNumberSid, r.e164, r.tenantId],
      )
      try {
        await store.query(
          UPSERT_CONNECTION,
          columnValues(r, CONNECTION_COLUMNS, { routing_policy: JSON.stringify, steps: JSON.stringify }),
        )
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        throw new HttpError('NUMBER_IN_USE', `${r.e164} is connected to another workspace.`, { cause: error })
      }
    },

    async appendAudit(entry: AuditEntry) {
      await store.query(
        `INSERT INTO ringline_audit_log (id, tenant_id, user_id, action, target, detail, created_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
        [
          entry.id,
          entry.tenantId,
          entry.userId,
          entry.action,
          entry.target,
          JSON.stringify(entry.detail),
          entry.createdAt,
        ],
      )
    },

    withLock(key, fn) {
      const mine = held.getStore()
      if (mine?.has(key)) return fn()
      const inner = () => held.run(new Set([...(mine ?? []), key]), fn)
      return localLock(locks, key, async () => {
        if (store.kind !== 'postgres') return inner()
        // Only outer locks count against the semaphore: a nested one must never wait for a chain to finish.
        if (mine) return advisory(key, inner)
        await chains.acquire()
        try {
          return await advisory(key, inner)
        } finally {
          chains.release()
        }
      })
    },
  }
}
