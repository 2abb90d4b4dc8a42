// The call history as an observer (TanStack's QueryObserver shape): pages of `GET /calls`, filters, and live
// `call.*` events applied in place. Framework-free; React binds it with useSyncExternalStore.
import type {
  CallDirection,
  CallRecord,
  CallStats,
  CallStatus,
  ListCallsQuery,
  ListCallsResponse,
  RinglineEvent,
} from './protocol'
import { Subscribable } from './subscribable'

/** The one route the history reads; `createApiClient()` and `@ringline/react`'s `RinglineApi` both fit. */
export interface CallHistoryApi {
  listCalls(query?: ListCallsQuery, signal?: AbortSignal): Promise<ListCallsResponse>
}

/** Filters of the call history, sent as `GET /calls` query parameters. */
export interface CallHistoryFilters {
  direction?: CallDirection
  status?: CallStatus
  /** Free-text search on numbers. */
  q?: string
  contactId?: string
  userId?: string
  /** Browser rooms of one kind (`support`, …): `GET /calls?roomKind=`. */
  roomKind?: string
  /** ISO 8601 lower bound of `startedAt`. */
  since?: string
  /** ISO 8601 upper bound of `startedAt`. */
  until?: string
}

/** The history as a snapshot: `status` says whether the first page is there. */
export interface CallHistoryState {
  status: 'loading' | 'success' | 'error'
  calls: readonly CallRecord[]
  stats: CallStats | null
  hasMore: boolean
  isFetchingMore: boolean
  isRefreshing: boolean
  error: { code: string; message: string } | null
}

/** The initial snapshot: loading, no rows. */
export const LOADING_HISTORY: CallHistoryState = Object.freeze({
  status: 'loading',
  calls: Object.freeze([]) as readonly CallRecord[],
  stats: null,
  hasMore: false,
  isFetchingMore: false,
  isRefreshing: false,
  error: null,
})

function toError(error: unknown): { code: string; message: string } {
  const e = error as { code?: string; message?: string } | null
  return { code: e?.code ?? 'INTERNAL', message: e?.message ?? 'Something went wrong.' }
}

function matches(call: CallRecord, filters: CallHistoryFilters): boolean {
  if (filters.direction && call.direction !== filters.direction) return false
  if (filters.status && call.status !== filters.status) return false
  if (filters.contactId && call.contactId !== filters.contactId) return false
  if (filters.roomKind && call.roomKind !== filters.roomKind) return false
  if (filters.q) {
    const needle = filters.q.replace(/[^\d+a-z]/gi, '').toLowerCase()
    const hay = `${call.fromNumber ?? ''} ${call.toNumber ?? ''}`.toLowerCase()
    if (needle && !hay.includes(needle)) return false
  }
  return true
}

/** Paginated, live-updated call history over `listCalls`, observable like the call client. */
export class CallHistoryObserver extends Subscribable {
  private state: CallHistoryState = LOADING_HISTORY
  private cursor: string | null = null
  private key = ''
  private query: ListCallsQuery = {}
  private filters: CallHistoryFilters = {}
  private controller: AbortController | null = null
  private generation = 0
  private refreshTimer: ReturnType<typeof setTimeout> | null = null

  private api: CallHistoryApi

  constructor(api: CallHistoryApi, initial?: CallHistoryState) {
    super()
    this.api = api
    if (initial) this.state = initial
  }

  getSnapshot = (): CallHistoryState => this.state

  private set(patch: Partial<CallHistoryState>) {
    this.state = { ...this.state, ...patch }
    for (const listener of this.listeners) listener()
  }

  /** Uses another API object (provider changed). */
  setApi(api: CallHistoryApi) {
    this.api = api
  }

  /** Sets filters and page size; fetches the first page when they changed (or `force`). */
  setQuery(filters: CallHistoryFilters, pageSize: number, withStats: boolean, force = false) {
    const query: ListCallsQuery = {
      ...filters,
      limit: pageSize,
      ...(withStats ? { stats: '1' as const } : {}),
    }
    const key = JSON.stringify(query)
    if (key === this.key && !force) return
    // Same query refreshed, or first query over seeded rows: keep the rows on screen while fetching.
    const keepRows = this.state.status === 'success' && (key === this.key || this.key === '')
    this.key = key
    this.query = query
    this.filters = filters
    void this.fetchFirst(keepRows)
  }

  private async fetchFirst(keepRows: boolean) {
    this.controller?.abort()
    const controller = new AbortController()
    this.controller = controller
    const generation = ++this.generation
    if (keepRows) this.set({ isRefreshing: true })
    else this.set({ ...LOADING_HISTORY })
    try {
      const page = await this.api.listCalls(this.query, controller.signal)
      if (generation !== this.generation) return
      this.cursor = page.nextCursor
      this.set({
        status: 'success',
        calls: page.calls,
        stats: page.stats ?? null,
        hasMore: page.nextCursor !== null,
        isRefreshing: false,
        isFetchingMore: false,
        error: null,
      })
    } catch (error) {
      if (generation !== this.generation || controller.signal.aborted) return
      this.set({ status: 'error', error: toError(error), isRefreshing: false })
    }
  }

  /** Fetches the next page and appends it. */
  async loadMore() {
    if (!this.cursor || this.state.isFetchingMore || this.state.status !== 'success') return
    const generation = this.generation
    this.set({ isFetchingMore: true })
    try {
      const { stats: _stats, ...rest } = this.query
      const page = await this.api.listCalls({ ...rest, cursor: this.cursor })
      if (generation !== this.generation) return
      this.cursor = page.nextCursor
      const seen = new Set(this.state.calls.map((c) => c.id))
      this.set({
        calls: [...this.state.calls, ...page.calls.filter((c) => !seen.has(c.id))],
        hasMore: page.nextCursor !== null,
        isFetchingMore: false,
      })
    } catch (error) {
      if (generation !== this.generation) return
      this.set({ isFetchingMore: false, error: toError(error) })
    }
  }

  /** Refetches the first page, keeping the rows on screen meanwhile. */
  refresh() {
    void this.fetchFirst(this.state.status === 'success')
  }

  /** Applies a server event: updates a row in place or prepends a new matching call. */
  applyEvent(event: RinglineEvent) {
    if (event.type === 'room.updated' || this.state.status !== 'success') return
    const call = event.call
    const index = this.state.calls.findIndex((c) => c.id === call.id)
    if (index >= 0) {
      const calls = this.state.calls.slice()
      if (matches(call, this.filters)) calls[index] = call
      else calls.splice(index, 1)
      this.set({ calls })
    } else if (matches(call, this.filters)) {
      this.set({ calls: [call, ...this.state.calls] })
    }
    // Stats are aggregates the server computes: refresh them a moment after a burst of events.
    if (this.query.stats) this.scheduleRefresh()
  }

  /** Refreshes soon, coalescing bursts (used when the client has no raw event feed). */
  scheduleRefresh(delayMs = 400) {
    if (this.refreshTimer) clearTimeout(this.refreshTimer)
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null
      this.refresh()
    }, delayMs)
  }

  /** Stops timers and in-flight requests. */
  dispose() {
    this.controller?.abort()
    if (this.refreshTimer) clearTimeout(this.refreshTimer)
    this.generation++
    // A remount (StrictMode) sets the query again and must refetch.
    this.key = ''
  }
}
