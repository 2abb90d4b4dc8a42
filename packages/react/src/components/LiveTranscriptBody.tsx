'use client'
import { useEffect, useId, useRef } from 'react'
import { cx } from '../internal/cx'
import type { BodyProps } from '../internal/lazyBody'
import type { LiveTranscriptLabels, LiveTranscriptProps, LiveTranscriptShared } from './LiveTranscript'

let shared: LiveTranscriptShared

/** Called by the shell as it loads this body: what the body uses of modules the package index reaches. */
export function loadLiveTranscriptBody(given: LiveTranscriptShared): typeof LiveTranscriptBody {
  shared = given
  return LiveTranscriptBody
}

/** The body of {@link LiveTranscript}, loaded with import() on its first render (or once a call is live). */
export function LiveTranscriptBody({
  client,
  segments: segmentsProp,
  labels,
  hideWhenEmpty = false,
  className,
  ...rest
}: BodyProps<LiveTranscriptProps, LiveTranscriptLabels>) {
  const { call } = shared.useActiveCall({ client })
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
