// The default texts of RecordingPlayer; they load with its body (overridable through its `labels` prop).
import type { RecordingPlayerLabels } from './RecordingPlayer'

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
