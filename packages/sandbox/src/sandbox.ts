import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  EGRESS_FIX,
  findLiveKitBinary,
  LIVEKIT_SIP_FIX,
  resolveBinaries,
  resolveEgress,
  SandboxSetupError,
} from './binaries'
import { type ResolvedOptions, resolveOptions, type SandboxOptions } from './config'
import { writeConfigFiles } from './configFiles'
import {
  allHealthy,
  checkHealth,
  egressUnavailableBanner,
  type ProcessHealth,
  patientHealth,
  sipIsAvailable,
  sipUnavailableBanner,
} from './health'
import { Phone } from './phone'
import { checkPorts } from './portCheck'
import { startSandboxProcess, stopSandboxProcess } from './processControl'
import { launchProcesses, stopProcesses } from './processes'
import { portHolder } from './procs'
import { provision } from './provision'
import { buildInfo } from './sandboxInfo'
import {
  acquireLock,
  leaseDir,
  liveLeases,
  PROCESS_NAMES,
  type ProcessName,
  type ProcessRecord,
  readState,
  type StateFile,
  statePath,
  takeLease,
  writeState,
} from './stateFile'
import type { SandboxInfo } from './types'
import { WebhookRelay } from './webhooks'

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
  /** Time spent building livekit-server / livekit-sip / egress, ms (0 when cached). */
  buildMs: number
  /**
   * Stops what this call started, and nothing when it attached to a running stack. While other processes
   * are still attached, the starter's stop() leaves the stack up and the last of them to stop ends it.
   */
  stop(): Promise<void>
  /** Lets go of the sandbox without stopping it (e.g. to keep it for the next test run). */
  detach(): Promise<void>
  /** Failure drills: stops one of its processes (`SIGKILL` unless told; see `stopSandboxProcess`). */
  stopProcess(name: ProcessName, options?: { signal?: NodeJS.Signals | 'graceful' }): Promise<void>
  /** Starts a stopped process again and waits until it answers (see `startSandboxProcess`). */
  startProcess(name: ProcessName, options?: { timeoutMs?: number }): Promise<void>
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
    stopProcess: (name, o) => stopSandboxProcess(name, { ...o, stateDir: info.stateDir }),
    startProcess: (name, o) => startSandboxProcess(name, { ...o, stateDir: info.stateDir }),
  }
}

/**
 * The `Sandbox` handed to a caller that holds `lease`: its first `stop()` or `detach()` closes the webhook
 * relay and releases the lease (stopping the stack when `started` and nobody else holds one).
 */
function leasedSandbox(
  client: ReturnType<typeof connectSandbox>,
  lease: string,
  timing: { started: boolean; startupMs: number; buildMs: number },
  log: (l: string) => void,
): Sandbox {
  const dir = client.info.stateDir
  let done = false
  const finish = async (mode: 'stop' | 'detach') => {
    if (done) return
    done = true
    await client.webhooks.close()
    await releaseLease(dir, lease, timing.started, mode, log)
  }
  return {
    ...client,
    reused: !timing.started,
    startupMs: timing.startupMs,
    buildMs: timing.buildMs,
    stop: () => finish('stop'),
    detach: () => finish('detach'),
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

/** Refuses (requireEgress) or warns about a running sandbox without egress before attaching to it. */
function checkEgressBeforeAttach(state: StateFile, o: ResolvedOptions): void {
  const rec = state.info.recording
  if (rec?.available) return
  const reason = rec
    ? rec.unavailableReason
    : 'it was started by an older @ringline/sandbox without recording'
  if (o.requireEgress) {
    throw new SandboxSetupError(
      `egress is required (RINGLINE_REQUIRE_EGRESS=1 or requireEgress: true) but the sandbox running from ${state.info.stateDir} has none: ${reason}`,
      `${EGRESS_FIX}; then \`ringline-sandbox down\` (state dir ${state.info.stateDir}) and start again`,
    )
  }
  o.log(egressUnavailableBanner(reason))
}

/** Attaches to the healthy stack that `state` describes, under a lease of its own. */
async function attach(state: StateFile, o: ResolvedOptions, startupMs: number): Promise<Sandbox> {
  checkSipBeforeAttach(state, o)
  checkEgressBeforeAttach(state, o)
  const client = connectSandbox(state.info)
  if (o.webhookUrl) await client.webhooks.forward(o.webhookUrl, { persistent: true })
  const lease = takeLease(state.info.stateDir)
  return leasedSandbox(client, lease, { started: false, startupMs, buildMs: 0 }, o.log)
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
    const egress = o.egress
      ? await resolveEgress(o.log, o.env)
      : { path: null, buildMs: 0, reason: 'turned off for this sandbox (egress: false)' }
    if (egress.reason !== undefined) {
      if (o.requireEgress && o.egress)
        throw new SandboxSetupError(
          `egress is required (RINGLINE_REQUIRE_EGRESS=1 or requireEgress: true) but not available: ${egress.reason}`,
          EGRESS_FIX,
        )
      o.log(egressUnavailableBanner(egress.reason))
    }
    binaries.egress = egress.path
    const totalBuildMs = buildMs + egress.buildMs
    const tStart = Date.now()
    await checkPorts(o.ports, withSip, binaries.egress !== null)

    const dir = o.stateDir
    await launchProcesses(
      o,
      binaries,
      writeConfigFiles(o, withSip, binaries.egress !== null, binaries.sipp),
      started,
    )

    // Trunks and the dispatch rule live in livekit-server + Redis: provisioned with or without livekit-sip.
    const ids = await provision({
      url: `http://127.0.0.1:${o.ports.livekit}`,
      apiKey: o.apiKey,
      apiSecret: o.apiSecret,
      phoneAddress: `127.0.0.1:${o.ports.phone}`,
    })
    const info = buildInfo(o, binaries, ids, sipUnavailableReason, egress.reason)
    writeState(dir, { version: 1, startedAt: Date.now(), startedBy: process.pid, processes: started, info })
    rmSync(leaseDir(dir), { recursive: true, force: true })
    const lease = takeLease(dir)
    const startupMs = Date.now() - tStart
    o.log(
      `up in ${(startupMs / 1000).toFixed(1)} s${totalBuildMs ? ` (+ ${(totalBuildMs / 1000).toFixed(0)} s building)` : ''}: LiveKit ${info.livekit.wsUrl}, ${withSip ? `SIP 127.0.0.1:${o.ports.sip}` : 'NO SIP (livekit-sip unavailable)'}, phone 127.0.0.1:${o.ports.phone}, S3 ${info.recording?.s3.endpoint}, ${binaries.egress ? 'egress' : 'NO egress (recording unavailable)'}, state ${dir}`,
    )
    const client = connectSandbox(info)
    return leasedSandbox(client, lease, { started: true, startupMs, buildMs: totalBuildMs }, o.log)
  } catch (e) {
    await stopProcesses(started)
    throw e
  } finally {
    release()
  }
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

/** What `sandboxStatus()` reports: whether the stack runs, each process's health, and its info. */
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
