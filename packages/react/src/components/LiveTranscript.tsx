'use client'
import type { TranscriptSegment } from '@ringline/core/protocol'
import { type HTMLAttributes, useEffect } from 'react'
import { useActiveCall } from '../hooks/useActiveCall'
import { LazyFallback, lazyBody, withPreload } from '../internal/lazyBody'
import { useLabels } from '../messages'
import type { CallClientLike } from '../types'

/** Every text of LiveTranscript. */
export interface LiveTranscriptLabels {
  title: string
  empty: string
  interim: string
}

/** Default English texts of LiveTranscript. */
export const liveTranscriptLabels: LiveTranscriptLabels = {
  title: 'Live transcript',
  empty: 'Nothing transcribed yet.',
  interim: '(still listening)',
}

/** Props of {@link LiveTranscript}. */
export interface LiveTranscriptProps extends HTMLAttributes<HTMLElement> {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
  /** Segments to show instead of the active call's (e.g. a stored transcript). */
  segments?: readonly TranscriptSegment[]
  /** Text overrides. */
  labels?: Partial<LiveTranscriptLabels>
  /** Render nothing while there is no segment. Default false. */
  hideWhenEmpty?: boolean
}

// What the body uses of modules the package index reaches, handed over as it loads (see internal/lazyBody.tsx).
const shared = { useActiveCall }
/** What {@link LiveTranscript}'s body gets from its shell. Internal. */
export type LiveTranscriptShared = typeof shared
const body = /* @__PURE__ */ lazyBody(() =>
  import('./LiveTranscriptBody').then((m) => m.loadLiveTranscriptBody(shared)),
)

/**
 * The active call's transcript as it is spoken: one line per segment, speaker first; interim lines are marked and
 * replaced in place. A polite live region announces only final lines. Its body loads on first render, or as soon as
 * a call is live (a busy placeholder meanwhile); `LiveTranscript.preload()` fetches it ahead.
 */
export const LiveTranscript = /* @__PURE__ */ withPreload(function LiveTranscript(
  props: LiveTranscriptProps,
) {
  const labels = useLabels('liveTranscript', liveTranscriptLabels, props.labels)
  const { call, isLive } = useActiveCall({ client: props.client })
  // Fetch the body once a call is live (off the answer and dial path), so it is there when the first line comes.
  useEffect(() => {
    if (isLive) body.preload().catch(() => {})
  }, [isLive])
  // Nothing to show (the body's own rule): render nothing rather than a placeholder.
  if (props.hideWhenEmpty && (props.segments ?? call?.transcript ?? []).length === 0) return null
  return body.render(
    { ...props, labels },
    <LazyFallback
      as="section"
      rootClass="rl-live-transcript"
      className={props.className}
      label={labels.title}
      style={props.style}
    />,
  )
}, body)
