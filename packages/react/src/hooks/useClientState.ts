'use client'
import { useCallback, useSyncExternalStore } from 'react'
import { SERVER_SNAPSHOT } from '../internal/serverSnapshot'
import { useRingline } from '../RinglineProvider'
import type { CallClientLike, CallClientState } from '../types'

/** Options every client hook accepts. */
export interface ClientHookOptions {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
}

/**
 * Binds a slice of the client snapshot with `useSyncExternalStore`. The selector must return a value that is
 * stable for a given snapshot (a field of it, not a new object), so unrelated updates do not re-render.
 */
export function useClientState<T>(selector: (state: CallClientState) => T, client?: CallClientLike): T {
  const resolved = useRingline(client)
  const subscribe = useCallback((listener: () => void) => resolved.subscribe(listener), [resolved])
  return useSyncExternalStore(
    subscribe,
    () => selector(resolved.getSnapshot()),
    () => selector(resolved.getServerSnapshot?.() ?? SERVER_SNAPSHOT),
  )
}
