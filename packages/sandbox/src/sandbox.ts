import { randomUUID } from 'node:crypto'
import { createSocket } from 'node:dgram'
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  type Binaries,
  findLiveKitBinary,
  LIVEKIT_SIP_FIX,
  packageRoot,
  resolveBinaries,
  SandboxSetupError,
} from './binaries'
import {
  NUMBERS,
  PHONE_DTMF_DIGITS,
  PHONE_NUMBERS,
  PORT_ENV,
  RESOURCE_NAMES,
  type ResolvedOptions,
  resolveOptions,
  type SandboxOptions,
  type SandboxPorts,
} from './config'
import { dtmfPcap } from './pcap'
import { Phone } from './phone'
import {
  canBind,
  isAlive,
  isOurs,
  type Proto,
  portHolder,
  sleep,
  spawnDetached,
  stopProcess,
  waitFor,
} from './procs'
import { provision } from './provision'
import type { SandboxInfo } from './types'
import { WebhookRelay } from './webhooks'

export type ProcessName = 'redis' | 'hub' | 'phone' | 'livekit-server' | 'livekit-sip'

/** Start order; `stop` goes in reverse. */
export const PROCESS_NAMES: readonly ProcessName[] = [
  'redis',
  'hub',
  'phone',
  'livekit-server',
  'livekit-sip',
]

interface ProcessRecord {
  pid: number
  /** A string in the process's command line, checked before any signal is sent (pid reuse guard). */
  marker: string
  log: string
  /** Signal that makes it stop now (livekit-sip drains calls on SIGTERM; SIGINT stops it at once). */
  stopSignal: NodeJS.Signals
}

interface StateFile {
  version: 1
  startedAt: number
  startedBy: number
  processes: Partial<Record<ProcessName, ProcessRecord>>
  info: SandboxInfo
  /** The process that started the stack stopped while others were attached: the last one out stops it. */
  ownerLeft?: boolean
}

/** A running sandbox: its info, the phone, the webhook relay, and `stop()`. */
export interface Sandbox extends Omit<SandboxInfo, 'phone'> {
  phone: Phone
  webhooks: WebhookRelay
  /** The plain-JSON info (for `provide`, or another process's `connectSandbox`). */
  info: SandboxInfo
  /** True when this call attached to a stack that was already running. */
  reused: boolean
  /** Startup time in ms, building binaries excluded. */
  startupMs: number
  /** Time spent building livekit-server / livekit-sip, ms (0 when cached). */
  buildMs: number
  /**
   * Stops what this call started, and nothing when it attached to a running stack. While other processes
   * are still attached, the starter's stop() leaves the stack up and the last of them to stop ends it.
   */
  stop(): Promise<void>
  /** Lets go of the sandbox without stopping it (e.g. to keep it for the next test run). */
  detach(): Promise<void>
}

const STATE_FILE = 'state.json'
const LOCK_FILE = 'lock'

export function statePath(stateDir: string): string {
  return join(stateDir, STATE_FILE)
}

export function readState(stateDir: string): StateFile | undefined {
  try {
    const s = JSON.parse(readFileSync(statePath(stateDir), 'utf8')) as StateFile
    return s.version === 1 ? s : undefined
  } catch {
    return undefined
  }
}

function writeState(stateDir: string, state: StateFile): void {
  const tmp = `${statePath(stateDir)}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(tmp, statePath(stateDir))
}

// ---------------------------------------------------------------------------------------------- lock

async function acquireLock(
  stateDir: string,
  timeoutMs: number,
  log: (l: string) => void,
): Promise<() => void> {
  const path = join(stateDir, LOCK_FILE)
  const deadline = Date.now() + timeoutMs
  let told = false
  for (;;) {
    try {
      const fd = openSync(path, 'wx')
      writeFileSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path)
        } catch {}
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    const holder = Number.parseInt(readFileSafe(path), 10)
    if (!Number.isFinite(holder) || !isAlive(holder)) {
      // The process that held it is gone: take it over.
      try {
        rmSync(path)
      } catch {}
      continue
    }
    if (!told) {
      log(`waiting for process ${holder}, which is starting this sandbox (${stateDir})`)
      told = true
    }
    if (Date.now() > deadline) {
      throw new SandboxSetupError(
        `timed out waiting for process ${holder} to finish starting the sandbox`,
        `kill ${holder}`,
      )
    }
    await sleep(200)
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

// ---------------------------------------------------------------------------------------------- leases

// Every Sandbox object holds a lease file (`leases/<pid>-<id>`) while it uses the stack, so a starter that
// stops first does not pull the stack from under other test processes.

function leaseDir(stateDir: string): string {
  return join(stateDir, 'leases')
}

function takeLease(stateDir: string): string {
  mkdirSync(leaseDir(stateDir), { recursive: true })
  const id = `${process.pid}-${randomUUID().slice(0, 8)}`
  writeFileSync(join(leaseDir(stateDir), id), `${process.pid}\n`)
  return id
}

function liveLeases(stateDir: string): string[] {
  let ids: string[]
  try {
    ids = readdirSync(leaseDir(stateDir))
  } catch {
    return []
  }
  return ids.filter((id) => {
    const pid = Number.parseInt(readFileSafe(join(leaseDir(stateDir), id)), 10)
    if (isAlive(pid)) return true
    rmSync(join(leaseDir(stateDir), id), { force: true })
    return false
  })
}

/** Drops a lease; stops the stack if this was its starter (or the starter left) and nobody else holds one. */
async function releaseLease(
  stateDir: string,
  leaseId: string,
  started: boolean,
  mode: 'stop' | 'detach',
  log: (l: string) => void,
): Promise<void> {
  const unlock = await acquireLock(stateDir, 60_000, log)
  try {
    rmSync(join(leaseDir(stateDir), leaseId), { force: true })
    const state = readState(stateDir)
    if (!state || mode === 'detach') return
    if (!started && !state.ownerLeft) return
    const others = liveLeases(stateDir)
    if (others.length > 0) {
      if (!state.ownerLeft) writeState(stateDir, { ...state, ownerLeft: true })
      log(`leaving the sandbox running for ${others.length} other user(s); the last one stops it`)
      return
    }
    await stopLocked(stateDir, log)
  } finally {
    unlock()
  }
}

// ---------------------------------------------------------------------------------------------- health

function httpOk(url: string, timeoutMs = 1500): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
    (r) => r.ok,
    () => false,
  )
}

function redisPing(port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host: '127.0.0.1' })
    const done = (ok: boolean) => {
      sock.destroy()
      resolve(ok)
    }
    sock.setTimeout(timeoutMs, () => done(false))
    sock.once('error', () => done(false))
    sock.once('connect', () => sock.write('PING\r\n'))
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')))
  })
}

/** Sends SIP OPTIONS over UDP and resolves true on any SIP response. */
export function sipOptionsPing(port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4')
    const timer = setTimeout(() => done(false), timeoutMs)
    const done = (ok: boolean) => {
      clearTimeout(timer)
      try {
        sock.close()
      } catch {}
      resolve(ok)
    }
    sock.once('error', () => done(false))
    sock.on('message', (m) => {
      if (m.toString().startsWith('SIP/2.0 ')) done(true)
    })
    sock.bind({ port: 0, address: '127.0.0.1' }, () => {
      const local = sock.address().port
      const branch = `z9hG4bK-ringline-${Date.now()}`
      const msg = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:health@127.0.0.1:${local}>;tag=${Date.now()}`,
        `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: ringline-health-${Date.now()}-${local}@127.0.0.1`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n')
      sock.send(msg, port, '127.0.0.1')
    })
  })
}

export interface ProcessHealth {
  name: ProcessName
  pid: number | undefined
  running: boolean
  healthy: boolean
  /** Not started on purpose (livekit-sip when it is unavailable); not counted against the sandbox's health. */
  skipped: boolean
  detail: string
  log: string | undefined
}

/** Whether livekit-sip runs in the sandbox described by `info` (states written before this field: yes). */
export function sipIsAvailable(info: SandboxInfo): boolean {
  return info.sip.available !== false
}

/** Every process that should run is healthy. */
function allHealthy(health: ProcessHealth[]): boolean {
  return health.every((h) => h.healthy || h.skipped)
}

/** The one-line warning printed whenever a sandbox without livekit-sip starts or is attached to. */
export function sipUnavailableBanner(reason: string | undefined): string {
  return `WARNING: livekit-sip is NOT available: ${reason ?? 'unknown reason'}. The sandbox runs without SIP: no phone calls; tests that need livekit-sip are skipped. fix: ${LIVEKIT_SIP_FIX} (RINGLINE_REQUIRE_SIP=1 makes this an error)`
}

/** Health of each process of a sandbox state. */
export async function checkHealth(state: StateFile): Promise<ProcessHealth[]> {
  const p = state.info.ports
  const probes: Record<ProcessName, () => Promise<boolean>> = {
    redis: () => redisPing(p.redis),
    hub: () => httpOk(`http://127.0.0.1:${p.hub}/health`),
    phone: async () => true, // sipp has no health endpoint: running is healthy
    'livekit-server': () => httpOk(`http://127.0.0.1:${p.livekit}/`),
    'livekit-sip': () => sipOptionsPing(p.sip),
  }
  return Promise.all(
    PROCESS_NAMES.map(async (name) => {
      const rec = state.processes[name]
      if (name === 'livekit-sip' && !sipIsAvailable(state.info)) {
        return {
          name,
          pid: undefined,
          running: false,
          healthy: false,
          skipped: true,
          detail: `NOT AVAILABLE: ${state.info.sip.unavailableReason ?? 'unknown reason'}`,
          log: undefined,
        }
      }
      const running = isOurs(rec?.pid, rec?.marker ?? '\0')
      const healthy = running && (await probes[name]())
      return {
        name,
        pid: rec?.pid,
        running,
        healthy,
        skipped: false,
        detail: !rec ? 'not started' : !running ? 'not running' : healthy ? 'ok' : 'not answering',
        log: rec?.log,
      }
    }),
  )
}

/**
 * `checkHealth`, asked again (up to ~15 s) while every process runs but one is slow to answer: on a loaded
 * machine a busy livekit-server or livekit-sip misses a probe, and restarting a sandbox other tests are using
 * (new trunks, dropped calls) is far worse than waiting. A process that is gone is unhealthy at once.
 */
async function patientHealth(state: StateFile): Promise<ProcessHealth[]> {
  let health = await checkHealth(state)
  for (let attempt = 0; attempt < 5; attempt++) {
    const slow = health.some((h) => h.running && !h.healthy && !h.skipped)
    const gone = health.some((h) => !h.running && !h.skipped)
    if (!slow || gone) return health
    await sleep(3000)
    health = await checkHealth(state)
  }
  return health
}

// ---------------------------------------------------------------------------------------------- configs

function livekitYaml(o: ResolvedOptions, relayUrl: string): string {
  const p = o.ports
  return `# Written by @ringline/sandbox. livekit-server parses this strictly: unknown keys fail startup.
port: ${p.livekit}
bind_addresses: ["127.0.0.1"]
keys:
  ${o.apiKey}: ${o.apiSecret}
redis:
  address: 127.0.0.1:${p.redis}
rtc:
  udp_port: ${p.rtcUdp}
  tcp_port: ${p.rtcTcp}
  node_ip: 127.0.0.1
  use_external_ip: false
  enable_loopback_candidate: true
  # Bind the WebRTC UDP port on loopback only (otherwise it binds every interface's address).
  interfaces:
    includes: [lo]
  ips:
    includes: [127.0.0.1/32]
webhook:
  api_key: ${o.apiKey}
  urls: ["${relayUrl}"]
logging:
  level: ${o.logLevel}
`
}

function sipYaml(o: ResolvedOptions): string {
  const p = o.ports
  return `# Written by @ringline/sandbox.
api_key: ${o.apiKey}
api_secret: ${o.apiSecret}
ws_url: ws://127.0.0.1:${p.livekit}
redis:
  address: 127.0.0.1:${p.redis}
sip_port: ${p.sip}
listen_ip: 127.0.0.1
rtp_port: ${p.sipRtpStart}-${p.sipRtpEnd}
# Without this livekit-sip picks the first non-loopback IPv4 (and fails without one).
nat_1_to_1_ip: 127.0.0.1
${p.sipHealth ? `health_port: ${p.sipHealth}\n` : ''}# 1 = never refuse calls for CPU load (the default 0.9 refuses them on a busy 2-core CI machine).
max_cpu_utilization: 1
logging:
  level: ${o.logLevel}
`
}

// ---------------------------------------------------------------------------------------------- ports

interface PortNeed {
  port: number
  proto: Proto
  what: string
  key: keyof SandboxPorts
}

function portNeeds(p: SandboxPorts, withSip: boolean): PortNeed[] {
  const needs: PortNeed[] = [
    { port: p.livekit, proto: 'tcp', what: 'livekit-server HTTP/WebSocket', key: 'livekit' },
    { port: p.rtcUdp, proto: 'udp', what: 'livekit-server WebRTC UDP', key: 'rtcUdp' },
    { port: p.redis, proto: 'tcp', what: 'Redis', key: 'redis' },
    { port: p.phone, proto: 'udp', what: 'phone simulator (sipp) SIP', key: 'phone' },
    { port: p.phoneMedia, proto: 'udp', what: 'phone simulator (sipp) media', key: 'phoneMedia' },
    { port: p.phoneMedia + 2, proto: 'udp', what: 'phone simulator (sipp) media + 2', key: 'phoneMedia' },
    { port: p.phoneControl, proto: 'udp', what: 'phone simulator (sipp) control', key: 'phoneControl' },
    { port: p.phoneRtp, proto: 'udp', what: 'phone RTP endpoint (hub)', key: 'phoneRtp' },
    { port: p.hub, proto: 'tcp', what: 'hub (webhook relay)', key: 'hub' },
  ]
  if (p.rtcTcp) needs.push({ port: p.rtcTcp, proto: 'tcp', what: 'livekit-server WebRTC TCP', key: 'rtcTcp' })
  if (withSip) {
    needs.push(
      { port: p.sip, proto: 'udp', what: 'livekit-sip SIP (UDP)', key: 'sip' },
      { port: p.sip, proto: 'tcp', what: 'livekit-sip SIP (TCP)', key: 'sip' },
    )
    if (p.sipHealth)
      needs.push({ port: p.sipHealth, proto: 'tcp', what: 'livekit-sip health', key: 'sipHealth' })
  }
  return needs
}

async function checkPorts(p: SandboxPorts, withSip: boolean): Promise<void> {
  const busy: string[] = []
  for (const need of portNeeds(p, withSip)) {
    if (await canBind(need.port, need.proto)) continue
    // Also try the wildcard address: livekit-sip binds 0.0.0.0 for RTP and some tools bind *:port.
    const holder = portHolder(need.port, need.proto)
    const who = holder ? `process ${holder.pid} (${holder.command.slice(0, 120)})` : 'another process'
    const fix = holder
      ? `kill ${holder.pid}` +
        (holder.command.includes('.ringline/sandbox') ? ' (or `ringline-sandbox down` in its project)' : '')
      : `ss -lntup | grep :${need.port}`
    busy.push(
      `  ${need.proto.toUpperCase()} 127.0.0.1:${need.port} (${need.what}) is in use by ${who}\n    fix: ${fix}, or pick another port with ${PORT_ENV[need.key]}=<port> (or RINGLINE_SANDBOX_PORT_OFFSET=1000)`,
    )
  }
  let rtpBusy = 0
  if (withSip)
    for (let port = p.sipRtpStart; port <= p.sipRtpEnd; port++)
      if (!(await canBind(port, 'udp', '0.0.0.0'))) rtpBusy++
  if (rtpBusy > (p.sipRtpEnd - p.sipRtpStart + 1) / 2) {
    busy.push(
      `  UDP ${p.sipRtpStart}-${p.sipRtpEnd} (livekit-sip RTP): ${rtpBusy} ports in use\n    fix: ${PORT_ENV.sipRtpStart} / ${PORT_ENV.sipRtpEnd}`,
    )
  }
  if (busy.length > 0) throw new SandboxSetupError(`ports in use:\n${busy.join('\n')}`)
}

// ---------------------------------------------------------------------------------------------- start

function hubEntry(): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url)
  const ext = here.endsWith('.ts') ? '.ts' : here.endsWith('.cjs') ? '.cjs' : '.js'
  const entry = join(dirname(here), `hub-main${ext}`)
  if (ext === '.ts') {
    // Running from source (tests in this monorepo): load TypeScript through tsx.
    const tsx = createRequire(here).resolve('tsx')
    return { command: process.execPath, args: ['--import', pathToFileURL(tsx).href, entry] }
  }
  return { command: process.execPath, args: [entry] }
}

function buildInfo(
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

/** Helpers (phone, webhook relay) for a sandbox described by `info`, e.g. from vitest's `inject`. */
export function connectSandbox(info: SandboxInfo): Omit<Sandbox, 'reused' | 'startupMs' | 'buildMs'> {
  const webhooks = new WebhookRelay(info.webhooks.hubUrl, info.webhooks.relayUrl)
  return {
    ...info,
    info,
    phone: new Phone(info),
    webhooks,
    stop: () => webhooks.close(),
    detach: () => webhooks.close(),
  }
}

/** Refuses (requireSip) or warns about a running sandbox without livekit-sip before attaching to it. */
function checkSipBeforeAttach(state: StateFile, o: ResolvedOptions): void {
  if (sipIsAvailable(state.info)) return
  const reason = state.info.sip.unavailableReason
  if (o.requireSip) {
    throw new SandboxSetupError(
      `livekit-sip is required (RINGLINE_REQUIRE_SIP=1 or requireSip: true) but the sandbox running from ${state.info.stateDir} has none: ${reason}`,
      `${LIVEKIT_SIP_FIX}; then \`ringline-sandbox down\` (state dir ${state.info.stateDir}) and start again`,
    )
  }
  o.log(sipUnavailableBanner(reason))
  let now: string | undefined
  try {
    now = findLiveKitBinary('livekit-sip', o.env)
  } catch {}
  if (now)
    o.log(
      `livekit-sip is available now (${now}): stop this sandbox (\`ringline-sandbox down\`, state dir ${state.info.stateDir}) and start again to use it`,
    )
}

async function attach(state: StateFile, o: ResolvedOptions, startupMs: number): Promise<Sandbox> {
  checkSipBeforeAttach(state, o)
  const client = connectSandbox(state.info)
  if (o.webhookUrl) await client.webhooks.forward(o.webhookUrl, { persistent: true })
  const dir = state.info.stateDir
  const lease = takeLease(dir)
  let done = false
  const finish = async (mode: 'stop' | 'detach') => {
    if (done) return
    done = true
    await client.webhooks.close()
    await releaseLease(dir, lease, false, mode, o.log)
  }
  return {
    ...client,
    reused: true,
    startupMs,
    buildMs: 0,
    stop: () => finish('stop'),
    detach: () => finish('detach'),
  }
}

/** Finds a healthy sandbox from another state dir that holds our LiveKit port (so `reuse` works across cwds). */
async function discoverByPort(o: ResolvedOptions): Promise<StateFile | undefined> {
  const holder = portHolder(o.ports.livekit, 'tcp')
  const m = holder && /--config (\S+)\/livekit\.yaml/.exec(holder.command)
  if (!m) return undefined
  const state = readState(m[1]!)
  if (!state) return undefined
  const health = await patientHealth(state)
  return allHealthy(health) ? state : undefined
}

/**
 * Starts the sandbox (Redis, livekit-server, livekit-sip, the sipp phone and the hub, all detached
 * processes on 127.0.0.1) and provisions its trunks and dispatch rule. With `reuse: true`, attaches to a
 * healthy running one instead. Two processes starting the same sandbox at once are serialized by a lock
 * file: the second one waits and then attaches. When livekit-sip cannot be had, starts everything else and
 * says so (`info.sip.available: false`, a warning on the log), unless `requireSip` / RINGLINE_REQUIRE_SIP=1.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const t0 = Date.now()
  const o = resolveOptions(options)
  mkdirSync(join(o.stateDir, 'logs'), { recursive: true })
  const release = await acquireLock(o.stateDir, o.lockTimeoutMs, o.log)
  const started: Partial<Record<ProcessName, ProcessRecord>> = {}
  try {
    const existing = readState(o.stateDir)
    if (existing) {
      const health = await patientHealth(existing)
      if (allHealthy(health)) {
        if (!o.reuse) {
          throw new SandboxSetupError(
            `a sandbox is already running from ${o.stateDir} (started by process ${existing.startedBy})`,
            'pass { reuse: true } to attach to it, or run `ringline-sandbox down` first',
          )
        }
        const sb = await attach(existing, o, Date.now() - t0)
        o.log(`attached to the running sandbox (${o.stateDir}) in ${sb.startupMs} ms`)
        return sb
      }
      const broken = health.filter((h) => !h.healthy).map((h) => `${h.name}: ${h.detail}`)
      o.log(`the previous sandbox in ${o.stateDir} is not healthy (${broken.join(', ')}); restarting it`)
      await stopProcesses(existing.processes)
      rmSync(statePath(o.stateDir), { force: true })
    }
    if (o.reuse) {
      const other = await discoverByPort(o)
      if (other) {
        const sb = await attach(other, o, Date.now() - t0)
        o.log(`attached to the running sandbox of ${other.info.stateDir} in ${sb.startupMs} ms`)
        return sb
      }
    }

    const { binaries, buildMs, sipUnavailableReason } = await resolveBinaries(o.log, o.env, {
      requireSip: o.requireSip,
    })
    const withSip = binaries.livekitSip !== null
    if (!withSip) o.log(sipUnavailableBanner(sipUnavailableReason))
    const tStart = Date.now()
    await checkPorts(o.ports, withSip)

    const dir = o.stateDir
    const logs = join(dir, 'logs')
    const phoneDir = join(dir, 'phone')
    // Per-call sipp files of a previous stack: not needed any more.
    rmSync(join(phoneDir, 'calls'), { recursive: true, force: true })
    mkdirSync(join(phoneDir, 'calls'), { recursive: true })
    const relayUrl = `http://127.0.0.1:${o.ports.hub}/webhook`
    writeFileSync(join(dir, 'livekit.yaml'), livekitYaml(o, relayUrl))
    if (withSip) writeFileSync(join(dir, 'sip.yaml'), sipYaml(o))
    else rmSync(join(dir, 'sip.yaml'), { force: true })
    const phoneTrace = join(logs, 'phone-messages.log')
    writeFileSync(
      join(dir, 'hub.json'),
      JSON.stringify(
        {
          httpPort: o.ports.hub,
          rtpPort: o.ports.phoneRtp,
          phoneTrace,
          callsDir: join(phoneDir, 'calls'),
          webhookUrls: o.webhookUrl ? [o.webhookUrl] : [],
        },
        null,
        2,
      ),
    )
    copyFileSync(join(packageRoot(), 'scenarios', 'phone.xml'), join(phoneDir, 'phone.xml'))
    writeFileSync(join(phoneDir, `dtmf-${PHONE_DTMF_DIGITS}.pcap`), dtmfPcap(PHONE_DTMF_DIGITS))
    rmSync(phoneTrace, { force: true })

    const launch = (
      name: ProcessName,
      command: string,
      args: string[],
      marker: string,
      stopSignal: NodeJS.Signals = 'SIGTERM',
      cwd = dir,
    ) => {
      const log = join(logs, `${name}.log`)
      writeFileSync(log, `# ${new Date().toISOString()} ${command} ${args.join(' ')}\n`)
      const proc = spawnDetached(command, args, { cwd, logFile: log })
      started[name] = { pid: proc.pid, marker, log, stopSignal }
      let exitCode: number | null | undefined
      void proc.exited.then((c) => {
        exitCode = c
      })
      const abort = () => {
        if (exitCode === undefined && isAlive(proc.pid)) return undefined
        const tail = readFileSafe(log).trim().split('\n').slice(-6).join('\n    ')
        return `${name} exited (code ${exitCode ?? '?'}); last lines of ${log}:\n    ${tail}`
      }
      return abort
    }

    const hub = hubEntry()
    const hubJson = join(dir, 'hub.json')
    const redisAbort = launch(
      'redis',
      binaries.redisServer,
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(o.ports.redis),
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
        '--dir',
        dir,
      ],
      'redis-server',
    )
    const hubAbort = launch('hub', hub.command, [...hub.args, hubJson], hubJson)
    const phoneXml = join(phoneDir, 'phone.xml')
    const phoneAbort = launch(
      'phone',
      binaries.sipp,
      [
        '-sf',
        phoneXml,
        '-i',
        '127.0.0.1',
        '-p',
        String(o.ports.phone),
        '-mi',
        '127.0.0.1',
        '-mp',
        String(o.ports.phoneMedia),
        '-ci',
        '127.0.0.1',
        '-cp',
        String(o.ports.phoneControl),
        '-nostdin',
        '-key',
        'phone_rtp_port',
        String(o.ports.phoneRtp),
        '-trace_msg',
        '-message_file',
        phoneTrace,
        '-trace_err',
        '-error_file',
        join(logs, 'phone-errors.log'),
      ],
      phoneXml,
      'SIGTERM',
      phoneDir,
    )
    await Promise.all([
      waitFor('Redis', () => redisPing(o.ports.redis), { timeoutMs: 15_000, abort: redisAbort }),
      waitFor('the hub', () => httpOk(`http://127.0.0.1:${o.ports.hub}/health`), {
        timeoutMs: 20_000,
        abort: hubAbort,
      }),
      waitFor('the phone simulator (sipp)', async () => !(await canBind(o.ports.phone, 'udp')), {
        timeoutMs: 10_000,
        abort: phoneAbort,
      }),
    ])
    const livekitYamlPath = join(dir, 'livekit.yaml')
    const lkAbort = launch(
      'livekit-server',
      binaries.livekitServer,
      ['--config', livekitYamlPath],
      livekitYamlPath,
    )
    await waitFor('livekit-server', () => httpOk(`http://127.0.0.1:${o.ports.livekit}/`), {
      timeoutMs: 30_000,
      abort: lkAbort,
    })
    if (binaries.livekitSip) {
      const sipYamlPath = join(dir, 'sip.yaml')
      const sipAbort = launch(
        'livekit-sip',
        binaries.livekitSip,
        ['--config', sipYamlPath],
        sipYamlPath,
        'SIGINT',
      )
      await waitFor('livekit-sip', () => sipOptionsPing(o.ports.sip, 500), {
        timeoutMs: 30_000,
        abort: sipAbort,
      })
    }

    // Trunks and the dispatch rule live in livekit-server + Redis: provisioned with or without livekit-sip.
    const ids = await provision({
      url: `http://127.0.0.1:${o.ports.livekit}`,
      apiKey: o.apiKey,
      apiSecret: o.apiSecret,
      phoneAddress: `127.0.0.1:${o.ports.phone}`,
    })
    const info = buildInfo(o, binaries, ids, sipUnavailableReason)
    writeState(dir, { version: 1, startedAt: Date.now(), startedBy: process.pid, processes: started, info })
    rmSync(leaseDir(dir), { recursive: true, force: true })
    const lease = takeLease(dir)
    const startupMs = Date.now() - tStart
    o.log(
      `up in ${(startupMs / 1000).toFixed(1)} s${buildMs ? ` (+ ${(buildMs / 1000).toFixed(0)} s building)` : ''}: LiveKit ${info.livekit.wsUrl}, ${withSip ? `SIP 127.0.0.1:${o.ports.sip}` : 'NO SIP (livekit-sip unavailable)'}, phone 127.0.0.1:${o.ports.phone}, state ${dir}`,
    )
    const client = connectSandbox(info)
    let done = false
    const finish = async (mode: 'stop' | 'detach') => {
      if (done) return
      done = true
      await client.webhooks.close()
      await releaseLease(dir, lease, true, mode, o.log)
    }
    return {
      ...client,
      reused: false,
      startupMs,
      buildMs,
      stop: () => finish('stop'),
      detach: () => finish('detach'),
    }
  } catch (e) {
    await stopProcesses(started)
    throw e
  } finally {
    release()
  }
}

async function stopProcesses(processes: Partial<Record<ProcessName, ProcessRecord>>): Promise<ProcessName[]> {
  const stopped: ProcessName[] = []
  for (const name of [...PROCESS_NAMES].reverse()) {
    const rec = processes[name]
    if (!rec || !isOurs(rec.pid, rec.marker)) continue
    await stopProcess(rec.pid, rec.stopSignal, name === 'livekit-sip' ? 3000 : 5000)
    stopped.push(name)
  }
  return stopped
}

/**
 * Stops the sandbox recorded in `stateDir` (default as for `startSandbox`): only the processes it started,
 * by pid, after checking each pid still runs the command it started. Returns the names it stopped.
 */
export async function stopSandbox(
  options: Pick<SandboxOptions, 'stateDir' | 'log'> = {},
): Promise<ProcessName[]> {
  const o = resolveOptions({ stateDir: options.stateDir, log: options.log })
  mkdirSync(o.stateDir, { recursive: true })
  const release = await acquireLock(o.stateDir, 60_000, o.log)
  try {
    return await stopLocked(o.stateDir, o.log)
  } finally {
    release()
  }
}

/** Stops the recorded processes; the caller holds the lock. */
async function stopLocked(stateDir: string, log: (l: string) => void): Promise<ProcessName[]> {
  const state = readState(stateDir)
  if (!state) return []
  const stopped = await stopProcesses(state.processes)
  rmSync(statePath(stateDir), { force: true })
  rmSync(leaseDir(stateDir), { recursive: true, force: true })
  log(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running')
  return stopped
}

export interface SandboxStatus {
  stateDir: string
  running: boolean
  /** Every process that was started is healthy (livekit-sip, when unavailable, is not counted: see `info.sip`). */
  healthy: boolean
  processes: ProcessHealth[]
  info: SandboxInfo | undefined
}

/** Health of the sandbox recorded in `stateDir`. */
export async function sandboxStatus(options: Pick<SandboxOptions, 'stateDir'> = {}): Promise<SandboxStatus> {
  const o = resolveOptions({ stateDir: options.stateDir, log: false })
  const state = readState(o.stateDir)
  if (!state) return { stateDir: o.stateDir, running: false, healthy: false, processes: [], info: undefined }
  const processes = await checkHealth(state)
  return {
    stateDir: o.stateDir,
    running: processes.some((p) => p.running),
    healthy: allHealthy(processes),
    processes,
    info: state.info,
  }
}

/** Log file of each process of the sandbox in `stateDir`. */
export function sandboxLogs(options: Pick<SandboxOptions, 'stateDir'> = {}): Record<string, string> {
  const o = resolveOptions({ stateDir: options.stateDir, log: false })
  const logs = join(o.stateDir, 'logs')
  const out: Record<string, string> = {}
  for (const name of PROCESS_NAMES) out[name] = join(logs, `${name}.log`)
  out['phone-messages'] = join(logs, 'phone-messages.log')
  out['phone-errors'] = join(logs, 'phone-errors.log')
  for (const k of Object.keys(out)) if (!existsSync(out[k]!)) delete out[k]
  return out
}
