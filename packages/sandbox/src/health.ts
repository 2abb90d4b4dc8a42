import { createSocket } from 'node:dgram'
import { connect } from 'node:net'
import { EGRESS_FIX, LIVEKIT_SIP_FIX } from './binaries'
import { isOurs, sleep } from './procs'
import { PROCESS_NAMES, type ProcessName, type StateFile } from './stateFile'
import type { SandboxInfo } from './types'

/** True when `url` answers 2xx within `timeoutMs`. */
export function httpOk(url: string, timeoutMs = 1500): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
    (r) => r.ok,
    () => false,
  )
}

/** True when `url` answers at all (any HTTP status) within `timeoutMs`: s3rver answers 403 without credentials. */
export function httpAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
    (r) => r.status > 0,
    () => false,
  )
}

/** True when the Redis on `port` answers PING with PONG. */
export function redisPing(port: number, timeoutMs = 1500): Promise<boolean> {
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

/** Whether one process of the stack runs and answers its probe. */
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
export function allHealthy(health: ProcessHealth[]): boolean {
  return health.every((h) => h.healthy || h.skipped)
}

/** The one-line warning printed whenever a sandbox without livekit-sip starts or is attached to. */
export function sipUnavailableBanner(reason: string | undefined): string {
  return `WARNING: livekit-sip is NOT available: ${reason ?? 'unknown reason'}. The sandbox runs without SIP: no phone calls; tests that need livekit-sip are skipped. fix: ${LIVEKIT_SIP_FIX} (RINGLINE_REQUIRE_SIP=1 makes this an error)`
}

/** The one-line warning printed whenever a sandbox without egress starts or is attached to. */
export function egressUnavailableBanner(reason: string | undefined): string {
  return `WARNING: egress (recording) is NOT available: ${reason ?? 'unknown reason'}. The sandbox runs without recording; tests that need egress are skipped. fix: ${EGRESS_FIX} (RINGLINE_REQUIRE_EGRESS=1 makes this an error)`
}

/** The probe of each process (whether it answers), for a sandbox state. */
export function healthProbes(state: StateFile): Record<ProcessName, () => Promise<boolean>> {
  const p = state.info.ports
  return {
    redis: () => redisPing(p.redis),
    hub: () => httpOk(`http://127.0.0.1:${p.hub}/health`),
    phone: async () => true, // sipp has no health endpoint: running is healthy
    'livekit-server': () => httpOk(`http://127.0.0.1:${p.livekit}/`),
    'livekit-sip': () => sipOptionsPing(p.sip),
    s3: () => httpAnswers(`http://127.0.0.1:${p.s3}/`),
    egress: () => httpOk(`http://127.0.0.1:${p.egressHealth}/`),
  }
}

/** Health of each process of a sandbox state. */
export async function checkHealth(state: StateFile): Promise<ProcessHealth[]> {
  const probes = healthProbes(state)
  return Promise.all(
    PROCESS_NAMES.map(async (name) => {
      const rec = state.processes[name]
      const skipped = (detail: string): ProcessHealth => ({
        name,
        pid: undefined,
        running: false,
        healthy: false,
        skipped: true,
        detail,
        log: undefined,
      })
      // Sandboxes recorded before the local S3 and egress existed have neither.
      if ((name === 's3' || name === 'egress') && !state.info.recording)
        return skipped('not part of this sandbox (started by an older @ringline/sandbox)')
      if (name === 'egress' && state.info.recording && !state.info.recording.available)
        return skipped(`NOT AVAILABLE: ${state.info.recording.unavailableReason ?? 'unknown reason'}`)
      if (name === 'livekit-sip' && !sipIsAvailable(state.info))
        return skipped(`NOT AVAILABLE: ${state.info.sip.unavailableReason ?? 'unknown reason'}`)
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
export async function patientHealth(state: StateFile): Promise<ProcessHealth[]> {
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
