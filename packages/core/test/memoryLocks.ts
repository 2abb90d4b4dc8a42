import type { LockManagerLike } from '../src/tabCoordinator'

/** An in-memory Web Locks manager (exclusive mode only), shared by the "tabs" of one test. */
export function createMemoryLocks(): LockManagerLike & { holder(name: string): number | null } {
  interface Waiter {
    id: number
    callback: (lock: unknown) => Promise<unknown>
    resolve(value: unknown): void
    reject(error: unknown): void
  }
  const queues = new Map<string, Waiter[]>()
  const held = new Map<string, number>()
  let seq = 0
  const grant = (name: string) => {
    if (held.has(name)) return
    const next = queues.get(name)?.shift()
    if (!next) return
    held.set(name, next.id)
    Promise.resolve()
      .then(() => next.callback({ name }))
      .then(next.resolve, next.reject)
      .finally(() => {
        held.delete(name)
        grant(name)
      })
  }
  return {
    request(name, options, callback) {
      return new Promise((resolve, reject) => {
        const waiter: Waiter = { id: ++seq, callback, resolve, reject }
        if (options.signal?.aborted) return reject(new DOMException('aborted', 'AbortError'))
        options.signal?.addEventListener('abort', () => {
          const queue = queues.get(name) ?? []
          const i = queue.indexOf(waiter)
          if (i >= 0) {
            queue.splice(i, 1)
            reject(new DOMException('aborted', 'AbortError'))
          }
        })
        queues.set(name, [...(queues.get(name) ?? []), waiter])
        grant(name)
      })
    },
    holder: (name) => held.get(name) ?? null,
  }
}
