import { resolve } from 'node:path'

/** Every port the sandbox binds, all on 127.0.0.1 (see the README for the two exceptions livekit-sip imposes). */
export interface SandboxPorts {
  /** livekit-server HTTP + WebSocket (default 7880). */
  livekit: number
  /** livekit-server ICE/UDP, the single WebRTC media port (default 7882). */
  rtcUdp: number
  /** livekit-server ICE/TCP (default 0 = off: livekit-server can only bind it on every interface). */
  rtcTcp: number
  /** Redis (default 6390, away from a local Redis on 6379). */
  redis: number
  /** livekit-sip SIP signalling, UDP and TCP (default 5060). */
  sip: number
  /** livekit-sip RTP range, first port (default 10000). */
  sipRtpStart: number
  /** livekit-sip RTP range, last port (default 10099). */
  sipRtpEnd: number
  /** livekit-sip health endpoint (default 0 = off: livekit-sip binds it on every interface). */
  sipHealth: number
  /** The phone simulator (sipp UAS) SIP port (default 5070). */
  phone: number
  /** sipp's own media ports: this one and this + 2 (default 5080). */
  phoneMedia: number
  /** sipp's control socket of the phone simulator (default 5084). */
  phoneControl: number
  /** The phone's RTP endpoint in the hub: echoes audio, records DTMF (default 5090). */
  phoneRtp: number
  /** The hub: webhook relay and phone log API over HTTP (default 7890). */
  hub: number
  /** The local S3 (s3rver) that recordings are uploaded to (default 7894). */
  s3: number
  /** egress's health endpoint (default 7895; egress binds it on every interface). */
  egressHealth: number
  /** egress's template server for room composite layouts, unused for audio (default 7896, localhost). */
  egressTemplate: number
}

export const DEFAULT_PORTS: Readonly<SandboxPorts> = Object.freeze({
  livekit: 7880,
  rtcUdp: 7882,
  rtcTcp: 0,
  redis: 6390,
  sip: 5060,
  sipRtpStart: 10000,
  sipRtpEnd: 10099,
  sipHealth: 0,
  phone: 5070,
  phoneMedia: 5080,
  phoneControl: 5084,
  phoneRtp: 5090,
  hub: 7890,
  s3: 7894,
  egressHealth: 7895,
  egressTemplate: 7896,
})

/** Environment variable for each port (`RINGLINE_SANDBOX_<NAME>`). */
export const PORT_ENV: Readonly<Record<keyof SandboxPorts, string>> = Object.freeze({
  livekit: 'RINGLINE_SANDBOX_LIVEKIT_PORT',
  rtcUdp: 'RINGLINE_SANDBOX_RTC_UDP_PORT',
  rtcTcp: 'RINGLINE_SANDBOX_RTC_TCP_PORT',
  redis: 'RINGLINE_SANDBOX_REDIS_PORT',
  sip: 'RINGLINE_SANDBOX_SIP_PORT',
  sipRtpStart: 'RINGLINE_SANDBOX_SIP_RTP_START',
  sipRtpEnd: 'RINGLINE_SANDBOX_SIP_RTP_END',
  sipHealth: 'RINGLINE_SANDBOX_SIP_HEALTH_PORT',
  phone: 'RINGLINE_SANDBOX_PHONE_PORT',
  phoneMedia: 'RINGLINE_SANDBOX_PHONE_MEDIA_PORT',
  phoneControl: 'RINGLINE_SANDBOX_PHONE_CONTROL_PORT',
  phoneRtp: 'RINGLINE_SANDBOX_PHONE_RTP_PORT',
  hub: 'RINGLINE_SANDBOX_HUB_PORT',
  s3: 'RINGLINE_SANDBOX_S3_PORT',
  egressHealth: 'RINGLINE_SANDBOX_EGRESS_HEALTH_PORT',
  egressTemplate: 'RINGLINE_SANDBOX_EGRESS_TEMPLATE_PORT',
})

/** The local S3's bucket and credentials (s3rver's built-in account; never use them outside the sandbox). */
export const S3_SETTINGS = Object.freeze({
  bucket: 'ringline-recordings',
  region: 'us-east-1',
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
})

/** Numbers of the simulated phone network. */
export const NUMBERS = Object.freeze({
  /** Provisioned by the sandbox: inbound trunk + dispatch rule (room prefix `sandbox`). */
  inbound: '+15550009000',
  /** Caller id of the outbound trunk (its `numbers`). */
  callerId: '+15550009999',
  /** Left unprovisioned, for Ringline's `provisionNumber` to claim. */
  free: [
    '+15550009001',
    '+15550009002',
    '+15550009003',
    '+15550009004',
    '+15550009005',
    '+15550009006',
  ] as readonly string[],
  /** The phone's default caller number when it places inbound calls. */
  phoneCaller: '+15550001111',
})

/** Numbers the phone simulator answers when LiveKit calls out, by behaviour (scenarios/phone.xml). */
export const PHONE_NUMBERS = Object.freeze({
  /** Answers after one ring and echoes audio. Any number not listed below behaves the same. */
  answer: '+15550100001',
  /** 486 Busy Here. */
  busy: '+15550100002',
  /** Rings until the caller gives up (CANCEL → 487). */
  noAnswer: '+15550100003',
  /** Rings one second, then 603 Decline. */
  decline: '+15550100004',
  /** Answers after one ring and hangs up (BYE) 3 s later. */
  hangup: '+15550100005',
  /** Answers after one ring, then sends DTMF 1234# (RFC 4733). */
  dtmf: '+15550100006',
  /** Answers at once, without ringing first (for setup-time figures). */
  answerNow: '+15550100007',
  /**
   * Answers after one ring and accepts a transfer (SIP REFER): 202 Accepted, NOTIFY `100 Trying`, calls the
   * Refer-To target itself, then NOTIFY with the target's final answer (`200 OK`, `486 Busy Here`…). Every
   * `+1555011xxxx` number behaves the same (a number of its own per test).
   */
  transfer: '+15550100008',
  /** Answers at once and echoes: the phone that receives transferred calls (any other phone number works too). */
  transferTarget: '+15550100009',
})

/** How long a call the phone placed for a transfer to another phone number lasts before it hangs up (ms). */
export const PHONE_TRANSFER_LEG_MS = 30_000

export const PHONE_HANGUP_AFTER_MS = 3000
export const PHONE_DTMF_DIGITS = '1234#'

export const DEFAULT_API_KEY = 'devkey'
/** ≥ 32 characters, as livekit-server wants outside dev mode. Never use it outside the sandbox. */
export const DEFAULT_API_SECRET = 'ringline-sandbox-secret-not-for-production'

export const RESOURCE_NAMES = Object.freeze({
  inboundTrunk: 'ringline-sandbox-inbound',
  outboundTrunk: 'ringline-sandbox-outbound',
  dispatchRule: 'ringline-sandbox-dispatch',
  roomPrefix: 'sandbox',
})

export interface SandboxOptions {
  /**
   * Also forward every LiveKit webhook to this URL (raw body and `Authorization` header, unchanged).
   * livekit-server always posts to the sandbox's webhook relay; see `sandbox.webhooks` to add more targets.
   * Env: RINGLINE_SANDBOX_WEBHOOK_URL.
   */
  webhookUrl?: string
  /**
   * Attach to a healthy running sandbox (same state dir, or the one holding the same ports) instead of failing.
   * An attached sandbox's `stop()` leaves the stack running. Default false (the CLI and the vitest setup use true).
   */
  reuse?: boolean
  /** Where configs, logs, pids and the state file live. Default `<cwd>/.ringline/sandbox`. Env: RINGLINE_SANDBOX_DIR. */
  stateDir?: string
  /** Port overrides (each also from its RINGLINE_SANDBOX_*_PORT variable). */
  ports?: Partial<SandboxPorts>
  /** Added to every default port, e.g. 1000 for a second sandbox. Env: RINGLINE_SANDBOX_PORT_OFFSET. */
  portOffset?: number
  apiKey?: string
  apiSecret?: string
  /** livekit-server and livekit-sip log level (default info). Env: RINGLINE_SANDBOX_LOG_LEVEL. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error'
  /** Where progress lines go (default stderr); `false` to stay quiet. */
  log?: ((line: string) => void) | false
  /** How long to wait for another process that is starting the same sandbox (default 300 s). */
  lockTimeoutMs?: number
  /**
   * Fail with a `SandboxSetupError` when livekit-sip is not available, instead of starting (or attaching to) a
   * sandbox without SIP. Default false. Env: RINGLINE_REQUIRE_SIP=1.
   */
  requireSip?: boolean
  /**
   * Fail with a `SandboxSetupError` when egress (recording) is not available, instead of starting without it.
   * Default false. Env: RINGLINE_REQUIRE_EGRESS=1.
   */
  requireEgress?: boolean
  /**
   * Start egress (recording) when it is available. Default true; `false` starts without it (a lighter stack, e.g.
   * a test's own sandbox) and overrides `requireEgress`.
   */
  egress?: boolean
  /** Where binaries (LIVEKIT_SIP_BIN, PATH…) and RINGLINE_* settings are read from. Default `process.env`. */
  env?: NodeJS.ProcessEnv
}

export interface ResolvedOptions {
  stateDir: string
  ports: SandboxPorts
  apiKey: string
  apiSecret: string
  webhookUrl: string | undefined
  reuse: boolean
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  log: (line: string) => void
  lockTimeoutMs: number
  requireSip: boolean
  requireEgress: boolean
  egress: boolean
  env: NodeJS.ProcessEnv
}

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name]
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name}=${v} is not a port number`)
  return n
}

export function resolveOptions(
  options: SandboxOptions = {},
  env: NodeJS.ProcessEnv = options.env ?? process.env,
): ResolvedOptions {
  const offset = options.portOffset ?? envInt(env, 'RINGLINE_SANDBOX_PORT_OFFSET') ?? 0
  const ports = { ...DEFAULT_PORTS } as SandboxPorts
  for (const key of Object.keys(ports) as (keyof SandboxPorts)[]) {
    const base = DEFAULT_PORTS[key]
    ports[key] = options.ports?.[key] ?? envInt(env, PORT_ENV[key]) ?? (base === 0 ? 0 : base + offset)
  }
  if (ports.sipRtpEnd < ports.sipRtpStart + 1) throw new Error('the SIP RTP range needs at least two ports')
  const stateDir = resolve(
    options.stateDir ?? env.RINGLINE_SANDBOX_DIR ?? resolve(process.cwd(), '.ringline', 'sandbox'),
  )
  const log =
    options.log === false
      ? () => {}
      : (options.log ?? ((line: string) => process.stderr.write(`[ringline-sandbox] ${line}\n`)))
  const level =
    options.logLevel ?? (env.RINGLINE_SANDBOX_LOG_LEVEL as ResolvedOptions['logLevel'] | undefined) ?? 'info'
  const apiSecret = options.apiSecret ?? DEFAULT_API_SECRET
  if (apiSecret.length < 32)
    throw new Error('apiSecret must be at least 32 characters (livekit-server requirement)')
  return {
    stateDir,
    ports,
    apiKey: options.apiKey ?? DEFAULT_API_KEY,
    apiSecret,
    webhookUrl: options.webhookUrl ?? (env.RINGLINE_SANDBOX_WEBHOOK_URL || undefined),
    reuse: options.reuse ?? false,
    logLevel: level,
    log,
    lockTimeoutMs: options.lockTimeoutMs ?? 300_000,
    requireSip: options.requireSip ?? env.RINGLINE_REQUIRE_SIP === '1',
    requireEgress: options.requireEgress ?? env.RINGLINE_REQUIRE_EGRESS === '1',
    egress: options.egress ?? true,
    env,
  }
}
