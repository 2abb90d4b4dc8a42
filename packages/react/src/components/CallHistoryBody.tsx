'use client'
import type { CallDirection, CallRecord, CallStatus } from '@ringline/core/protocol'
import { type UIEvent, useEffect, useId, useMemo, useRef, useState } from 'react'
import { cx } from '../internal/cx'
import type { OverridesBodyProps } from '../internal/lazyBody'
import { usePhoneNumberFormat } from '../internal/usePhoneNumberFormat'
import type { CallHistoryProps, CallHistoryShared, CallHistoryViewState } from './CallHistory'
import { CallHistoryDetail } from './CallHistoryDetail'
import { type CallHistoryLabels, callHistoryLabels } from './callHistoryLabels'

const OVERSCAN = 6

function otherParty(call: CallRecord): string | null {
  if (call.direction === 'internal') return call.roomName
  return call.direction === 'outbound' ? call.toNumber : call.fromNumber
}

let shared: CallHistoryShared

/** Called by the shell as it loads this body: what the body uses of modules the package index reaches. */
export function loadCallHistoryBody(given: CallHistoryShared): typeof CallHistoryBody {
  shared = given
  return CallHistoryBody
}

/** The body of {@link CallHistory}, loaded with import() on its first render. */
export function CallHistoryBody({
  client,
  api: apiProp,
  labels: overrides,
  filters: filtersProp,
  defaultFilters = {},
  onFiltersChange,
  selectedId: selectedProp,
  defaultSelectedId = null,
  onSelectedIdChange,
  pageSize = 50,
  showStats = true,
  showFilters = true,
  roomKinds,
  onCallBack,
  resolveUser,
  defaultCountry = 'US',
  locale: localeProp,
  timeZone,
  rowHeight = 56,
  listHeight = 480,
  initialData,
  className,
  ...rest
}: OverridesBodyProps<CallHistoryProps, CallHistoryLabels>) {
  const labels = shared.useDefaultLabels(callHistoryLabels, overrides)
  const formatNumber = usePhoneNumberFormat()
  const errorText = shared.useErrorText()
  const messages = shared.useRinglineMessages()
  const locale = localeProp ?? messages?.locale
  const api = shared.useRinglineApi(client, apiProp)
  const [filters, setFilters] = shared.useControllableState(filtersProp, defaultFilters, onFiltersChange)
  const [selectedId, setSelectedId] = shared.useControllableState<string | null>(
    selectedProp,
    defaultSelectedId,
    onSelectedIdChange,
  )
  const [search, setSearch] = useState(filters.q ?? '')
  const history = shared.useCallHistory({
    client,
    api,
    filters,
    pageSize,
    stats: showStats,
    ...(initialData ? { initialData } : {}),
  })
  const [scrollTop, setScrollTop] = useState(0)
  const viewportRef = useRef<HTMLDivElement>(null)
  const isClient = shared.useIsClient()
  const id = useId()

  // Debounce the search box into the filters.
  useEffect(() => {
    const q = search.trim()
    if ((filters.q ?? '') === q) return
    const t = setTimeout(() => setFilters((prev) => ({ ...prev, q: q || undefined })), 300)
    return () => clearTimeout(t)
  }, [search, filters.q, setFilters])

  const dateFormat = useMemo(
    () =>
      new Intl.DateTimeFormat(locale, {
        dateStyle: 'medium',
        timeStyle: 'short',
        ...(timeZone ? { timeZone } : {}),
      }),
    [locale, timeZone],
  )
  const formatTime = (iso: string) => (timeZone || isClient ? dateFormat.format(new Date(iso)) : '')

  const { calls } = history
  const total = calls.length
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN)
  // `scrollTop` is rounded down to a row: one more row covers the part of a row scrolled past.
  const last = Math.min(total, Math.ceil((scrollTop + listHeight) / rowHeight) + 1 + OVERSCAN)

  // Fetch the next page as the end comes into view.
  useEffect(() => {
    if (history.hasMore && !history.isFetchingMore && last >= total - OVERSCAN && total > 0)
      void history.loadMore()
  }, [last, total, history.hasMore, history.isFetchingMore, history.loadMore])

  const filtered = !!(filters.direction || filters.status || filters.q || filters.roomKind)
  const viewState: CallHistoryViewState =
    history.status === 'loading'
      ? 'loading'
      : history.status === 'error'
        ? 'error'
        : total === 0
          ? 'empty'
          : 'ready'
  const selected = selectedId ? (calls.find((c) => c.id === selectedId) ?? null) : null

  const partyLabel = (call: CallRecord) => {
    const party = otherParty(call)
    if (!party) return labels.unknownNumber
    return call.direction === 'internal' ? party : formatNumber(party, defaultCountry)
  }

  return (
    // biome-ignore lint/a11y/useSemanticElements: a labelled region grouping the history
    <div
      role="region"
      aria-label={labels.region}
      className={cx('rl-call-history', className)}
      data-state={viewState}
      {...rest}
    >
      {showStats ? (
        <dl className="rl-history-stats" aria-label={labels.stats}>
          <div>
            <dt>{labels.total}</dt>
            <dd>{history.stats ? history.stats.total : '—'}</dd>
          </div>
          <div>
            <dt>{labels.answerRate}</dt>
            <dd>
              {history.stats?.answerRate != null ? `${Math.round(history.stats.answerRate * 100)}%` : '—'}
            </dd>
          </div>
          <div>
            <dt>{labels.averageDuration}</dt>
            <dd>
              {history.stats?.averageDurationSeconds != null
                ? shared.formatDuration(history.stats.averageDurationSeconds)
                : '—'}
            </dd>
          </div>
          <div>
            <dt>{labels.missed}</dt>
            <dd>{history.stats ? (history.stats.byStatus.missed ?? 0) : '—'}</dd>
          </div>
        </dl>
      ) : null}
      {showFilters ? (
        // biome-ignore lint/a11y/useSemanticElements: <search> is not known to every browser and jsdom yet
        <div role="search" className="rl-history-filters" aria-label={labels.filters}>
          <div className="rl-field">
            <label htmlFor={`${id}-direction`}>{labels.direction}</label>
            <select
              id={`${id}-direction`}
              className="rl-select"
              value={filters.direction ?? ''}
              onChange={(e) =>
                setFilters({
                  ...filters,
                  direction: (e.currentTarget.value || undefined) as CallDirection | undefined,
                })
              }
            >
              <option value="">{labels.allDirections}</option>
              {(Object.keys(labels.directions) as CallDirection[]).map((d) => (
                <option key={d} value={d}>
                  {labels.directions[d]}
                </option>
              ))}
            </select>
          </div>
          <div className="rl-field">
            <label htmlFor={`${id}-status`}>{labels.status}</label>
            <select
              id={`${id}-status`}
              className="rl-select"
              value={filters.status ?? ''}
              onChange={(e) =>
                setFilters({
                  ...filters,
                  status: (e.currentTarget.value || undefined) as CallStatus | undefined,
                })
              }
            >
              <option value="">{labels.allStatuses}</option>
              {(Object.keys(labels.statuses) as CallStatus[]).map((s) => (
                <option key={s} value={s}>
                  {labels.statuses[s]}
                </option>
              ))}
            </select>
          </div>
          {roomKinds?.length ? (
            <div className="rl-field">
              <label htmlFor={`${id}-kind`}>{labels.roomKind}</label>
              <select
                id={`${id}-kind`}
                className="rl-select"
                value={filters.roomKind ?? ''}
                onChange={(e) => setFilters({ ...filters, roomKind: e.currentTarget.value || undefined })}
              >
                <option value="">{labels.allRoomKinds}</option>
                {roomKinds.map((k) => (
                  <option key={k} value={k}>
                    {labels.roomKindNames[k] ?? k}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="rl-field">
            <label htmlFor={`${id}-q`}>{labels.search}</label>
            <input
              id={`${id}-q`}
              className="rl-input"
              type="search"
              inputMode="tel"
              placeholder={labels.searchPlaceholder}
              value={search}
              onChange={(e) => setSearch(e.currentTarget.value)}
            />
          </div>
        </div>
      ) : null}

      {viewState === 'error' ? (
        <div className="rl-history-message" data-state="error">
          <p role="alert" className="rl-error">
            {labels.error} {history.error ? errorText(history.error) : ''}
          </p>
          <button type="button" className="rl-button" onClick={() => history.refresh()}>
            {labels.retry}
          </button>
        </div>
      ) : viewState === 'empty' ? (
        <div className="rl-history-message" data-state="empty">
          <p>{filtered ? labels.emptyFiltered : labels.empty}</p>
          {filtered ? (
            <button
              type="button"
              className="rl-button"
              onClick={() => {
                setSearch('')
                setFilters({})
              }}
            >
              {labels.clearFilters}
            </button>
          ) : null}
        </div>
      ) : (
        <div
          ref={viewportRef}
          className="rl-history-viewport"
          style={{
            // A short list is as tall as its rows (plus the border), not an empty panel under them.
            height: viewState === 'loading' ? listHeight : Math.min(listHeight, total * rowHeight + 2),
            overflowY: viewState === 'loading' ? 'hidden' : 'auto',
            position: 'relative',
          }}
          onScroll={(e: UIEvent<HTMLDivElement>) => {
            // Kept at row granularity: scrolling within a row changes no row, so it renders nothing.
            const top = Math.floor(e.currentTarget.scrollTop / rowHeight) * rowHeight
            if (top !== scrollTop) setScrollTop(top)
          }}
          aria-busy={viewState === 'loading' || history.isRefreshing || undefined}
        >
          {viewState === 'loading' ? (
            <ul className="rl-history-list" aria-label={labels.list} data-state="loading">
              {Array.from({ length: Math.ceil(listHeight / rowHeight) }, (_, i) => `placeholder-${i}`).map(
                (key) => (
                  <li
                    key={key}
                    className="rl-history-row rl-skeleton"
                    style={{ height: rowHeight }}
                    aria-hidden="true"
                  />
                ),
              )}
              <li className="rl-sr-only">{labels.loading}</li>
            </ul>
          ) : (
            <ul
              className="rl-history-list"
              aria-label={labels.list}
              style={{ height: total * rowHeight, position: 'relative', margin: 0, padding: 0 }}
            >
              {calls.slice(first, last).map((call, offset) => {
                const index = first + offset
                const party = otherParty(call)
                const who = partyLabel(call)
                const answeredBy = call.answeredBy
                  ? (resolveUser?.(call.answeredBy) ?? call.answeredBy)
                  : null
                return (
                  <li
                    key={call.id}
                    className="rl-history-row"
                    data-direction={call.direction}
                    data-status={call.status}
                    data-selected={call.id === selectedId ? '' : undefined}
                    aria-setsize={history.hasMore ? -1 : total}
                    aria-posinset={index + 1}
                    style={{
                      position: 'absolute',
                      top: index * rowHeight,
                      height: rowHeight,
                      left: 0,
                      right: 0,
                    }}
                  >
                    <button
                      type="button"
                      className="rl-history-open"
                      aria-expanded={call.id === selectedId}
                      aria-controls={`${id}-detail`}
                      onClick={() => setSelectedId(call.id === selectedId ? null : call.id)}
                    >
                      <span className="rl-history-direction" data-direction={call.direction}>
                        {call.direction === 'inbound' ? (
                          <shared.InboundIcon />
                        ) : call.direction === 'outbound' ? (
                          <shared.OutboundIcon />
                        ) : (
                          <shared.InternalIcon />
                        )}
                        <span className="rl-sr-only">{labels.directions[call.direction]}</span>
                      </span>
                      <span className="rl-history-party" dir="ltr">
                        {who}
                      </span>
                      <span
                        className="rl-badge"
                        data-status={call.status}
                        data-transferred={call.transfer ? '' : undefined}
                      >
                        {call.transfer ? labels.transferred : labels.statuses[call.status]}
                      </span>
                      <span className="rl-history-duration">
                        {call.durationSeconds != null ? shared.formatDuration(call.durationSeconds) : ''}
                      </span>
                      <time className="rl-history-time" dateTime={call.startedAt}>
                        {formatTime(call.startedAt)}
                      </time>
                      {answeredBy ? (
                        <span className="rl-history-answered">{labels.answeredBy(answeredBy)}</span>
                      ) : null}
                    </button>
                    {onCallBack && party && call.direction !== 'internal' ? (
                      <button
                        type="button"
                        className="rl-button rl-history-callback"
                        data-variant="icon"
                        aria-label={labels.callBack(who)}
                        onClick={() => onCallBack(party, call)}
                      >
                        <shared.PhoneIcon />
                      </button>
                    ) : null}
                  </li>
                )
              })}
            </ul>
          )}
        </div>
      )}
      {viewState === 'ready' && history.hasMore ? (
        <button
          type="button"
          className="rl-button rl-history-more"
          disabled={history.isFetchingMore}
          onClick={() => void history.loadMore()}
        >
          {history.isFetchingMore ? labels.loadingMore : labels.loadMore}
        </button>
      ) : null}
      <div id={`${id}-detail`} className="rl-history-detail-slot">
        {selected ? (
          <CallHistoryDetail
            key={selected.id}
            call={selected}
            api={api}
            labels={labels}
            who={partyLabel(selected)}
            formatTime={formatTime}
            onClose={() => setSelectedId(null)}
            shared={shared}
            onCallBack={
              onCallBack && otherParty(selected) && selected.direction !== 'internal'
                ? () => onCallBack(otherParty(selected)!, selected)
                : undefined
            }
          />
        ) : null}
      </div>
    </div>
  )
}
