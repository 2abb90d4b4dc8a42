import { randomUUID } from 'node:crypto'
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { SandboxSetupError } from './binaries'
import { isAlive, sleep } from './procs'
import type { SandboxInfo } from './types'

/** A process of the sandbox's stack. */
export type ProcessName = 'redis' | 'hub' | 'phone' | 's3' | 'livekit-server' | 'livekit-sip' | 'egress'

/** Start order; `stop` goes in reverse. */
export const PROCESS_NAMES: readonly ProcessName[] = [
  'redis',
  'hub',
  'phone',
  's3',
  'livekit-server',
  'livekit-sip',
  'egress',
]

/** What `state.json` records about one started process. */
export interface ProcessRecord {
  pid: number
  /** A string in the process's command line, checked before any signal is sent (pid reuse guard). */
  marker: string
  log: string
  /** Signal that makes it stop now (livekit-sip drains calls on SIGTERM; SIGINT stops it at once). */
  stopSignal: NodeJS.Signals
  /** How it was started, so `startSandboxProcess` can start it again (absent in older state files). */
  spawn?: { command: string; args: string[]; cwd: string; path?: string }
}

/** The contents of `state.json`: the running stack's processes and the info handed to its users. */
export interface StateFile {
  version: 1
  startedAt: number
  startedBy: number
  processes: Partial<Record<ProcessName, ProcessRecord>>
  info: SandboxInfo
  /** The process that started the stack stopped while others were attached: the last one out stops it. */
  ownerLeft?: boolean
}

const STATE_FILE = 'state.json'
const LOCK_FILE = 'lock'

/** Path of `state.json` in `stateDir`. */
export function statePath(stateDir: string): string {
  return join(stateDir, STATE_FILE)
}

/** The state recorded in `stateDir`, or undefined when there is none (or it is unreadable). */
export function readState(stateDir: string): StateFile | undefined {
  try {
    const s = JSON.parse(readFileSync(statePath(stateDir), 'utf8')) as StateFile
    return s.version === 1 ? s : undefined
  } catch {
    return undefined
  }
}

/** Replaces `state.json` atomically (write then rename), so a reader never sees half a file. */
export function writeState(stateDir: string, state: StateFile): void {
  const tmp = `${statePath(stateDir)}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(tmp, statePath(stateDir))
}

/** The file's text, or '' when it cannot be read. */
export function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

// ---------------------------------------------------------------------------------------------- lock

/**
 * Takes the state dir's lock file (waiting up to `timeoutMs` for a live holder; taking over a dead one's),
 * and returns the function that releases it.
 */
export async function acquireLock(
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

// ---------------------------------------------------------------------------------------------- leases

// Every Sandbox object holds a lease file (`leases/<pid>-<id>`) while it uses the stack, so a starter that
// stops first does not pull the stack from under other test processes.

/** The directory of lease files in `stateDir`. */
export function leaseDir(stateDir: string): string {
  return join(stateDir, 'leases')
}

/** Records that this process uses the stack; returns the lease's id. */
export function takeLease(stateDir: string): string {
  mkdirSync(leaseDir(stateDir), { recursive: true })
  const id = `${process.pid}-${randomUUID().slice(0, 8)}`
  writeFileSync(join(leaseDir(stateDir), id), `${process.pid}\n`)
  return id
}

/** Ids of the leases whose process still runs; the others are deleted on the way. */
export function liveLeases(stateDir: string): string[] {
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
