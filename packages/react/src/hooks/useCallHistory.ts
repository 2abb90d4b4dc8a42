'use client'
import {
  type CallHistoryFilters,
  CallHistoryObserver,
  type CallHistoryState,
  LOADING_HISTORY,
} from '@ringline/core'
import type { CallRecord, CallStats } from '@ringline/core/protocol'
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react'
import { useOptionalRingline, useRinglineApi } from '../RinglineProvider'
import type { CallClientLike, RinglineApi } from '../types'

/** Options of {@link useCallHistory}. */
export interface UseCallHistoryOptions {
  client?: CallClientLike
  /** HTTP operations to use instead of the provider's. */
  api?: RinglineApi
  /** Server-side filters; changing them refetches from the first page. */
  filters?: CallHistoryFilters
  /** Rows per page (1–200). Default 50. */
  pageSize?: number
  /** Ask the server for stats (counts, answer rate, average duration). Default true. */
  stats?: boolean
  /** Apply `call.*` events as they arrive. Default true. */
  live?: boolean
  /** Rows rendered on the server and before the first fetch, e.g. from a server component. */
  initialData?: { calls: CallRecord[]; stats?: CallStats | null; nextCursor?: string | null }
}

/** What {@link useCallHistory} returns. */
export interface CallHistoryResult extends CallHistoryState {
  loadMore(): Promise<void>
  refresh(): void
}

/** Paginated call history with filters and live updates, bound with `useSyncExternalStore`. */
export function useCallHistory(options: UseCallHistoryOptions = {}): CallHistoryResult {
  const { filters, pageSize = 50, stats = true, live = true, initialData } = options
  const api = useRinglineApi(options.client, options.api)
  const client = useOptionalRingline(options.client)
  // Initial data only seeds the first render.
  const [initial] = useState<CallHistoryState | undefined>(() =>
    initialData
      ? {
          ...LOADING_HISTORY,
          status: 'success',
          calls: initialData.calls,
          stats: initialData.stats ?? null,
          hasMore: !!initialData.nextCursor,
        }
      : undefined,
  )
  const [store] = useState(() => new CallHistoryObserver(api, initial))
  store.setApi(api)
  const filtersKey = JSON.stringify(filters ?? {})

  useEffect(() => {
    store.setQuery(JSON.parse(filtersKey) as CallHistoryFilters, pageSize, stats)
  }, [store, filtersKey, pageSize, stats])
  useEffect(() => () => store.dispose(), [store])

  useEffect(() => {
    if (!live || !client) return
    if (client.on) {
      const off = client.on((event) => {
        if (event.type === 'server-event') store.applyEvent(event.event)
      })
      // A client runs its `/events` stream while someone subscribes: a history rendered alone must subscribe too.
      const unsubscribe = client.subscribe(() => {})
      return () => {
        off()
        unsubscribe()
      }
    }
    // Without a raw event feed, refresh when a call ends or a new one rings.
    let last = client.getSnapshot()
    return client.subscribe(() => {
      const next = client.getSnapshot()
      const ended = next.activeCall?.phase !== last.activeCall?.phase && next.activeCall?.phase === 'ended'
      if (ended || next.incoming !== last.incoming) store.scheduleRefresh()
      last = next
    })
  }, [live, client, store])

  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, () => initial ?? LOADING_HISTORY)
  const loadMore = useCallback(() => store.loadMore(), [store])
  const refresh = useCallback(() => store.refresh(), [store])
  return useMemo(() => ({ ...state, loadMore, refresh }), [state, loadMore, refresh])
}

export type { CallHistoryFilters, CallHistoryState }
