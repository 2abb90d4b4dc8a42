import type { CountryCode, NumberType } from 'libphonenumber-js/max'
import type { AgentsOptions } from './agents/types'
import type { RecordingOptions } from './recording/types'
import type { RoomsOptions } from './rooms/roomKindConfig'
import type { RinglineStore } from './sql/types'
import type { TranscriptsOptions } from './transcripts/transcriptionService'

/** Who is calling a route, as the host app's `authorize` hook says. Tenant and user come only from here. */
export interface Principal {
  userId: string
  tenantId: string
  name?: string
  role?: 'admin' | 'member'
}

/** The host app's authentication hook: a principal for a signed-in request, `null` otherwise. */
export type Authorize = (request: Request) => Promise<Principal | null> | Principal | null

/** A structured logger; every message and field passes through Ringline's redaction first. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** Toll-fraud and volume guards on outbound calls and transfers. */
export interface CallGuardOptions {
  /** ISO countries a call may go to; default: the caller id's country. `'*'` allows all (not recommended). */
  allowedCountries?: CountryCode[] | '*'
  /** Number types refused; default premium-rate, shared-cost, UAN, personal and voicemail numbers. */
  blockedNumberTypes?: NumberType[]
  /** Open outbound calls a user may have at once, a warm transfer's consulted phone included (default 2). */
  maxConcurrentPerUser?: number
  /** Open outbound calls a tenant may have at once (default 20). */
  maxConcurrentPerTenant?: number
  /** Outbound calls a user may start per hour (default 60). */
  maxPerUserPerHour?: number
  /** Outbound calls a tenant may start per hour (default 500). */
  maxPerTenantPerHour?: number
  /** `POST /calls` requests per tenant per minute before 429 `RATE_LIMITED` (default 60). */
  requestsPerTenantPerMinute?: number
  /** Accept numbers that are well-formed but not assigned by the numbering plan (e.g. +1 555 test numbers). Default false. */
  allowUnassignedNumbers?: boolean
  /**
   * Whether the user may place a phone call into `room`, a LiveKit room of the app's own (`POST /calls` with `room`,
   * e.g. a `<LiveKitRoom>` the app joined with its own tokens). Default: refused (403 `FORBIDDEN`).
   */
  roomAccess?: (principal: Principal, room: string) => boolean | Promise<boolean>
  /** SIP domains a call may be transferred to with a `sip:` URI; default none. */
  transferSipDomains?: string[]
  /** Turn every guard off. For benchmarks and closed test networks only. */
  disabled?: boolean
}

/** Options of `createRingline`. Every LiveKit/SIP setting falls back to its environment variable. */
export interface RinglineConfig {
  livekit?: { url?: string; apiKey?: string; apiSecret?: string }
  sip?: {
    outboundTrunkId?: string
    callerId?: string
    /** Seconds an outbound call rings before `no-answer` (default 30). */
    ringingTimeout?: number
    /** Longest call in seconds (default 3600). */
    maxCallDuration?: number
    /**
     * Seconds an outbound call waits for the caller's browser to join its room before the phone is dialled
     * (default 15, 0..60; 0 dials at once). Dialling first loses the callee's "hello" when they answer before
     * the caller hears them; after the wait the phone is dialled anyway.
     */
    waitForCallerSeconds?: number
    /**
     * Seconds the winner of an inbound answer has to join the call's room (default 20, 3..120; 0 turns it off):
     * when its media has not connected by then while the caller still waits, the claim is released and the call
     * rings the others again (`call.incoming`) instead of keeping the caller on a line nobody is on.
     */
    answerConnectSeconds?: number
    /**
     * Where inbound SIP may come from, set on the LiveKit inbound trunks Ringline provisions: IPs, CIDRs or host
     * names (env `RINGLINE_SIP_ALLOWED_ADDRESSES`, comma-separated). Default: numbers connected through Twilio
     * accept Twilio's signalling ranges only (`TWILIO_SIGNALING_ADDRESSES`); other numbers any address.
     */
    inboundAllowedAddresses?: string[]
  }
  /** Where calls, participants and webhooks are stored; default an embedded PGlite (in-memory unless `RINGLINE_DATA_DIR`). */
  store?: RinglineStore
  /** Maps a request to the signed-in principal; required. */
  authorize: Authorize
  /** Key that encrypts stored Twilio secrets (RINGLINE_SECRET_KEY). */
  secretKey?: string
  /** Mount point of the routes (default `/api/ringline`). */
  basePath?: string
  /** Origins allowed to call state-changing routes besides the request's own origin. */
  allowedOrigins?: string[]
  /** Use `X-Forwarded-Host` / `X-Forwarded-Proto` for the same-origin check (behind a proxy you trust). */
  trustProxy?: boolean
  /**
   * LiveKit token lifetime in seconds (`RINGLINE_TOKEN_TTL`; default 3600, clamped to 60..86400). It bounds joining
   * only: LiveKit refreshes the token of a connected participant, so calls outlive it.
   */
  tokenTtl?: number
  /** Largest JSON body in bytes (default 64 KiB). */
  maxBodyBytes?: number
  /** Largest webhook body in bytes (default 1 MiB). */
  maxWebhookBytes?: number
  /** Tolerated clock skew on webhook tokens, in seconds (default 10). */
  webhookClockTolerance?: number
  /** `GET /events` streams one user may hold at once (default 5). */
  maxEventStreamsPerUser?: number
  /** Seconds between SSE heartbeat comments (default 15). */
  heartbeatSeconds?: number
  /** Events kept per tenant for `Last-Event-ID` resume (default 500). */
  eventBufferSize?: number
  /**
   * Run `api.reconcile()` every this many seconds (default 60; `0` turns it off). With no open call older than
   * a minute a pass is one indexed query and never calls LiveKit.
   */
  reconcileIntervalSeconds?: number
  /**
   * Hours LiveKit webhook ids are kept to drop retried duplicates (default 24, at least 1; LiveKit retries for
   * minutes). Older ones are pruned while webhooks are handled, at most every 10 minutes per instance.
   */
  webhookRetentionHours?: number
  /** Outbound-call guards. */
  calls?: CallGuardOptions
  /** Where logs go; default warnings and errors to the console. */
  logger?: Logger
  /** Call recording to S3-compatible storage (`RINGLINE_RECORDING_*` fallbacks); off until a bucket is set. */
  recording?: RecordingOptions
  /** AI agents: which may be dispatched by `POST /calls/:id/agent`, and the default inbound routing. */
  agents?: AgentsOptions
  /** Store call transcripts (needs the optional peer dependency `@livekit/rtc-node`). */
  transcripts?: TranscriptsOptions
  /** Browser room kinds (`support`, …) with their agent and recording policies. */
  rooms?: RoomsOptions
  /** Settings owned by the Twilio modules; passed through. */
  twilio?: unknown
}
