import type { LocalParticipantLike } from './livekitTransport'
import { RinglineError } from './ringlineError'

/**
 * Send `track` on the microphone's own publication (its track swapped) and return what puts the microphone back.
 * Not a second track: the token grants only the microphone source, and the far end keeps the one track it has.
 */
export async function playOnMicrophone(
  local: LocalParticipantLike,
  source: string,
  track: MediaStreamTrack,
  isClosed: () => boolean,
  /** Turns a failure to publish the microphone into a Ringline error (core's `microphoneError`). */
  microphoneError: (error: unknown) => Error,
): Promise<() => Promise<void>> {
  let mic = local.getTrackPublication(source)?.track
  if (!mic) {
    // Joined without a published microphone: publish one to carry the music.
    await local.setMicrophoneEnabled(true).catch((error: unknown) => {
      throw microphoneError(error)
    })
    mic = local.getTrackPublication(source)?.track
  }
  if (!mic)
    throw new RinglineError('CONNECTION_FAILED', 'There is no microphone track to play hold music on.')
  const own = mic.mediaStreamTrack
  const sending = mic
  await sending.replaceTrack(track, { userProvidedTrack: true })
  if (sending.isMuted) await sending.unmute()
  return async () => {
    if (isClosed()) {
      track.stop()
      return
    }
    if (own.readyState === 'live') await sending.replaceTrack(own, { userProvidedTrack: false })
    else await sending.restartTrack()
    track.stop()
  }
}
