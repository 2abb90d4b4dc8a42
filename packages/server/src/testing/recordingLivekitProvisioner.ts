import { randomBytes } from 'node:crypto'
import type { LivekitSipProvisioner, RoutingPolicy } from '../numbers/types'

/** State a {@link createRecordingLivekitProvisioner} holds, for assertions. */
export interface RecordingLivekitState {
  inbound: Map<string, { trunkId: string; ruleId: string; tenantId: string; policy: RoutingPolicy }>
  outbound: Map<
    string,
    { trunkId: string; address: string; username: string; password: string; numbers: string[] }
  >
  calls: Array<{ method: keyof LivekitSipProvisioner; e164?: string; address?: string }>
}

/**
 * TEST DOUBLE: an in-memory, idempotent LiveKit provisioner that records calls (inbound by E.164,
 * outbound by address). Used where no LiveKit server runs; the sandbox covers the real one.
 */
export function createRecordingLivekitProvisioner(): LivekitSipProvisioner & {
  state: RecordingLivekitState
  failNext: (method: keyof LivekitSipProvisioner) => void
} {
  const state: RecordingLivekitState = { inbound: new Map(), outbound: new Map(), calls: [] }
  const failures = new Set<keyof LivekitSipProvisioner>()
  const maybeFail = (method: keyof LivekitSipProvisioner) => {
    if (failures.delete(method)) throw new Error(`injected ${method} failure`)
  }
  const id = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`
  return {
    state,
    failNext: (method) => failures.add(method),
    async provisionInbound({ e164, tenantId, policy }) {
      state.calls.push({ method: 'provisionInbound', e164 })
      maybeFail('provisionInbound')
      const existing = state.inbound.get(e164)
      if (existing) {
        existing.policy = policy
        return {
          trunkId: existing.trunkId,
          ruleId: existing.ruleId,
          trunkStatus: 'reused',
          ruleStatus: 'reused',
        }
      }
      const created = { trunkId: id('ST'), ruleId: id('SDR'), tenantId, policy }
      state.inbound.set(e164, created)
      return {
        trunkId: created.trunkId,
        ruleId: created.ruleId,
        trunkStatus: 'created',
        ruleStatus: 'created',
      }
    },
    async ensureOutboundTrunk({ address, auth, numbers }) {
      state.calls.push({ method: 'ensureOutboundTrunk', address })
      maybeFail('ensureOutboundTrunk')
      const existing = state.outbound.get(address)
      if (existing) {
        const changed =
          existing.password !== auth.password ||
          existing.username !== auth.username ||
          existing.numbers.join() !== numbers.join()
        Object.assign(existing, { username: auth.username, password: auth.password, numbers: [...numbers] })
        return { trunkId: existing.trunkId, status: changed ? 'updated' : 'reused' }
      }
      const created = {
        trunkId: id('ST'),
        address,
        username: auth.username,
        password: auth.password,
        numbers: [...numbers],
      }
      state.outbound.set(address, created)
      return { trunkId: created.trunkId, status: 'created' }
    },
    async removeInbound({ e164 }) {
      state.calls.push({ method: 'removeInbound', e164 })
      maybeFail('removeInbound')
      state.inbound.delete(e164)
    },
  }
}
