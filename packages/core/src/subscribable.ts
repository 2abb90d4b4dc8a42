import type { Listener } from './types'

/** A set of listeners that knows when the first one arrives and the last one leaves (TanStack's Subscribable). */
export class Subscribable<TListener extends (...args: never[]) => void = Listener> {
  protected listeners = new Set<TListener>()

  /** Add a listener; returns the function that removes it. */
  subscribe = (listener: TListener): (() => void) => {
    this.listeners.add(listener)
    if (this.listeners.size === 1) this.onSubscribe()
    return () => {
      if (!this.listeners.delete(listener)) return
      if (this.listeners.size === 0) this.onUnsubscribe()
    }
  }

  /** True while anyone listens. */
  hasListeners(): boolean {
    return this.listeners.size > 0
  }

  protected onSubscribe(): void {}
  protected onUnsubscribe(): void {}
}
