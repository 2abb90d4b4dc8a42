import type { RemoteTrackLike } from './livekitTransport'

/** The hidden `<audio>` elements of a session's remote tracks (`livekitTransport` plays the far end through them). */
export interface RemoteAudioElements {
  /** Play an audio track through a hidden element (other kinds and tracks already attached are ignored). */
  attach(track: RemoteTrackLike): void
  /** Remove a track's elements. */
  detach(track: RemoteTrackLike): void
  /** Remove every element (the session ends). */
  detachAll(): void
  /** Silence or restore every remote track, and the ones attached later. */
  setEnabled(enabled: boolean): void
}

/** Attach remote audio into `audioContainer()` (default `document.body`; null attaches without inserting). */
export function createRemoteAudioElements(
  audioContainer: (() => HTMLElement | null) | null | undefined,
): RemoteAudioElements {
  const elements = new Map<RemoteTrackLike, HTMLMediaElement[]>()
  let enabled = true

  const container = () => {
    if (audioContainer === null) return null
    if (audioContainer) return audioContainer()
    return typeof document === 'undefined' ? null : document.body
  }

  const detach = (track: RemoteTrackLike) => {
    if (!elements.has(track)) return
    for (const el of track.detach()) el.remove()
    for (const el of elements.get(track) ?? []) el.remove()
    elements.delete(track)
  }

  return {
    attach(track) {
      if (track.kind !== 'audio' || elements.has(track)) return
      const el = track.attach()
      el.setAttribute?.('data-ringline-audio', '')
      if (!enabled) track.setVolume?.(0)
      const parent = container()
      if (parent && !el.isConnected) {
        el.style.display = 'none'
        parent.appendChild(el)
      }
      elements.set(track, [el])
    },
    detach,
    detachAll() {
      for (const track of [...elements.keys()]) detach(track)
    },
    setEnabled(next) {
      enabled = next
      for (const track of elements.keys()) track.setVolume?.(next ? 1 : 0)
    },
  }
}
