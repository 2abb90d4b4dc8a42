'use client'
import type { CallDetail, CallRecord } from '@ringline/core/protocol'
import { useEffect, useId, useState } from 'react'
import { formatDuration } from '../internal/format'
import { PhoneIcon } from '../internal/icons'
import type { RinglineApi } from '../types'
import type { CallHistoryLabels } from './callHistoryLabels'
import { RecordingPlayer } from './RecordingPlayer'

/** Props of {@link CallHistoryDetail}. */
export interface DetailProps {
  call: CallRecord
  api: RinglineApi
  labels: CallHistoryLabels
  who: string
  formatTime: (iso: string) => string
  onClose: () => void
  onCallBack?: () => void
}

/** One call's details: recording, transcript, call back. */
export function CallHistoryDetail({ call, api, labels, who, formatTime, onClose, onCallBack }: DetailProps) {
  const [detail, setDetail] = useState<{ status: 'loading' | 'ready' | 'error'; data: CallDetail | null }>({
    status: 'loading',
    data: null,
  })
  const id = useId()
  useEffect(() => {
    const controller = new AbortController()
    api.getCall(call.id, controller.signal).then(
      (data) => setDetail({ status: 'ready', data }),
      () => {
        if (!controller.signal.aborted) setDetail({ status: 'error', data: null })
      },
    )
    return () => controller.abort()
  }, [api, call.id])
  const record = detail.data?.call ?? call
  const transcript = detail.data?.transcript ?? []
  return (
    <section className="rl-history-detail" aria-labelledby={`${id}-title`} data-state={detail.status}>
      <div className="rl-history-detail-header">
        <p id={`${id}-title`} className="rl-history-detail-title">
          {labels.details}: <span dir="ltr">{who}</span>
        </p>
        <button type="button" className="rl-button" onClick={onClose}>
          {labels.close}
        </button>
      </div>
      <dl className="rl-history-detail-facts">
        <div>
          <dt>{labels.status}</dt>
          <dd>{labels.statuses[record.status]}</dd>
        </div>
        <div>
          <dt>{labels.startedAt}</dt>
          <dd>
            <time dateTime={record.startedAt}>{formatTime(record.startedAt)}</time>
          </dd>
        </div>
        <div>
          <dt>{labels.duration}</dt>
          <dd>{record.durationSeconds != null ? formatDuration(record.durationSeconds) : '—'}</dd>
        </div>
      </dl>
      {record.recordingUrl ? (
        <RecordingPlayer
          src={record.recordingUrl}
          durationSeconds={record.durationSeconds}
          downloadName={`call-${record.id}`}
          {...(labels.recording ? { labels: labels.recording } : {})}
        />
      ) : (
        <p className="rl-hint">{labels.noRecording}</p>
      )}
      <div className="rl-transcript">
        <p className="rl-transcript-title" id={`${id}-transcript`}>
          {labels.transcript}
        </p>
        {detail.status === 'loading' ? (
          <p className="rl-hint">{labels.transcriptLoading}</p>
        ) : detail.status === 'error' ? (
          <p className="rl-error">{labels.detailError}</p>
        ) : transcript.length === 0 ? (
          <p className="rl-hint">{labels.transcriptEmpty}</p>
        ) : (
          <ol aria-labelledby={`${id}-transcript`}>
            {transcript.map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: transcript lines have no id
              <li key={i} data-final={line.final ? '' : undefined}>
                <span className="rl-transcript-speaker">{line.speaker}</span>{' '}
                <span className="rl-transcript-text" dir="auto">
                  {line.text}
                </span>
              </li>
            ))}
          </ol>
        )}
      </div>
      {onCallBack ? (
        <button type="button" className="rl-button" data-variant="primary" onClick={onCallBack}>
          <PhoneIcon />
          <span>{labels.callBack(who)}</span>
        </button>
      ) : null}
    </section>
  )
}
