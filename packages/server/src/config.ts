import { HttpError } from './http/errors'
import { type RoomKindPolicy, resolveRoomKinds } from './rooms/roomKindConfig'
import type { CallGuardOptions, RinglineConfig } from './types'

/** The configuration after environment fallbacks and defaults; missing LiveKit settings stay `undefined`. */
export interface ResolvedConfig {
  livekit: { url?: string; apiKey?: string; apiSecret?: string }
  sip: {
    outboundTrunkId?: string
    callerId?: string
    ringingTimeout: number
    maxCallDuration: number
    waitForCallerSeconds: number
    /** Seconds an answer has to connect before its claim is released; 0: never. */
    answerConnectSeconds: number
    inboundAllowedAddresses?: string[]
  }
  secretKey?: string
  basePath: string
  allowedOrigins: string[]
  trustProxy: boolean
  tokenTtl: number
  maxBodyBytes: number
  maxWebhookBytes: number
  webhookClockTolerance: number
  maxEventStreamsPerUser: number
  heartbeatSeconds: number
  eventBufferSize: number
  /** Seconds between reconcile passes; 0 turns it off. */
  reconcileIntervalSeconds: number
  /** Hours webhook ids are kept for dedupe before they are pruned. */
  webhookRetentionHours: number
  calls: CallGuardOptions
  /** Room kinds and their policies (`rooms.kinds`), checked at start-up. */
  roomKinds: Record<string, RoomKindPolicy>
}

/**
 * The process environment, or an empty one on runtimes without `process`. This module is the only reader of
 * `process.env`: everything else asks it, so the environment stays one seam to override in tests.
 */
export function processEnv(): Record<string, string | undefined> {
  return typeof process === 'undefined' ? {} : process.env
}

/** One environment variable, trimmed; undefined when unset or blank. */
export function env(name: string): string | undefined {
  const value = processEnv()[name]
  return value && value.trim() !== '' ? value.trim() : undefined
}

/** A number from an environment variable; undefined when unset, blank or not a finite number. */
export function envNumber(value: string | undefined): number | undefined {
  const n = value === undefined || value.trim() === '' ? Number.NaN : Number(value)
  return Number.isFinite(n) ? n : undefined
}

/** A comma-separated list of addresses, or undefined when empty. */
export function addressList(value: string | undefined): string[] | undefined {
  const list = (value ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
  return list.length > 0 ? list : undefined
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)))
}

/** `sip.answerConnectSeconds`: 0 (off), else 3..120; default 20. */
function answerConnect(value: number | undefined): number {
  if (value === 0) return 0
  return clamp(value ?? 20, 3, 120)
}

function normalizeBasePath(path: string): string {
  const trimmed = `/${path.replace(/^\/+|\/+$/g, '')}`
  return trimmed === '/' ? '' : trimmed
}

/** Applies environment fallbacks and defaults to the options of `createRingline`. */
export function resolveConfig(config: RinglineConfig): ResolvedConfig {
  return {
    livekit: {
      url: config.livekit?.url ?? env('LIVEKIT_URL'),
      apiKey: config.livekit?.apiKey ?? env('LIVEKIT_API_KEY'),
      apiSecret: config.livekit?.apiSecret ?? env('LIVEKIT_API_SECRET'),
    },
    sip: {
      outboundTrunkId: config.sip?.outboundTrunkId ?? env('LIVEKIT_SIP_OUTBOUND_TRUNK_ID'),
      callerId: config.sip?.callerId ?? env('RINGLINE_CALLER_ID'),
      ringingTimeout: clamp(config.sip?.ringingTimeout ?? 30, 5, 170),
      maxCallDuration: clamp(config.sip?.maxCallDuration ?? 3600, 60, 86_400),
      waitForCallerSeconds: clamp(config.sip?.waitForCallerSeconds ?? 15, 0, 60),
      answerConnectSeconds: answerConnect(config.sip?.answerConnectSeconds),
      inboundAllowedAddresses:
        config.sip?.inboundAllowedAddresses ?? addressList(env('RINGLINE_SIP_ALLOWED_ADDRESSES')),
    },
    secretKey: config.secretKey ?? env('RINGLINE_SECRET_KEY'),
    basePath: normalizeBasePath(config.basePath ?? '/api/ringline'),
    allowedOrigins: (config.allowedOrigins ?? []).map((o) => o.replace(/\/+$/, '').toLowerCase()),
    trustProxy: config.trustProxy ?? false,
    tokenTtl: clamp(config.tokenTtl ?? envNumber(env('RINGLINE_TOKEN_TTL')) ?? 3600, 60, 86_400),
    maxBodyBytes: config.maxBodyBytes ?? 64 * 1024,
    maxWebhookBytes: config.maxWebhookBytes ?? 1024 * 1024,
    webhookClockTolerance: config.webhookClockTolerance ?? 10,
    maxEventStreamsPerUser: config.maxEventStreamsPerUser ?? 5,
    heartbeatSeconds: config.heartbeatSeconds ?? 15,
    eventBufferSize: config.eventBufferSize ?? 500,
    reconcileIntervalSeconds: Math.max(
      0,
      config.reconcileIntervalSeconds ?? envNumber(env('RINGLINE_RECONCILE_INTERVAL_SECONDS')) ?? 60,
    ),
    // LiveKit retries a webhook for minutes at most: a day keeps every id that can still come back.
    webhookRetentionHours: Math.max(1, config.webhookRetentionHours ?? 24),
    calls: config.calls ?? {},
    roomKinds: resolveRoomKinds(config.rooms),
  }
}

/** LiveKit settings that are certainly present, or a `NOT_CONFIGURED` error naming what to set. */
export function requireLivekit(config: ResolvedConfig): { url: string; apiKey: string; apiSecret: string } {
  const { url, apiKey, apiSecret } = config.livekit
  const missing = [
    !url && 'LIVEKIT_URL',
    !apiKey && 'LIVEKIT_API_KEY',
    !apiSecret && 'LIVEKIT_API_SECRET',
  ].filter(Boolean)
  if (!url || !apiKey || !apiSecret) {
    throw new HttpError(
      'NOT_CONFIGURED',
      `LiveKit is not configured: set ${missing.join(', ')} (or pass \`livekit\` to createRingline).`,
    )
  }
  return { url, apiKey, apiSecret }
}

/** The outbound trunk id, or a `NOT_CONFIGURED` error saying how to get one. */
export function requireOutboundTrunk(config: ResolvedConfig): string {
  if (!config.sip.outboundTrunkId) {
    throw new HttpError(
      'NOT_CONFIGURED',
      'Outbound calling is not configured: set LIVEKIT_SIP_OUTBOUND_TRUNK_ID or run `ringline sip setup`.',
    )
  }
  return config.sip.outboundTrunkId
}

/** The WebSocket URL browsers connect to (`wss://` for `https://` and vice versa). */
export function browserUrl(url: string): string {
  return url.replace(/^http(s?):\/\//, 'ws$1://')
}
