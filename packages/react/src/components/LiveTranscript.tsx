'use client'
import type { TranscriptSegment } from '@ringline/core/protocol'
import { type HTMLAttributes, useEffect, useId, useRef } from 'react'
import { useActiveCall } from '../hooks/useActiveCall'
import { cx } from '../internal/cx'
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

/**
 * The active call's transcript as it is spoken: one line per segment, speaker first; interim lines are marked and
 * replaced in place. A polite live region announces only final lines.
 */
export function LiveTranscript({
  client,
  segments: segmentsProp,
  labels: labelsProp,
  hideWhenEmpty = false,
  className,
  ...rest
}: LiveTranscriptProps) {
  const labels = useLabels('liveTranscript', liveTranscriptLabels, labelsProp)
  const { call } = useActiveCall({ client })
  const segments = segmentsProp ?? call?.transcript ?? []
  const id = useId()
  const listRef = useRef<HTMLOListElement>(null)
  // Keep the newest line in view as the list grows.
  useEffect(() => {
    const list = listRef.current
    if (list && segments.length > 0) list.scrollTop = list.scrollHeight
  }, [segments])
  if (hideWhenEmpty && segments.length === 0) return null
  const finals = segments.filter((s) => s.final)
  const last = finals[finals.length - 1]
  return (
    <section
      className={cx('rl-live-transcript', className)}
      aria-labelledby={`${id}-title`}
      data-state={segments.length === 0 ? 'empty' : 'active'}
      {...rest}
    >
      <p className="rl-transcript-title" id={`${id}-title`}>
        {labels.title}
      </p>
      {segments.length === 0 ? (
        <p className="rl-hint">{labels.empty}</p>
      ) : (
        <ol ref={listRef} aria-labelledby={`${id}-title`}>
          {segments.map((s) => (
            <li key={s.id} data-final={s.final ? '' : undefined} data-speaker-kind={s.speakerKind}>
              <span className="rl-transcript-speaker">{s.speaker}</span>{' '}
              <span className="rl-transcript-text" dir="auto">
                {s.text}
              </span>
              {s.final ? null : <span className="rl-sr-only"> {labels.interim}</span>}
            </li>
          ))}
        </ol>
      )}
      <p className="rl-sr-only" aria-live="polite">
        {last ? `${last.speaker}: ${last.text}` : ''}
      </p>
    </section>
  )
}
