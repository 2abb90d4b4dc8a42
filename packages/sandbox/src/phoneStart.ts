// Starting the phone simulator (sipp) robustly: it binds four UDP ports at start and exits with 254 when one of
// them is taken, which happens for a moment when a previous test's sipp (or another process) still holds it.
import { existsSync, rmSync } from 'node:fs'
import { SandboxSetupError } from './binaries'
import { PORT_ENV, type SandboxPorts } from './config'
import { canBind, isAlive, portHolder, portsOf, type SpawnedProcess, sleep } from './procs'
import { readFileSafe } from './stateFile'

/** sipp's exit code when it cannot set up a socket at start (e.g. "Unable to bind main socket"). */
export const SIPP_BIND_EXIT = 254

/** Waits before each new attempt after a bind failure: about 2 s in all, then the start fails. */
export const PHONE_BIND_RETRY_DELAYS_MS: readonly number[] = [100, 250, 500, 1000]

/** What `startPhoneProcess` needs: how to spawn sipp once, its ports and where it writes its errors. */
export interface PhoneStart {
  /** Spawns sipp once (and records it); called again for each attempt. */
  spawn(): SpawnedProcess
  ports: Pick<SandboxPorts, 'phone' | 'phoneMedia' | 'phoneControl'>
  /** sipp's `-error_file` (phone-errors.log): removed before each attempt, quoted when the start fails. */
  errorLog: string
  /** sipp's stdout/stderr log, quoted when the error log says nothing. */
  log: string
  /** Delays before the retries after a bind failure (default `PHONE_BIND_RETRY_DELAYS_MS`). */
  retryDelaysMs?: readonly number[]
  /** How long one attempt may take to bind its ports (default 10 s). */
  timeoutMs?: number
  onRetry?: (line: string) => void
}

/** The phone's UDP ports in the order sipp binds them, with what each is for and the variable that moves it. */
function phonePorts(p: PhoneStart['ports']) {
  return [
    { port: p.phone, what: 'SIP', env: PORT_ENV.phone },
    { port: p.phoneMedia, what: 'audio RTP', env: PORT_ENV.phoneMedia },
    { port: p.phoneMedia + 2, what: 'video RTP', env: PORT_ENV.phoneMedia },
    { port: p.phoneControl, what: 'control', env: PORT_ENV.phoneControl },
  ]
}

/** True when sipp's exit looks like a socket it could not bind (exit 254, or the words in its error log). */
export function isBindFailure(exitCode: number | null | undefined, errorText: string): boolean {
  return exitCode === SIPP_BIND_EXIT || /unable to bind|already in use|EADDRINUSE/i.test(errorText)
}

/** The port a sipp bind error names ("main socket" is the SIP port), else the first phone port taken now. */
export async function failedBindPort(
  errorText: string,
  ports: PhoneStart['ports'],
): Promise<number | undefined> {
  const lines = errorText.split('\n').filter((l) => /bind/i.test(l))
  const last = lines[lines.length - 1] ?? ''
  if (/main socket/i.test(last)) return ports.phone
  const named = /port[ =](\d+)/i.exec(last)
  if (named) return Number(named[1])
  for (const { port } of phonePorts(ports)) if (!(await canBind(port, 'udp'))) return port
  return undefined
}

function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join('\n    ')
}

/** The phone is up once its process holds its SIP and control ports (control is the last sipp binds). */
function bound(pid: number, ports: PhoneStart['ports']): Promise<boolean> | boolean {
  if (!existsSync('/proc/self/fd')) return canBind(ports.phone, 'udp').then((free) => !free) // no /proc (macOS)
  const mine = portsOf(pid).filter((b) => b.proto === 'udp')
  return [ports.phone, ports.phoneControl].every((p) => mine.some((b) => b.port === p))
}

/**
 * Starts the phone simulator and resolves with its pid once it holds its ports. When sipp exits at start
 * because a port is taken (exit 254 / "Unable to bind" in phone-errors.log), waits a little and tries again,
 * `retryDelaysMs.length` more times; then throws a `SandboxSetupError` naming the port, who holds it, and the
 * last lines of phone-errors.log. Any other exit during start throws at once with the same log lines.
 */
export async function startPhoneProcess(start: PhoneStart): Promise<number> {
  const delays = start.retryDelaysMs ?? PHONE_BIND_RETRY_DELAYS_MS
  const timeoutMs = start.timeoutMs ?? 10_000
  const t0 = Date.now()
  for (let attempt = 0; ; attempt++) {
    rmSync(start.errorLog, { force: true })
    const proc = start.spawn()
    let exitCode: number | null | undefined
    void proc.exited.then((c) => {
      exitCode = c
    })
    const deadline = Date.now() + timeoutMs
    let up = false
    while (!up && exitCode === undefined) {
      if (!isAlive(proc.pid)) {
        // Gone: wait for its exit code (the child's exit event follows shortly).
        exitCode = await Promise.race([proc.exited, sleep(1000).then(() => null)])
        break
      }
      up = await bound(proc.pid, start.ports)
      if (up) break
      if (Date.now() > deadline)
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for the phone simulator (sipp) to bind UDP 127.0.0.1:${start.ports.phone} and :${start.ports.phoneControl}; see ${start.log}`,
        )
      await sleep(25)
    }
    if (up) return proc.pid

    const errors = readFileSafe(start.errorLog)
    const bindFailure = isBindFailure(exitCode, errors)
    if (bindFailure && attempt < delays.length) {
      start.onRetry?.(
        `the phone simulator (sipp) could not bind a port (exit ${exitCode}); trying again in ${delays[attempt]} ms`,
      )
      await sleep(delays[attempt]!)
      continue
    }
    const lastLines = errors.trim()
      ? `last lines of ${start.errorLog}:\n    ${tail(errors)}`
      : `${start.errorLog} is empty; last lines of ${start.log}:\n    ${tail(readFileSafe(start.log))}`
    if (!bindFailure)
      throw new Error(
        `the phone simulator (sipp) exited during start (code ${exitCode ?? '?'}); ${lastLines}`,
      )

    const port = await failedBindPort(errors, start.ports)
    const which = phonePorts(start.ports).find((p) => p.port === port)
    const holder = port === undefined ? undefined : portHolder(port, 'udp')
    const where =
      port === undefined
        ? `one of its UDP ports (${phonePorts(start.ports)
            .map((p) => p.port)
            .join(', ')})`
        : `UDP 127.0.0.1:${port}${which ? ` (its ${which.what} port)` : ''}`
    const heldBy = holder ? `; it is held by process ${holder.pid} (${holder.command.slice(0, 120)})` : ''
    throw new SandboxSetupError(
      `the phone simulator (sipp) could not bind ${where}: ${attempt + 1} attempt${attempt ? 's' : ''} over ${Date.now() - t0} ms failed (last exit ${exitCode ?? '?'})${heldBy}; ${lastLines}`,
      `${holder ? `kill ${holder.pid}, or ` : ''}pick other ports with ${which?.env ?? PORT_ENV.phone}=<port> or RINGLINE_SANDBOX_PORT_OFFSET=1000`,
    )
  }
}
