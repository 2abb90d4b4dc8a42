import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { createServer } from 'node:net'

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** True while `pid` runs and is not a zombie. */
export function isAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false
  try {
    process.kill(pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state !== 'Z' && state !== 'X'
  } catch {
    return true // no /proc (macOS): trust kill(0)
  }
}

/** The command line of `pid` (arguments joined by spaces), or undefined. */
export function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
  } catch {
    return undefined
  }
}

/** True if `pid` is alive and its command line contains `marker` (guards against pid reuse). */
export function isOurs(pid: number | undefined, marker: string): boolean {
  if (!isAlive(pid)) return false
  const cl = cmdline(pid!)
  return cl === undefined ? true : cl.includes(marker)
}

export interface SpawnedProcess {
  pid: number
  /** Resolves with the exit code if the process exits while we watch it. */
  exited: Promise<number | null>
}

/**
 * Starts a long-running process detached from this one (own process group, stdio to `logFile`),
 * so it outlives a CLI invocation and a test runner. Returns its pid.
 */
export function spawnDetached(
  command: string,
  args: string[],
  opts: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv },
): SpawnedProcess {
  const fd = openSync(opts.logFile, 'a')
  try {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    })
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)))
      child.once('error', () => resolve(127))
    })
    child.unref()
    if (!child.pid) throw new Error(`could not start ${command}`)
    return { pid: child.pid, exited }
  } finally {
    closeSync(fd)
  }
}

/** Stops a process we started: `signal` first, SIGKILL after `graceMs`. Resolves once it is gone. */
export async function stopProcess(
  pid: number,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 5000,
): Promise<void> {
  if (!isAlive(pid)) return
  try {
    process.kill(pid, signal)
  } catch {
    return
  }
  const deadline = Date.now() + graceMs
  while (isAlive(pid) && Date.now() < deadline) await sleep(50)
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
    const hard = Date.now() + 2000
    while (isAlive(pid) && Date.now() < hard) await sleep(25)
  }
}

/** Polls `check` until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs
  let lastError: unknown
  for (;;) {
    const reason = opts.abort?.()
    if (reason) throw new Error(`${what}: ${reason}`)
    try {
      const v = await check()
      if (v) return v
    } catch (e) {
      lastError = e
    }
    if (Date.now() > deadline) {
      const tail = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}${tail}`)
    }
    await sleep(opts.intervalMs ?? 100)
  }
}

export type Proto = 'tcp' | 'udp'

/** Resolves true if 127.0.0.1:port can be bound right now (and releases it). */
export function canBind(port: number, proto: Proto, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    if (proto === 'tcp') {
      const srv = createServer()
      srv.once('error', () => resolve(false))
      srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)))
    } else {
      const sock = createSocket('udp4')
      sock.once('error', () => {
        sock.close()
        resolve(false)
      })
      sock.bind({ port, address: host, exclusive: true }, () => sock.close(() => resolve(true)))
    }
  })
}

/** A free port on 127.0.0.1 (for both protocols when asked), chosen by the kernel. */
export async function freePort(
  proto: Proto = 'udp',
  alsoFree: (p: number) => number[] = () => [],
): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const sock = createSocket('udp4')
      sock.once('error', reject)
      sock.bind({ port: 0, address: '127.0.0.1' }, () => {
        const p = sock.address().port
        sock.close(() => resolve(p))
      })
    })
    const all = [port, ...alsoFree(port)]
    if (all.some((p) => p > 65535)) continue
    const free = await Promise.all(all.map((p) => canBind(p, proto)))
    if (free.every(Boolean)) return port
  }
  throw new Error('no free port found on 127.0.0.1')
}

export interface PortHolder {
  pid: number
  command: string
}

/** Which process holds a local port, from /proc (Linux). Undefined when unknown. */
export function portHolder(port: number, proto: Proto): PortHolder | undefined {
  const inodes = new Set<string>()
  for (const file of proto === 'tcp' ? ['tcp', 'tcp6'] : ['udp', 'udp6']) {
    let text: string
    try {
      text = readFileSync(`/proc/net/${file}`, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 10) continue
      const local = cols[1]!
      const state = cols[3]!
      const p = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16)
      if (p !== port) continue
      if (proto === 'tcp' && state !== '0A') continue // LISTEN
      inodes.add(cols[9]!)
    }
  }
  if (inodes.size === 0) return undefined
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  } catch {
    return undefined
  }
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`)
        const m = /^socket:\[(\d+)\]$/.exec(link)
        if (m && inodes.has(m[1]!)) {
          return { pid: Number(pid), command: cmdline(Number(pid)) ?? '?' }
        }
      } catch {}
    }
  }
  return undefined
}

/** All TCP/UDP ports a process has bound (Linux), for the "no port left bound" check. */
export function portsOf(pid: number): { proto: Proto; port: number; address: string }[] {
  const inodes = new Set<string>()
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
        if (m) inodes.add(m[1]!)
      } catch {}
    }
  } catch {
    return []
  }
  const out: { proto: Proto; port: number; address: string }[] = []
  for (const file of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let text: string
    try {
      text = readFileSync(`/proc/net/${file}`, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 10 || !inodes.has(cols[9]!)) continue
      if (file.startsWith('tcp') && cols[3] !== '0A') continue
      const local = cols[1]!
      const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16)
      out.push({
        proto: file.startsWith('tcp') ? 'tcp' : 'udp',
        port,
        address: hexAddress(local.slice(0, local.lastIndexOf(':'))),
      })
    }
  }
  return out
}

function hexAddress(hex: string): string {
  if (hex.length === 8) {
    const n = Number.parseInt(hex, 16)
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.')
  }
  return hex === '00000000000000000000000000000000' ? '::' : `ipv6:${hex}`
}
