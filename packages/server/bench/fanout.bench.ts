import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { report } from './util'

/** The soft and hard open-file limits of this process (Linux /proc, else the shell's `ulimit`). */
function openFileLimits(): { soft: number; hard: number } {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    const [soft, hard] = (line?.split(/\s{2,}/).slice(1, 3) ?? []).map((v) =>
      v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v),
    )
    if (soft && hard) return { soft, hard }
  } catch {
    // not Linux: ask the shell below
  }
  const [soft = 0, hard = 0] = execFileSync('/bin/sh', ['-c', 'ulimit -Sn; ulimit -Hn'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((v) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v)))
  return { soft, hard }
}

/**
 * Fan-out over real HTTP (issue #17): 2,000 `/events` subscribers (FANOUT_SUBSCRIBERS) of one server instance in
 * a child process, another child holding the subscribers; prints connect time, broadcast latency p50/p95 beside
 * the 100 ms goal, and server memory per subscriber.
 */
export async function benchFanout(): Promise<void> {
  const subscribers = Number(process.env.FANOUT_SUBSCRIBERS ?? 2000)
  // Each process holds one socket per subscriber, plus the store, stdio and the runtime's own descriptors.
  const need = subscribers + 512
  const { soft, hard } = openFileLimits()
  if (hard < need) {
    report(
      'events over HTTP: fan-out',
      `NOT RUN: the open-file limit is ${hard} (hard); ${need} needed. Raise it (ulimit -Hn ${need} as root) or set FANOUT_SUBSCRIBERS lower.`,
    )
    process.exitCode = 1
    return
  }
  const server = fileURLToPath(new URL('./fanout.server.ts', import.meta.url))
  const node = [...process.execArgv, '--expose-gc', server]
  // Below the need, the soft limit is raised (up to the hard one) for the server and its subscriber process.
  const child =
    soft >= need
      ? spawn(process.execPath, node, { stdio: 'inherit' })
      : spawn('/bin/sh', ['-c', `ulimit -n ${need} && exec "$0" "$@"`, process.execPath, ...node], {
          stdio: 'inherit',
        })
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) {
    report('events over HTTP: fan-out', `FAILED (server process exited with ${code})`)
    process.exitCode = 1
  }
}
