'use client'
import { useCallback, useSyncExternalStore } from 'react'
import { useRingline } from '../RinglineProvider'
import type { ConsultClientLike, ConsultSnapshot } from '../types'
import type { ClientHookOptions } from './useClientState'

const EMPTY: ConsultSnapshot = { consult: null, offers: [] }
const noSubscription = () => () => {}

/** What {@link useConsult} returns: the consult state and the warm-transfer actions (null when the client has none). */
export interface ConsultResult extends ConsultSnapshot {
  /** The client's warm-transfer controller; null when the client does not offer warm transfer. */
  controller: ConsultClientLike | null
}

/** The client's warm transfer (`client.consult`): this tab's consult, the consults offered to you, and the actions. */
export function useConsult(options: ClientHookOptions = {}): ConsultResult {
  const controller = useRingline(options.client).consult ?? null
  const subscribe = useCallback(
    (listener: () => void) => (controller ? controller.subscribe(listener) : noSubscription()),
    [controller],
  )
  const snapshot = useSyncExternalStore(
    subscribe,
    () => controller?.getSnapshot() ?? EMPTY,
    () => EMPTY,
  )
  return { ...snapshot, controller }
}
