'use client'
import { type HTMLAttributes, useEffect, useId, useRef, useState } from 'react'
import { cx } from '../internal/cx'
import { formatDuration } from '../internal/format'
import { DownloadIcon, PauseIcon, PlayIcon } from '../internal/icons'
import { useLabels } from '../messages'

/** Every text of RecordingPlayer. */
export interface RecordingPlayerLabels {
  region: string
  play: string
  pause: string
  seek: string
  position: (current: string, total: string) => string
  download: string
  error: string
}

/** Default English texts of RecordingPlayer. */
export const recordingPlayerLabels: RecordingPlayerLabels = {
  region: 'Call recording',
  play: 'Play recording',
  pause: 'Pause recording',
  seek: 'Seek',
  position: (current, total) => `${current} of ${total}`,
  download: 'Download',
  error: 'The recording could not be loaded.',
}

/** Props of {@link RecordingPlayer}. */
export interface RecordingPlayerProps extends HTMLAttributes<HTMLDivElement> {
  /** URL of the audio file. */
  src: string
  /** Known duration in seconds, shown before the file's metadata loads. */
  durationSeconds?: number | null
  /** File name offered by the download link. */
  downloadName?: string
  /** Text overrides. */
  labels?: Partial<RecordingPlayerLabels>
}

/** An audio player for a call recording: play / pause, seek, position, download. */
export function RecordingPlayer({
  src,
  durationSeconds,
  downloadName,
  labels: labelsProp,
  className,
  ...rest
}: RecordingPlayerProps) {
  const labels = useLabels('recordingPlayer', recordingPlayerLabels, labelsProp)
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

  const total = formatDuration(duration)
  const position = formatDuration(current)
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
        {playing ? <PauseIcon /> : <PlayIcon />}
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
        <DownloadIcon />
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
