'use client'
import { useEffect, useId, useRef, useState } from 'react'
import { cx } from '../internal/cx'
import type { OverridesBodyProps } from '../internal/lazyBody'
import type { RecordingPlayerLabels, RecordingPlayerProps, RecordingPlayerShared } from './RecordingPlayer'
import { recordingPlayerLabels } from './recordingPlayerLabels'

let shared: RecordingPlayerShared

/** Called by the shell as it loads this body: what the body uses of modules the package index reaches. */
export function loadRecordingPlayerBody(given: RecordingPlayerShared): typeof RecordingPlayerBody {
  shared = given
  return RecordingPlayerBody
}

/** The body of {@link RecordingPlayer}, loaded with import() on its first render. */
export function RecordingPlayerBody({
  src,
  durationSeconds,
  downloadName,
  labels: overrides,
  className,
  ...rest
}: OverridesBodyProps<RecordingPlayerProps, RecordingPlayerLabels>) {
  const labels = shared.useDefaultLabels(recordingPlayerLabels, overrides)
  const audioRef = useRef<HTMLAudioElement>(null)
  const [playing, setPlaying] = useState(false)
  const [current, setCurrent] = useState(0)
  const [duration, setDuration] = useState(durationSeconds ?? 0)
  const [failed, setFailed] = useState(false)
  const id = useId()

  // A new source starts from the beginning.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on src change only
  useEffect(() => {
    setPlaying(false)
    setCurrent(0)
    setFailed(false)
  }, [src])

  const toggle = () => {
    const audio = audioRef.current
    if (!audio) return
    if (audio.paused) void audio.play().catch(() => setFailed(true))
    else audio.pause()
  }
  const seek = (value: number) => {
    const audio = audioRef.current
    if (audio) audio.currentTime = value
    setCurrent(value)
  }

  const total = shared.formatDuration(duration)
  const position = shared.formatDuration(current)
  return (
    // biome-ignore lint/a11y/useSemanticElements: a labelled group of player controls
    <div
      role="group"
      aria-label={labels.region}
      className={cx('rl-recording', className)}
      data-state={failed ? 'error' : playing ? 'playing' : 'paused'}
      {...rest}
    >
      {/* biome-ignore lint/a11y/useMediaCaption: phone call audio has no caption track; the transcript is shown beside it */}
      <audio
        ref={audioRef}
        src={src}
        preload="metadata"
        onPlay={() => setPlaying(true)}
        onPause={() => setPlaying(false)}
        onEnded={() => setPlaying(false)}
        onTimeUpdate={(e) => setCurrent(e.currentTarget.currentTime)}
        onLoadedMetadata={(e) => {
          if (Number.isFinite(e.currentTarget.duration)) setDuration(e.currentTarget.duration)
        }}
        onError={() => setFailed(true)}
      />
      <button type="button" className="rl-button" data-variant="icon" onClick={toggle} disabled={failed}>
        {playing ? <shared.PauseIcon /> : <shared.PlayIcon />}
        <span className="rl-sr-only">{playing ? labels.pause : labels.play}</span>
      </button>
      <input
        id={`${id}-seek`}
        className="rl-range"
        type="range"
        min={0}
        max={Math.max(duration, 0.001)}
        step={0.1}
        value={Math.min(current, duration || current)}
        aria-label={labels.seek}
        aria-valuetext={labels.position(position, total)}
        disabled={failed}
        onChange={(e) => seek(Number(e.currentTarget.value))}
      />
      <span className="rl-recording-time" aria-hidden="true">
        {position} / {total}
      </span>
      <a className="rl-button" data-variant="icon" href={src} download={downloadName ?? true}>
        <shared.DownloadIcon />
        <span className="rl-sr-only">{labels.download}</span>
      </a>
      {failed ? (
        <p className="rl-error" role="alert">
          {labels.error}
        </p>
      ) : null}
    </div>
  )
}
