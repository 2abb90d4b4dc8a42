/**
 * Joins this instance has heard of from LiveKit's `participant_joined` webhook, for whoever waits on one (the dial
 * that waits for its caller). A hint that saves a poll: a join delivered to another instance is still found by
 * asking LiveKit.
 */
export class JoinSignals {
  readonly #waiters = new Map<string, Set<() => void>>()

  /** Resolves `true` when `identity` is heard joining `room`, `false` after `ms`. */
  wait(room: string, identity: string, ms: number): Promise<boolean> {
    const key = keyOf(room, identity)
    return new Promise((resolve) => {
      let set = this.#waiters.get(key)
      if (!set) {
        set = new Set()
        this.#waiters.set(key, set)
      }
      const waiters = set
      const done = (joined: boolean) => {
        clearTimeout(timer)
        waiters.delete(wake)
        if (waiters.size === 0 && this.#waiters.get(key) === waiters) this.#waiters.delete(key)
        resolve(joined)
      }
      const wake = () => done(true)
      const timer = setTimeout(() => done(false), ms)
      waiters.add(wake)
    })
  }

  /** Wakes every wait for `identity` in `room`. */
  joined(room: string, identity: string): void {
    const set = this.#waiters.get(keyOf(room, identity))
    if (!set) return
    for (const wake of [...set]) wake()
  }

  /** How many waits are pending (for tests and leak checks). */
  get size(): number {
    let n = 0
    for (const set of this.#waiters.values()) n += set.size
    return n
  }
}

function keyOf(room: string, identity: string): string {
  return `${room}\u0000${identity}`
}
