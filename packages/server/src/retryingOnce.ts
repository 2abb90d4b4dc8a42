/** A memoised async start-up: `()` starts it once and shares the promise; a failure is forgotten, so the next call retries. */
export interface RetryingOnce<T> {
  (): Promise<T>
  /** The promise of the start-up under way or done, if any. */
  peek(): Promise<T> | undefined
  /** Forgets it (after a close): the next call starts again. */
  reset(): void
}

/** Memoises `start` with retry after failure (the store's migrations, PGlite's open, `ringline.ready()`). */
export function retryingOnce<T>(start: () => Promise<T>): RetryingOnce<T> {
  let current: Promise<T> | undefined
  const run = (() => {
    if (current) return current
    const attempt = start()
    current = attempt
    attempt.catch(() => {
      if (current === attempt) current = undefined
    })
    return attempt
  }) as RetryingOnce<T>
  run.peek = () => current
  run.reset = () => {
    current = undefined
  }
  return run
}
