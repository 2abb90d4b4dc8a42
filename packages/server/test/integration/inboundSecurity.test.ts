// Inbound trunks are not open to spoofing: an INVITE from an address the trunk does not allow, or without the
// trunk's digest credentials, never rings anyone. The sandbox phone calls from 127.0.0.1 with no credentials.
import type { RinglineEvent } from '@ringline/core/protocol'
import { itWithSip } from '@ringline/sandbox/vitest'
import { SipClient } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { type Harness, startHarness } from './harness'

// Numbers only this file provisions (not in the sandbox's free list, which other files use).
const BY_ADDRESS = '+15550009097'
const BY_AUTH = '+15550009098'

describe('inbound trunk security on the sandbox', () => {
  let h: Harness
  let sip: SipClient
  const made: Array<{ trunk: string; rule: string }> = []
  beforeAll(async () => {
    h = await startHarness()
    sip = new SipClient(h.sandbox.livekit.url, h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret)
  })
  afterAll(async () => {
    for (const { trunk, rule } of made) {
      await sip.deleteSipDispatchRule(rule).catch(() => undefined)
      await sip.deleteSipTrunk(trunk).catch(() => undefined)
    }
    await h.close()
  })

  const provision = async (input: Parameters<Harness['ringline']['api']['provisionNumber']>[0]) => {
    const row = await h.ringline.api.provisionNumber(input)
    const ids = { trunk: row.livekitInboundTrunkId ?? '', rule: row.livekitDispatchRuleId ?? '' }
    if (!made.some((m) => m.trunk === ids.trunk)) made.push(ids)
    return ids
  }
  const incomingTo = (number: string) =>
    h.events.filter(
      (e): e is Extract<RinglineEvent, { type: 'call.incoming' }> =>
        e.type === 'call.incoming' && e.call.toNumber === number,
    )

  itWithSip(
    'an INVITE from an address the trunk does not allow is refused; allowing it makes the call ring',
    async () => {
      // 192.0.2.0/24 is TEST-NET-1: nobody calls from there.
      const { trunk } = await provision({
        e164: BY_ADDRESS,
        tenantId: h.tenant,
        allowedAddresses: ['192.0.2.1/32'],
      })
      const refused = await h.sandbox.phone.call(BY_ADDRESS, { from: '+15550001301', timeoutMs: 6_000 })
      // livekit-sip finds no trunk for this source and closes the call as a flood ("486 flood" in its log); it keeps
      // a scanner guessing with a provisional 180 and no final answer, so the phone only sees that nobody answers.
      expect(refused.answered).toBe(false)
      expect(refused.status).not.toBe(200)
      // Webhooks of anything LiveKit did are relayed within a second or two.
      await new Promise((resolve) => setTimeout(resolve, 2000))
      expect(incomingTo(BY_ADDRESS)).toEqual([])

      // Provisioning again with the phone's address updates the same trunk; now the call rings Ringline.
      const again = await provision({ e164: BY_ADDRESS, tenantId: h.tenant, allowedAddresses: ['127.0.0.1'] })
      expect(again.trunk).toBe(trunk)
      const [info] = await sip.listSipInboundTrunk({ trunkIds: [trunk] })
      expect(info?.allowedAddresses).toEqual(['127.0.0.1'])
      const call = h.sandbox.phone.call(BY_ADDRESS, { from: '+15550001302', timeoutMs: 20_000 })
      const incoming = await h.waitForEvent(
        (e) =>
          e.type === 'call.incoming' &&
          e.call.toNumber === BY_ADDRESS &&
          e.call.fromNumber === '+15550001302',
      )
      expect(incoming.type).toBe('call.incoming')
      await call.hangup()
      await call
    },
  )

  itWithSip("an INVITE without the trunk's digest credentials is challenged and never rings", async () => {
    const { trunk } = await provision({
      e164: BY_AUTH,
      tenantId: h.tenant,
      auth: { username: 'carrier', password: 'inbound-digest-password-for-tests' },
    })
    const [info] = await sip.listSipInboundTrunk({ trunkIds: [trunk] })
    expect(info?.authUsername).toBe('carrier')
    const refused = await h.sandbox.phone.call(BY_AUTH, { from: '+15550001303', timeoutMs: 10_000 })
    expect(refused.answered).toBe(false)
    expect(refused.ringingAt).toBeNull()
    await new Promise((resolve) => setTimeout(resolve, 2000))
    expect(incomingTo(BY_AUTH)).toEqual([])
  })
})
