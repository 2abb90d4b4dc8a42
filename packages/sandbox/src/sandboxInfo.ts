import { join } from 'node:path'
import type { Binaries } from './binaries'
import { NUMBERS, PHONE_NUMBERS, RESOURCE_NAMES, type ResolvedOptions, S3_SETTINGS } from './config'
import type { SandboxInfo } from './types'

/** The plain-JSON description of a freshly started stack (what `state.json` and vitest's `provide` carry). */
export function buildInfo(
  o: ResolvedOptions,
  binaries: Binaries,
  ids: { inboundTrunkId: string; outboundTrunkId: string; dispatchRuleId: string },
  sipUnavailableReason: string | undefined,
  egressUnavailableReason?: string,
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
    recording: {
      available: egressUnavailableReason === undefined && !!binaries.egress,
      ...(egressUnavailableReason === undefined && binaries.egress
        ? {}
        : { unavailableReason: egressUnavailableReason ?? 'egress was not started' }),
      egressHealthUrl: `http://127.0.0.1:${p.egressHealth}/`,
      s3: {
        endpoint: `http://127.0.0.1:${p.s3}`,
        bucket: S3_SETTINGS.bucket,
        region: S3_SETTINGS.region,
        accessKeyId: S3_SETTINGS.accessKeyId,
        secretAccessKey: S3_SETTINGS.secretAccessKey,
        directory: join(o.stateDir, 's3'),
      },
    },
    webhooks: { relayUrl: `http://127.0.0.1:${p.hub}/webhook`, hubUrl: `http://127.0.0.1:${p.hub}` },
    stateDir: o.stateDir,
    ports: { ...p },
    env: {},
    binaries: {
      sipp: binaries.sipp,
      livekitServer: binaries.livekitServer,
      livekitSip: binaries.livekitSip,
      redisServer: binaries.redisServer,
      egress: binaries.egress ?? null,
    },
  }
  info.env = envLines(info)
  return info
}

/** The environment variables an app needs to use the sandbox (`ringline-sandbox up` prints them). */
export function envLines(info: SandboxInfo): Record<string, string> {
  // The bucket is printed with or without egress (the S3 always runs): @ringline/server's RINGLINE_RECORDING_*.
  const s3 = info.recording?.s3
  return {
    LIVEKIT_URL: info.livekit.wsUrl,
    LIVEKIT_API_KEY: info.livekit.apiKey,
    LIVEKIT_API_SECRET: info.livekit.apiSecret,
    LIVEKIT_SIP_OUTBOUND_TRUNK_ID: info.sip.outboundTrunkId,
    RINGLINE_CALLER_ID: info.sip.callerId,
    RINGLINE_SANDBOX_NUMBER: info.sip.inboundNumber,
    ...(s3
      ? {
          RINGLINE_RECORDING_BUCKET: s3.bucket,
          RINGLINE_RECORDING_REGION: s3.region,
          RINGLINE_RECORDING_ENDPOINT: s3.endpoint,
          RINGLINE_RECORDING_FORCE_PATH_STYLE: 'true',
          RINGLINE_RECORDING_ACCESS_KEY_ID: s3.accessKeyId,
          RINGLINE_RECORDING_SECRET_ACCESS_KEY: s3.secretAccessKey,
        }
      : {}),
  }
}
