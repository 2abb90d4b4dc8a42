import type { Binaries } from './binaries'
import { NUMBERS, PHONE_NUMBERS, RESOURCE_NAMES, type ResolvedOptions } from './config'
import type { SandboxInfo } from './types'

/** The plain-JSON description of a freshly started stack (what `state.json` and vitest's `provide` carry). */
export function buildInfo(
  o: ResolvedOptions,
  binaries: Binaries,
  ids: { inboundTrunkId: string; outboundTrunkId: string; dispatchRuleId: string },
  sipUnavailableReason: string | undefined,
): SandboxInfo {
  const p = o.ports
  const wsUrl = `ws://127.0.0.1:${p.livekit}`
  const info: SandboxInfo = {
    livekit: { url: `http://127.0.0.1:${p.livekit}`, wsUrl, apiKey: o.apiKey, apiSecret: o.apiSecret },
    sip: {
      available: sipUnavailableReason === undefined,
      ...(sipUnavailableReason === undefined ? {} : { unavailableReason: sipUnavailableReason }),
      inboundNumber: NUMBERS.inbound,
      outboundTrunkId: ids.outboundTrunkId,
      inboundTrunkId: ids.inboundTrunkId,
      dispatchRuleId: ids.dispatchRuleId,
      freeNumbers: [...NUMBERS.free],
      callerId: NUMBERS.callerId,
      roomPrefix: RESOURCE_NAMES.roomPrefix,
      address: `127.0.0.1:${p.sip}`,
    },
    phone: {
      numbers: { ...PHONE_NUMBERS },
      address: `127.0.0.1:${p.phone}`,
      defaultCaller: NUMBERS.phoneCaller,
    },
    redis: { url: `redis://127.0.0.1:${p.redis}` },
    webhooks: { relayUrl: `http://127.0.0.1:${p.hub}/webhook`, hubUrl: `http://127.0.0.1:${p.hub}` },
    stateDir: o.stateDir,
    ports: { ...p },
    env: {},
    binaries: {
      sipp: binaries.sipp,
      livekitServer: binaries.livekitServer,
      livekitSip: binaries.livekitSip,
      redisServer: binaries.redisServer,
    },
  }
  info.env = envLines(info)
  return info
}

/** The environment variables an app needs to use the sandbox (`ringline-sandbox up` prints them). */
export function envLines(info: SandboxInfo): Record<string, string> {
  return {
    LIVEKIT_URL: info.livekit.wsUrl,
    LIVEKIT_API_KEY: info.livekit.apiKey,
    LIVEKIT_API_SECRET: info.livekit.apiSecret,
    LIVEKIT_SIP_OUTBOUND_TRUNK_ID: info.sip.outboundTrunkId,
    RINGLINE_CALLER_ID: info.sip.callerId,
    RINGLINE_SANDBOX_NUMBER: info.sip.inboundNumber,
  }
}
