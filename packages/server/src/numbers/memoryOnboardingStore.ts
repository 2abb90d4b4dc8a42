import type {
  AuditEntry,
  NumberConnectionRecord,
  TwilioIntegrationRecord,
  TwilioOnboardingStore,
} from './types'

/** The in-memory store plus read access for assertions. */
export interface MemoryTwilioOnboardingStore extends TwilioOnboardingStore {
  /** Every audit row, oldest first. */
  readonly audit: readonly AuditEntry[]
  /** Raw rows, for tests that scan what would be persisted. */
  dump(): {
    integrations: TwilioIntegrationRecord[]
    connections: NumberConnectionRecord[]
    audit: AuditEntry[]
  }
}

const clone = <T>(v: T): T => structuredClone(v)

/**
 * TEST DOUBLE: an in-process `TwilioOnboardingStore` for tests and the single-process `sipSetup`.
 * Locks only serialize within this process; production uses the SQL store.
 */
export function createMemoryTwilioOnboardingStore(): MemoryTwilioOnboardingStore {
  const integrations = new Map<string, TwilioIntegrationRecord>()
  const connections = new Map<string, NumberConnectionRecord>()
  const audit: AuditEntry[] = []
  const tails = new Map<string, Promise<unknown>>()

  return {
    async getIntegration(tenantId) {
      const r = integrations.get(tenantId)
      return r ? clone(r) : null
    },
    async saveIntegration(record) {
      integrations.set(record.tenantId, clone(record))
    },
    async deleteIntegration(tenantId) {
      return integrations.delete(tenantId)
    },
    async getConnection(phoneNumberSid) {
      const r = connections.get(phoneNumberSid)
      return r ? clone(r) : null
    },
    async listConnections(tenantId) {
      return [...connections.values()].filter((c) => c.tenantId === tenantId).map(clone)
    },
    async saveConnection(record) {
      // Mirror the SQL unique constraint on e164.
      for (const c of connections.values()) {
        if (c.e164 === record.e164 && c.phoneNumberSid !== record.phoneNumberSid) {
          throw new Error(`unique violation: e164 ${record.e164} already stored for ${c.phoneNumberSid}`)
        }
      }
      connections.set(record.phoneNumberSid, clone(record))
    },
    async appendAudit(entry) {
      audit.push(clone(entry))
    },
    withLock(key, fn) {
      const previous = tails.get(key) ?? Promise.resolve()
      const run = previous.then(fn, fn)
      const tail = run.catch(() => undefined)
      tails.set(key, tail)
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key)
      })
      return run
    },
    get audit() {
      return audit
    },
    dump: () => ({
      integrations: [...integrations.values()].map(clone),
      connections: [...connections.values()].map(clone),
      audit: audit.map(clone),
    }),
  }
}
