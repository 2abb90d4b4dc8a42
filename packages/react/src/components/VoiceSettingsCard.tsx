'use client'
import type { CountryCode } from '@ringline/core'
import { TwilioOnboardingObserver, twilioCredentialsProblems } from '@ringline/core'
import type { HTMLAttributes } from 'react'
import type { TwilioOnboardingResult } from '../hooks/useTwilioOnboarding'
import { useTwilioOnboarding } from '../hooks/useTwilioOnboarding'
import { AlertIcon, CheckIcon } from '../internal/icons'
import { useDefaultLabels } from '../internal/labels'
import { LazyFallback, lazyBody, withPreload } from '../internal/lazyBody'
import { useIsClient } from '../internal/useIsClient'
import { useErrorText, useLabelOverrides, useRinglineMessages } from '../messages'
import type { CallClientLike, RinglineApi } from '../types'
import type { VoiceSettingsCardLabels } from './voiceSettingsCardLabels'

/** Props of {@link VoiceSettingsCard}. */
export interface VoiceSettingsCardProps extends HTMLAttributes<HTMLElement> {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
  /** HTTP operations to use instead of the client's or the provider's. */
  api?: RinglineApi
  /** Text overrides (nested records merge key by key). */
  labels?: Partial<{
    [K in keyof VoiceSettingsCardLabels]: Partial<VoiceSettingsCardLabels[K]> | VoiceSettingsCardLabels[K]
  }>
  /** Use an onboarding state you drive yourself (`useTwilioOnboarding()`), e.g. to share it with other UI. */
  onboarding?: TwilioOnboardingResult
  /** Country used to read and format national numbers. Default `US`. */
  defaultCountry?: CountryCode
  /** Called after a number connected. */
  onConnected?: (sid: string) => void
}

// What the body uses of modules the package index reaches, handed over as it loads (see internal/lazyBody.tsx).
const shared = {
  useDefaultLabels,
  useIsClient,
  useRinglineMessages,
  twilioCredentialsProblems,
  useTwilioOnboarding,
  AlertIcon,
  CheckIcon,
  useErrorText,
}
/** What {@link VoiceSettingsCard}'s body gets from its shell. Internal. */
export type VoiceSettingsCardShared = typeof shared
const body = /* @__PURE__ */ lazyBody(() =>
  // The onboarding operations load alongside, so the card's first request does not wait for a second chunk.
  Promise.all([import('./VoiceSettingsCardBody'), TwilioOnboardingObserver.preload()]).then(([m]) =>
    m.loadVoiceSettingsCardBody(shared),
  ),
)

/**
 * Bring-your-own-Twilio-number settings: credentials → verify → save → pick a number → connect with progress.
 * Its body loads on first render (a busy placeholder meanwhile); `VoiceSettingsCard.preload()` fetches it ahead.
 */
export const VoiceSettingsCard = /* @__PURE__ */ withPreload(function VoiceSettingsCard(
  props: VoiceSettingsCardProps,
) {
  // The default texts load with the body; the placeholder needs only the title.
  const labels = useLabelOverrides('voiceSettingsCard', props.labels)
  return body.render(
    { ...props, labels },
    <LazyFallback
      as="section"
      rootClass="rl-voice-settings"
      className={props.className}
      label={labels.title ?? 'Phone numbers'}
      style={props.style}
    />,
  )
}, body)
