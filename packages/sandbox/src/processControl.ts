// Failure drills: stop one process of a running sandbox (a crash or a clean stop) and start it again.
import { join } from 'node:path'
import { SandboxSetupError } from './binaries'
import { resolveOptions, type SandboxOptions } from './config'
import { healthProbes } from './health'
import { startPhoneProcess } from './phoneStart'
import { isAlive, isOurs, spawnDetached, stopProcess, waitFor } from './procs'
import { acquireLock, type ProcessName, readState, writeState } from './stateFile'

/** Options of `stopSandboxProcess` / `startSandboxProcess`: which sandbox (state dir, as for `startSandbox`). */
export type ProcessControlOptions = Pick<SandboxOptions, 'stateDir' | 'log'>

function stateOrThrow(stateDir: string) {
  const state = readState(stateDir)
  if (!state)
    throw new SandboxSetupError(`no sandbox is running from ${stateDir}`, 'start one with startSandbox()')
  return state
}

/**
 * Stops one process of the running sandbox in `stateDir`, by the pid it recorded: `SIGKILL` by default (a
 * crash: livekit-sip sends no BYE, livekit-server closes no connection), or its own stop signal with
 * `{ signal: 'graceful' }`. Resolves once it is gone. The rest of the stack keeps running; the sandbox reports
 * itself unhealthy (and a `reuse` start would restart it) until `startSandboxProcess` brings it back.
 */
export async function stopSandboxProcess(
  name: ProcessName,
  options: ProcessControlOptions & { signal?: NodeJS.Signals | 'graceful' } = {},
): Promise<void> {
  const o = resolveOptions({ stateDir: options.stateDir, log: options.log ?? false })
  const release = await acquireLock(o.stateDir, 60_000, o.log)
  try {
    const rec = stateOrThrow(o.stateDir).processes[name]
    if (!rec) throw new SandboxSetupError(`${name} is not part of the sandbox in ${o.stateDir}`)
    if (!isOurs(rec.pid, rec.marker)) return
    const signal = options.signal === 'graceful' ? rec.stopSignal : (options.signal ?? 'SIGKILL')
    await stopProcess(rec.pid, signal, 5000)
    o.log(`stopped ${name} (pid ${rec.pid}, ${signal})`)
  } finally {
    release()
  }
}

/**
 * Starts one stopped process of the sandbox in `stateDir` again, with the command, arguments and config it was
 * started with (same ports), and resolves once it answers its health probe. A no-op when it already runs.
 * livekit-server starts with empty rooms (its room state lives in memory and the sandbox's Redis).
 */
export async function startSandboxProcess(
  name: ProcessName,
  options: ProcessControlOptions & { timeoutMs?: number } = {},
): Promise<void> {
  const o = resolveOptions({ stateDir: options.stateDir, log: options.log ?? false })
  const release = await acquireLock(o.stateDir, 60_000, o.log)
  try {
    const state = stateOrThrow(o.stateDir)
    const rec = state.processes[name]
    if (!rec) throw new SandboxSetupError(`${name} is not part of the sandbox in ${o.stateDir}`)
    if (isOurs(rec.pid, rec.marker)) return
    if (!rec.spawn)
      throw new SandboxSetupError(
        `the sandbox in ${o.stateDir} was started by an older @ringline/sandbox that did not record how to start ${name}`,
        '`ringline-sandbox down` and start it again',
      )
    const spawnRec = rec.spawn
    const env = spawnRec.path ? { ...process.env, PATH: spawnRec.path } : undefined
    const spawn = () => {
      const proc = spawnDetached(spawnRec.command, spawnRec.args, {
        cwd: spawnRec.cwd,
        logFile: rec.log,
        ...(env ? { env } : {}),
      })
      writeState(o.stateDir, {
        ...state,
        processes: { ...state.processes, [name]: { ...rec, pid: proc.pid } },
      })
      return proc
    }
    if (name === 'phone') {
      // sipp binds its ports at start: retried while one is still held (e.g. by the sipp just stopped).
      const at = spawnRec.args.indexOf('-error_file')
      const errorFile = at >= 0 ? spawnRec.args[at + 1] : undefined
      const pid = await startPhoneProcess({
        spawn,
        ports: state.info.ports,
        errorLog: errorFile ?? join(o.stateDir, 'logs', 'phone-errors.log'),
        log: rec.log,
        timeoutMs: options.timeoutMs,
        onRetry: o.log,
      })
      o.log(`started ${name} again (pid ${pid})`)
      return
    }
    const proc = spawn()
    const probe = healthProbes(state)[name]
    await waitFor(`${name} after a restart`, () => probe(), {
      timeoutMs: options.timeoutMs ?? 30_000,
      abort: () => (isAlive(proc.pid) ? undefined : `${name} exited; see ${rec.log}`),
    })
    o.log(`started ${name} again (pid ${proc.pid})`)
  } finally {
    release()
  }
}
