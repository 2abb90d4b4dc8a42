import { useSyncExternalStore } from 'react'

const noop = () => () => {}

/** False on the server and during hydration, true after: for values that differ by environment (time zone, locale). */
export function useIsClient(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  )
}
