'use client'
import type { CallDetail, CallParticipant, CallRecord } from '@ringline/core/protocol'
import { useEffect, useId, useState } from 'react'
import type { RinglineApi } from '../types'
import type { CallHistoryShared } from './CallHistory'
import type { CallHistoryLabels } from './callHistoryLabels'

/** Props of {@link CallHistoryDetail}. */
export interface DetailProps {
  call: CallRecord
  api: RinglineApi
  labels: CallHistoryLabels
  who: string
  formatTime: (iso: string) => string
  onClose: () => void
  onCallBack?: () => void
  /** What the history's body got from its shell: the recording player and icons. */
  shared: CallHistoryShared
}

/** One call's details: facts, participants (with their last mute state), recording, transcript, call back. */
export function CallHistoryDetail({
  call,
  api,
  labels,
  who,
  formatTime,
  onClose,
  onCallBack,
  shared,
}: DetailProps) {
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
  const participants = detail.data?.participants ?? []
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
          <dd>{record.durationSeconds != null ? shared.formatDuration(record.durationSeconds) : '—'}</dd>
        </div>
      </dl>
      {participants.length > 0 ? (
        <HistoryParticipants
          participants={participants}
          labels={labels}
          formatTime={formatTime}
          titleId={`${id}-people`}
          shared={shared}
        />
      ) : null}
      {record.recordingUrl ? (
        <shared.RecordingPlayer
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
          <shared.PhoneIcon />
          <span>{labels.callBack(who)}</span>
        </button>
      ) : null}
    </section>
  )
}

/** The recorded participants of a call: name, kind, joined/left, time present, and a marker when last seen muted. */
function HistoryParticipants({
  participants,
  labels,
  formatTime,
  titleId,
  shared,
}: {
  shared: CallHistoryShared
  participants: readonly CallParticipant[]
  labels: CallHistoryLabels
  formatTime: (iso: string) => string
  titleId: string
}) {
  return (
    <div className="rl-history-participants">
      <p className="rl-transcript-title" id={titleId}>
        {labels.participants}
      </p>
      <ul className="rl-participants" aria-labelledby={titleId}>
        {participants.map((p) => (
          <li
            key={p.identity}
            className="rl-participant"
            data-kind={p.kind}
            data-muted={p.muted ? '' : undefined}
            data-left={p.leftAt ? '' : undefined}
          >
            <span className="rl-participant-name" dir="auto">
              {p.name ?? p.identity}
            </span>
            <span className="rl-badge">{labels.participantKinds[p.kind]}</span>
            <span className="rl-participant-times">
              {p.joinedAt ? (
                <>
                  {labels.joinedAt} <time dateTime={p.joinedAt}>{formatTime(p.joinedAt)}</time>
                </>
              ) : (
                labels.neverJoined
              )}
              {p.leftAt ? (
                <>
                  {' · '}
                  {labels.leftAt} <time dateTime={p.leftAt}>{formatTime(p.leftAt)}</time>
                </>
              ) : null}
            </span>
            {p.durationSeconds != null ? (
              <span className="rl-participant-duration">
                {labels.presentFor(shared.formatDuration(p.durationSeconds))}
              </span>
            ) : null}
            {p.muted ? (
              <span
                className="rl-participant-muted"
                role="img"
                aria-label={labels.participantMuted}
                title={labels.participantMuted}
              >
                <shared.MicOffIcon />
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  )
}
