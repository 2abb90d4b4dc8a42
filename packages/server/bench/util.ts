import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startPgCluster } from '../test/pgCluster'

/** Runs `fn` repeatedly for about `ms` and returns operations per second. */
export async function opsPerSecond(fn: () => Promise<unknown> | unknown, ms = 1500): Promise<number> {
  for (let i = 0; i < 20; i++) await fn()
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    await fn()
    n += 1
  }
  return n / ((performance.now() - start) / 1000)
}

/** The p-th percentile of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

/** Prints one figure line. */
export function report(name: string, value: string): void {
  process.stdout.write(`${name.padEnd(58)} ${value}\n`)
}

/** Runs `fn` with `concurrency` operations in flight for about `ms`; how many ran, and in how many seconds. */
async function inFlight(
  fn: () => Promise<unknown>,
  concurrency: number,
  ms: number,
): Promise<{ n: number; seconds: number }> {
  let n = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - start < ms) {
        await fn()
        n += 1
      }
    }),
  )
  return { n, seconds: (performance.now() - start) / 1000 }
}

/** Like `opsPerSecond` with `concurrency` operations in flight at once (as a server sees concurrent requests). */
export async function concurrentOpsPerSecond(
  fn: () => Promise<unknown>,
  concurrency: number,
  ms = 1500,
): Promise<number> {
  for (let i = 0; i < 20; i++) await fn()
  const { n, seconds } = await inFlight(fn, concurrency, ms)
  return n / seconds
}

/** How many concurrent operations the "in flight" figures keep going (a busy server's load). */
const IN_FLIGHT = 16

/**
 * Prints `label` with `fn`'s rate one at a time and with 16 in flight (`unit` e.g. `ops/s`); returns the first
 * (the figure other lines compare against).
 */
export async function reportSequentialAndConcurrent(
  label: string,
  unit: string,
  fn: () => Promise<unknown>,
): Promise<number> {
  const sequential = await opsPerSecond(fn)
  const concurrent = await concurrentOpsPerSecond(fn, IN_FLIGHT)
  report(
    label,
    `${sequential.toFixed(0)} ${unit} one at a time · ${concurrent.toFixed(0)} ${unit} ${IN_FLIGHT} in flight`,
  )
  return sequential
}

const PG_BIN = '/usr/lib/postgresql/15/bin'

/** A throwaway PostgreSQL 15 cluster on 127.0.0.1 (the test setup's), or null without the Debian binaries. */
export async function throwawayPostgres(): Promise<{ url: string; stop(): void } | null> {
  if (!existsSync(join(PG_BIN, 'initdb'))) return null
  const cluster = await startPgCluster()
  return { url: cluster.url, stop: () => cluster.destroy() }
}

/** CPU time (µs) a process has used so far, from `/proc` (Linux), or null where that cannot be read. */
function processCpuMicros(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    // utime and stime, fields 14 and 15 of stat (11 and 12 after the command), in clock ticks (100 per second).
    return (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {
    return null
  }
}

/**
 * Runs `fn` with `concurrency` in flight for about `ms` and returns the CPU time per operation (µs) of this process
 * (all its threads) and of the processes `pids()` names (read before and after), or null for them off Linux.
 */
export async function cpuPerOperation(
  fn: () => Promise<unknown>,
  concurrency: number,
  pids: () => Promise<number[]>,
  ms = 1500,
): Promise<{ ops: number; self: number; others: number | null }> {
  const sum = (list: number[]) => {
    let total = 0
    for (const pid of list) {
      const micros = processCpuMicros(pid)
      if (micros === null) return null
      total += micros
    }
    return total
  }
  const watched = await pids()
  const othersBefore = sum(watched)
  const before = process.cpuUsage()
  const { n, seconds } = await inFlight(fn, concurrency, ms)
  const used = process.cpuUsage(before)
  const othersAfter = sum(watched)
  return {
    ops: n / seconds,
    self: (used.user + used.system) / n,
    others: othersBefore === null || othersAfter === null ? null : (othersAfter - othersBefore) / n,
  }
}
