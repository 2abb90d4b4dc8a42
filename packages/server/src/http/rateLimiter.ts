import { HttpError } from './errors'

/** A fixed-window counter per key, in process memory: cheap protection against request floods. */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one hit; returns the seconds to wait when `limit` hits per `windowMs` are exceeded, else 0. */
  hit(key: string, limit: number, windowMs: number): number {
    const now = this.now()
    let window = this.windows.get(key)
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 }
      this.windows.set(key, window)
      if (this.windows.size > 10_000) this.sweep(windowMs)
    }
    window.count += 1
    return window.count > limit ? Math.ceil((window.start + windowMs - now) / 1000) : 0
  }

  /**
   * Counts one hit and throws 429 `RATE_LIMITED` with `Retry-After` past `limit` per `windowMs`.
   * @param what what is counted, plural, for the message: `Too many ${what}; retry in N s.`
   */
  take(key: string, limit: number, windowMs: number, what: string): void {
    const wait = this.hit(key, limit, windowMs)
    if (wait > 0) {
      throw new HttpError('RATE_LIMITED', `Too many ${what}; retry in ${wait} s.`, {
        headers: { 'retry-after': String(wait) },
      })
    }
  }

  private sweep(windowMs: number): void {
    const now = this.now()
    for (const [key, window] of this.windows) if (now - window.start >= windowMs) this.windows.delete(key)
  }
}
