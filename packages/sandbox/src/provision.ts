import { SIPTransport } from '@livekit/protocol'
import { SipClient } from 'livekit-server-sdk'
import { NUMBERS, RESOURCE_NAMES } from './config'

export interface Provisioned {
  inboundTrunkId: string
  outboundTrunkId: string
  dispatchRuleId: string
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join()

/**
 * Creates (or finds by name and reuses) the sandbox's LiveKit SIP resources:
 * an inbound trunk for the sandbox number, an individual dispatch rule (room prefix `sandbox`),
 * and an outbound trunk to the phone simulator. A resource whose settings no longer match
 * (e.g. another phone port) is replaced. Redis keeps them while it runs.
 */
export async function provision(opts: {
  url: string
  apiKey: string
  apiSecret: string
  phoneAddress: string
}): Promise<Provisioned> {
  const sip = new SipClient(opts.url, opts.apiKey, opts.apiSecret)

  let outbound = (await sip.listSipOutboundTrunk()).find((t) => t.name === RESOURCE_NAMES.outboundTrunk)
  if (
    outbound &&
    (outbound.address !== opts.phoneAddress ||
      !sameSet(outbound.numbers, [NUMBERS.callerId]) ||
      outbound.transport !== SIPTransport.SIP_TRANSPORT_UDP)
  ) {
    await sip.deleteSipTrunk(outbound.sipTrunkId)
    outbound = undefined
  }
  outbound ??= await sip.createSipOutboundTrunk(
    RESOURCE_NAMES.outboundTrunk,
    opts.phoneAddress,
    [NUMBERS.callerId],
    {
      transport: SIPTransport.SIP_TRANSPORT_UDP,
      metadata: 'ringline-sandbox',
    },
  )

  let inbound = (await sip.listSipInboundTrunk()).find((t) => t.name === RESOURCE_NAMES.inboundTrunk)
  if (
    inbound &&
    (!sameSet(inbound.numbers, [NUMBERS.inbound]) || !sameSet(inbound.allowedAddresses, ['127.0.0.1']))
  ) {
    await sip.deleteSipTrunk(inbound.sipTrunkId)
    inbound = undefined
  }
  inbound ??= await sip.createSipInboundTrunk(RESOURCE_NAMES.inboundTrunk, [NUMBERS.inbound], {
    allowedAddresses: ['127.0.0.1'],
    metadata: 'ringline-sandbox',
  })

  let rule = (await sip.listSipDispatchRule()).find((r) => r.name === RESOURCE_NAMES.dispatchRule)
  const ruleOk =
    rule &&
    sameSet(rule.trunkIds, [inbound.sipTrunkId]) &&
    rule.rule?.rule.case === 'dispatchRuleIndividual' &&
    rule.rule.rule.value.roomPrefix === RESOURCE_NAMES.roomPrefix
  if (rule && !ruleOk) {
    await sip.deleteSipDispatchRule(rule.sipDispatchRuleId)
    rule = undefined
  }
  rule ??= await sip.createSipDispatchRule(
    { type: 'individual', roomPrefix: RESOURCE_NAMES.roomPrefix },
    { name: RESOURCE_NAMES.dispatchRule, trunkIds: [inbound.sipTrunkId], metadata: 'ringline-sandbox' },
  )

  return {
    inboundTrunkId: inbound.sipTrunkId,
    outboundTrunkId: outbound.sipTrunkId,
    dispatchRuleId: rule.sipDispatchRuleId,
  }
}
