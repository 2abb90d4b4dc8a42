import type { Clock } from '../types'

/** A manual clock: timers fire only when you `advance`. */
export interface FakeClock extends Clock {
  /** Move time forward, firing due timers in order (also those they schedule). */
  advance(ms: number): void
  /** Number of pending timers. */
  pending(): number
  /** Set the current time without firing timers. */
  set(now: number): void
}

/** Create a fake clock starting at `start` (epoch ms). */
export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void }>()
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = ++seq
      timers.set(id, { at: now + Math.max(0, ms), fn })
      return id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    advance(ms) {
      const end = now + ms
      for (;;) {
        let next: [number, { at: number; fn: () => void }] | null = null
        for (const entry of timers)
          if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry
        if (!next) break
        timers.delete(next[0])
        now = Math.max(now, next[1].at)
        next[1].fn()
      }
      now = end
    },
    pending: () => timers.size,
    set(value) {
      now = value
    },
  }
}
