'use client'
import type { HTMLAttributes } from 'react'
import { useClientState } from '../hooks/useClientState'
import { cx } from '../internal/cx'
import { SpeakerIcon } from '../internal/icons'
import { useLabels } from '../messages'
import { useRingline } from '../RinglineProvider'
import type { CallClientLike, CallClientState } from '../types'

/** Every text of EnableSound. */
export interface EnableSoundLabels {
  /** Why the step is shown. */
  blocked: string
  /** The button. */
  enable: string
}

/** Default English texts of EnableSound. */
export const enableSoundLabels: EnableSoundLabels = {
  blocked: 'Your browser blocks sound on this page until you click. You would not hear calls ring.',
  enable: 'Enable sound',
}

/** Props of {@link EnableSound}. */
export interface EnableSoundProps extends HTMLAttributes<HTMLDivElement> {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
  /** Text overrides. */
  labels?: Partial<EnableSoundLabels>
  /** Called after the button unblocked sound. */
  onEnabled?: () => void
}

const selectReadiness = (state: CallClientState) => state.audio.readiness

/**
 * The "Enable sound" step: shown only while the browser blocks autoplay; its button (a user gesture) unblocks the
 * ringtone and the call's audio with one `enableSound()`. Renders nothing once sound can play.
 */
export function EnableSound({ client, labels: labelsProp, onEnabled, className, ...rest }: EnableSoundProps) {
  const resolved = useRingline(client)
  const readiness = useClientState(selectReadiness, resolved)
  const labels = useLabels('enableSound', enableSoundLabels, labelsProp)
  if (readiness !== 'blocked') return null
  const enable = async () => {
    await (resolved.enableSound ? resolved.enableSound() : resolved.startAudio?.())
    onEnabled?.()
  }
  return (
    <div role="status" className={cx('rl-enable-sound', className)} data-state="blocked" {...rest}>
      <SpeakerIcon />
      <span>{labels.blocked}</span>
      <button type="button" className="rl-button" onClick={() => void enable()}>
        {labels.enable}
      </button>
    </div>
  )
}
