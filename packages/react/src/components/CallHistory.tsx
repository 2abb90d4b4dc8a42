'use client'
import { CallHistoryObserver, type CountryCode } from '@ringline/core'
import type { CallRecord } from '@ringline/core/protocol'
import type { HTMLAttributes } from 'react'
import type { CallHistoryFilters } from '../hooks/useCallHistory'
import { useCallHistory } from '../hooks/useCallHistory'
import { formatDuration } from '../internal/format'
import { InboundIcon, InternalIcon, MicOffIcon, OutboundIcon, PhoneIcon } from '../internal/icons'
import { useDefaultLabels } from '../internal/labels'
import { LazyFallback, lazyBody, withPreload } from '../internal/lazyBody'
import { useControllableState } from '../internal/useControllableState'
import { useIsClient } from '../internal/useIsClient'
import { useErrorText, useLabelOverrides, useRinglineMessages } from '../messages'
import { useRinglineApi } from '../RinglineProvider'
import type { CallClientLike, RinglineApi } from '../types'
import type { CallHistoryLabels } from './callHistoryLabels'
import { RecordingPlayer } from './RecordingPlayer'

/** States of CallHistory (`data-state`). */
export type CallHistoryViewState = 'loading' | 'error' | 'empty' | 'ready'

/** Props of {@link CallHistory}. */
export interface CallHistoryProps extends HTMLAttributes<HTMLDivElement> {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
  /** HTTP operations to use instead of the client's or the provider's. */
  api?: RinglineApi
  /** Text overrides (nested records merge key by key). */
  labels?: Partial<{ [K in keyof CallHistoryLabels]: Partial<CallHistoryLabels[K]> | CallHistoryLabels[K] }>
  /** Filters, controlled. */
  filters?: CallHistoryFilters
  /** Initial filters, uncontrolled. */
  defaultFilters?: CallHistoryFilters
  /** Called when the user changes a filter. */
  onFiltersChange?: (filters: CallHistoryFilters) => void
  /** Selected call id (details panel), controlled. */
  selectedId?: string | null
  /** Initially selected call, uncontrolled. */
  defaultSelectedId?: string | null
  /** Called when a row is opened or closed. */
  onSelectedIdChange?: (id: string | null) => void
  /** Rows per page. Default 50. */
  pageSize?: number
  /** Show the stats header. Default true. */
  showStats?: boolean
  /** Show the filters. Default true. */
  showFilters?: boolean
  /** Room kinds offered by the kind filter (your server's `rooms.kinds` names); the filter shows when non-empty. */
  roomKinds?: readonly string[]
  /** Shows a call-back button; called with the other side's number (open your Dialer prefilled). */
  onCallBack?: (number: string, call: CallRecord) => void
  /** Display name of a user id (who answered). */
  resolveUser?: (userId: string) => string
  /** Country used to read and format national numbers. Default `US`. */
  defaultCountry?: CountryCode
  /** Locale and time zone of timestamps; without a time zone they render after hydration. */
  locale?: string
  timeZone?: string
  /** Height of one row in px (virtualization). Default 56. */
  rowHeight?: number
  /** Maximum height of the scrolling list in px; a shorter list shrinks to its rows. Default 480. */
  listHeight?: number
  /** Passed to `useCallHistory`: rows to render before the first fetch (SSR). */
  initialData?: { calls: CallRecord[]; nextCursor?: string | null }
}

// What the body uses of modules the package index reaches, handed over as it loads (see internal/lazyBody.tsx).
const shared = {
  useDefaultLabels,
  MicOffIcon,
  useCallHistory,
  InboundIcon,
  InternalIcon,
  OutboundIcon,
  PhoneIcon,
  useRinglineApi,
  RecordingPlayer,
  formatDuration,
  useControllableState,
  useIsClient,
  useErrorText,
  useRinglineMessages,
}
/** What {@link CallHistory}'s body gets from its shell. Internal. */
export type CallHistoryShared = typeof shared
const body = /* @__PURE__ */ lazyBody(() =>
  // The details' recording player and the history's queries come with it, so nothing waits for a second chunk.
  Promise.all([import('./CallHistoryBody'), RecordingPlayer.preload(), CallHistoryObserver.preload()]).then(
    ([m]) => m.loadCallHistoryBody(shared),
  ),
)

/**
 * Call history: stats, filters, a virtualized list (10,000 rows stay smooth), details with recording and transcript.
 * Its body loads on first render (a busy placeholder meanwhile); `CallHistory.preload()` fetches it ahead.
 */
export const CallHistory = /* @__PURE__ */ withPreload(function CallHistory(props: CallHistoryProps) {
  // The default texts load with the body; the placeholder needs only the region's name.
  const labels = useLabelOverrides('callHistory', props.labels)
  return body.render(
    { ...props, labels },
    <LazyFallback
      as="div"
      role="region"
      rootClass="rl-call-history"
      className={props.className}
      label={labels.region ?? 'Call history'}
      style={props.style}
    />,
  )
}, body)
