// The call history as an observer (TanStack's QueryObserver shape): pages of `GET /calls`, filters, and live
// `call.*` events applied in place. Framework-free; React binds it with useSyncExternalStore.
// The observer keeps the snapshot and subscriptions; the queries (callHistoryRun.ts) load with import() as the first
// observer is created, and calls made meanwhile run in order once they are there.
import { lazyModule } from './lazyModule'
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

/** The queries' module, loaded on first use. Internal (tests provide it). */
export const historyQueries = /* @__PURE__ */ lazyModule(() => import('./callHistoryRun'))

/** What the queries read and change of an observer. Internal. */
export interface HistoryHost {
  readonly state: CallHistoryState
  readonly api: CallHistoryApi
  set(patch: Partial<CallHistoryState>): void
  /** {@link LOADING_HISTORY}. */
  readonly loading: CallHistoryState
}

type HistoryQuery = import('./callHistoryRun').HistoryQuery

/** Paginated, live-updated call history over `listCalls`, observable like the call client. */
export class CallHistoryObserver extends Subscribable {
  private state: CallHistoryState = LOADING_HISTORY
  private api: CallHistoryApi
  private query: HistoryQuery | null = null
  /** Calls made before the queries loaded, run in order once they are there. */
  private waiting: Array<(query: HistoryQuery) => void> = []

  /** Loads the queries ahead of the first observer (e.g. with the history's code). */
  static preload(): Promise<void> {
    return historyQueries.load().then(() => undefined)
  }

  constructor(api: CallHistoryApi, initial?: CallHistoryState) {
    super()
    this.api = api
    if (initial) this.state = initial
    const loaded = historyQueries.loaded
    if (loaded) this.query = this.create(loaded)
    else this.load()
  }

  getSnapshot = (): CallHistoryState => this.state

  private set(patch: Partial<CallHistoryState>) {
    this.state = { ...this.state, ...patch }
    for (const listener of this.listeners) listener()
  }

  private create(module: typeof import('./callHistoryRun')): HistoryQuery {
    const self = this
    return new module.HistoryQuery({
      get state() {
        return self.state
      },
      get api() {
        return self.api
      },
      set: (patch) => this.set(patch),
      loading: LOADING_HISTORY,
    })
  }

  /** Loads the queries, then runs the calls that waited; a failed load shows as the history's error. */
  private load() {
    historyQueries.load().then(
      (module) => {
        if (this.query) return
        const query = this.create(module)
        this.query = query
        for (const call of this.waiting.splice(0)) call(query)
      },
      (cause: unknown) => {
        const message = (cause as { message?: string } | null)?.message ?? 'Could not load.'
        const error = { code: 'NETWORK_ERROR', message }
        // Rows already shown (initial data) stay; an empty history shows the error.
        this.set(this.state.status === 'success' ? { error } : { status: 'error', error })
      },
    )
  }

  /** Runs `call` now, or once the queries loaded (asking for them again after a failed load). */
  private run(call: (query: HistoryQuery) => void) {
    if (this.query) return call(this.query)
    this.waiting.push(call)
    if (!historyQueries.loaded) this.load()
  }

  /** Uses another API object (provider changed). */
  setApi(api: CallHistoryApi) {
    this.api = api
  }

  /** Sets filters and page size; fetches the first page when they changed (or `force`). */
  setQuery(filters: CallHistoryFilters, pageSize: number, withStats: boolean, force = false) {
    this.run((q) => q.setQuery(filters, pageSize, withStats, force))
  }

  /** Fetches the next page and appends it. */
  loadMore(): Promise<void> {
    return new Promise((resolve) => this.run((q) => resolve(q.loadMore())))
  }

  /** Refetches the first page, keeping the rows on screen meanwhile. */
  refresh() {
    this.run((q) => q.refresh())
  }

  /** Applies a server event: updates a row in place or prepends a new matching call. */
  applyEvent(event: RinglineEvent) {
    this.run((q) => q.applyEvent(event))
  }

  /** Refreshes soon, coalescing bursts (used when the client has no raw event feed). */
  scheduleRefresh(delayMs = 400) {
    this.run((q) => q.scheduleRefresh(delayMs))
  }

  /** Stops timers and in-flight requests. */
  dispose() {
    this.run((q) => q.dispose())
  }
}
