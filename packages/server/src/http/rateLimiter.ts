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

  private sweep(windowMs: number): void {
    const now = this.now()
    for (const [key, window] of this.windows) if (now - window.start >= windowMs) this.windows.delete(key)
  }
}
