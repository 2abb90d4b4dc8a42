import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..')

/** A running example app. */
export interface RunningApp {
  url: string
  logs: () => string
  stop(): Promise<void>
}

/**
 * Serves the example app on 127.0.0.1: the production build when `.next/BUILD_ID` exists (CI builds it
 * before the tests), else `next dev`.
 */
export async function startApp(options: { port: number; env?: Record<string, string> }): Promise<RunningApp> {
  // A stale server on the port would answer in place of this one: refuse to start instead.
  const stale = await fetch(`http://127.0.0.1:${options.port}`, { signal: AbortSignal.timeout(2_000) }).then(
    () => true,
    () => false,
  )
  if (stale) throw new Error(`port ${options.port} is already in use; stop the process listening on it`)
  const built = existsSync(join(appDir, '.next', 'BUILD_ID'))
  const next = join(appDir, 'node_modules', '.bin', 'next')
  const args = built
    ? ['start', '-p', String(options.port), '-H', '127.0.0.1']
    : ['dev', '-p', String(options.port), '-H', '127.0.0.1']
  let output = ''
  const child: ChildProcess = spawn(next, args, {
    cwd: appDir,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const url = `http://127.0.0.1:${options.port}`
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`example app exited (${child.exitCode}):\n${output}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) })
      if (res.status < 500) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`example app did not answer on ${url} within 120 s:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return {
    url,
    logs: () => output,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      process.kill(-child.pid, 'SIGTERM')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))])
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL')
    },
  }
}
