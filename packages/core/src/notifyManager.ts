/** Runs a callback later; the default is a microtask. */
export type NotifyScheduler = (callback: () => void) => void

/** Batches notifications: state changes apply at once, listeners hear about a burst once. */
export interface NotifyManager {
  /** Queue `callback`; callbacks queued in one burst run together, once each. */
  schedule(callback: () => void): void
  /** Run `fn`, then flush the queue synchronously if this was the outermost batch. */
  batch<T>(fn: () => T): T
  /** Flush queued callbacks now (tests, `act`). */
  flush(): void
  /** Replace the scheduler, e.g. with React's `unstable_batchedUpdates` wrapper or a synchronous one in tests. */
  setScheduler(scheduler: NotifyScheduler): void
}

/** Create a notify manager (TanStack Query's notifyManager, reduced to what Ringline needs). */
export function createNotifyManager(scheduler: NotifyScheduler = (cb) => queueMicrotask(cb)): NotifyManager {
  let queue: Array<() => void> = []
  let depth = 0
  let scheduled = false
  let schedule = scheduler

  const flush = () => {
    scheduled = false
    const pending = queue
    queue = []
    for (const callback of new Set(pending)) callback()
  }

  return {
    schedule(callback) {
      queue.push(callback)
      if (depth === 0 && !scheduled) {
        scheduled = true
        schedule(() => {
          if (scheduled) flush()
        })
      }
    },
    batch(fn) {
      depth++
      try {
        return fn()
      } finally {
        depth--
        if (depth === 0 && queue.length > 0) flush()
      }
    },
    flush,
    setScheduler(next) {
      schedule = next
    },
  }
}
