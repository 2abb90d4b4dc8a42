'use client'
import type { HTMLAttributes } from 'react'
import { formatDuration } from '../internal/format'
import { DownloadIcon, PauseIcon, PlayIcon } from '../internal/icons'
import { useDefaultLabels } from '../internal/labels'
import { LazyFallback, lazyBody, withPreload } from '../internal/lazyBody'
import { useLabelOverrides } from '../messages'

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

// What the body uses of modules the package index reaches, handed over as it loads (see internal/lazyBody.tsx).
const shared = { useDefaultLabels, DownloadIcon, PauseIcon, PlayIcon, formatDuration }
/** What {@link RecordingPlayer}'s body gets from its shell. Internal. */
export type RecordingPlayerShared = typeof shared
const body = /* @__PURE__ */ lazyBody(() =>
  import('./RecordingPlayerBody').then((m) => m.loadRecordingPlayerBody(shared)),
)

/**
 * An audio player for a call recording: play / pause, seek, position, download. Its body loads on first render (a
 * busy placeholder meanwhile); `RecordingPlayer.preload()` fetches it ahead.
 */
export const RecordingPlayer = /* @__PURE__ */ withPreload(function RecordingPlayer(
  props: RecordingPlayerProps,
) {
  // The default texts load with the body; the placeholder needs only its name.
  const labels = useLabelOverrides('recordingPlayer', props.labels)
  return body.render(
    { ...props, labels },
    <LazyFallback
      as="div"
      role="group"
      rootClass="rl-recording"
      className={props.className}
      label={labels.region ?? 'Call recording'}
      style={props.style}
    />,
  )
}, body)
