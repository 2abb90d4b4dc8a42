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
