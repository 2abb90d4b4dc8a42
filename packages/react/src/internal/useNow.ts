import { useSyncExternalStore } from 'react'

// One shared 1 s ticker for every timer on the page.
let now = 0
const listeners = new Set<() => void>()
let interval: ReturnType<typeof setInterval> | null = null

function subscribe(listener: () => void) {
  listeners.add(listener)
  if (!interval) {
    now = Date.now()
    interval = setInterval(() => {
      now = Date.now()
      for (const l of listeners) l()
    }, 1000)
  }
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0 && interval) {
      clearInterval(interval)
      interval = null
    }
  }
}

/** Current time in ms, updated every second while `active`; 0 on the server (timers render 0:00). */
export function useNow(active: boolean): number {
  return useSyncExternalStore(
    active ? subscribe : noopSubscribe,
    () => (active ? now || Date.now() : 0),
    () => 0,
  )
}

const noopSubscribe = () => () => {}
