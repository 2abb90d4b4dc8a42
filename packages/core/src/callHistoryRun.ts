// The work of CallHistoryObserver, loaded with import() as the first observer is created: pages of `GET /calls`,
// filters, live `call.*` events applied in place. The observer keeps the snapshot and subscriptions.
// It imports no value of a module the package index reaches (the observer hands it what it needs), so a host's
// bundler keeps those modules out of a shared chunk that every page would load.
import type { CallHistoryApi, CallHistoryFilters, CallHistoryState, HistoryHost } from './callHistoryObserver'
import type { CallRecord, ListCallsQuery, RinglineEvent } from './protocol'

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

/** The history's queries over its observer's snapshot. */
export class HistoryQuery {
  private cursor: string | null = null
  private key = ''
  private query: ListCallsQuery = {}
  private filters: CallHistoryFilters = {}
  private controller: AbortController | null = null
  private generation = 0
  private refreshTimer: ReturnType<typeof setTimeout> | null = null

  private host: HistoryHost

  constructor(host: HistoryHost) {
    this.host = host
  }

  private get state(): CallHistoryState {
    return this.host.state
  }

  private get api(): CallHistoryApi {
    return this.host.api
  }

  private set(patch: Partial<CallHistoryState>) {
    this.host.set(patch)
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
    else this.set({ ...this.host.loading })
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
