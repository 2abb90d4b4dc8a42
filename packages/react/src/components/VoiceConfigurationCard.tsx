'use client'
import { twilioVoiceCredentialsProblems } from '@ringline/core'
import type { TwilioVoiceStatus, TwilioVoiceTokenResponse } from '@ringline/core/protocol'
import type { HTMLAttributes } from 'react'
import { AlertIcon, CheckIcon } from '../internal/icons'
import { useDefaultLabels } from '../internal/labels'
import { LazyFallback, lazyBody, withPreload } from '../internal/lazyBody'
import { useErrorText, useLabelOverrides } from '../messages'
import { useRinglineApi } from '../RinglineProvider'
import type { CallClientLike, RinglineApi } from '../types'
import type { VoiceConfigurationCardLabels } from './voiceConfigurationCardLabels'

/** Props of {@link VoiceConfigurationCard}. */
export interface VoiceConfigurationCardProps extends HTMLAttributes<HTMLElement> {
  /** Use this client's HTTP operations instead of the provider's. */
  client?: CallClientLike
  /** HTTP operations to use instead of the client's or the provider's (needs `twilioVoice`). */
  api?: RinglineApi
  /** Text overrides (nested records merge key by key). */
  labels?: Partial<{
    [K in keyof VoiceConfigurationCardLabels]:
      | Partial<VoiceConfigurationCardLabels[K]>
      | VoiceConfigurationCardLabels[K]
  }>
  /** Milliseconds the progress stays at 25 % ("Validating credentials") before showing 50 % while Twilio works. Default 800. */
  provisioningAfterMs?: number
  /** Called once Twilio Voice is configured (after the status check confirms it). */
  onConfigured?: (status: TwilioVoiceStatus) => void
  /** Called after "Test connection" got a Voice token. */
  onTested?: (result: TwilioVoiceTokenResponse) => void
}

// What the body uses of modules the package index reaches, handed over as it loads (see internal/lazyBody.tsx).
const shared = {
  useDefaultLabels,
  twilioVoiceCredentialsProblems,
  AlertIcon,
  CheckIcon,
  useRinglineApi,
  useErrorText,
}
/** What {@link VoiceConfigurationCard}'s body gets from its shell. Internal. */
export type VoiceConfigurationCardShared = typeof shared
const body = /* @__PURE__ */ lazyBody(() =>
  import('./VoiceConfigurationCardBody').then((m) => m.loadVoiceConfigurationCardBody(shared)),
)

/**
 * Twilio Programmable Voice settings in two fields (Account SID, Auth Token): auto-configures the API key and
 * TwiML app with 25/50/75/100 % progress, shows live badges from `GET /twilio/voice` and tests the connection
 * by minting a Voice token. Its body loads on first render (a busy placeholder meanwhile); `preload()` fetches it ahead.
 */
export const VoiceConfigurationCard = /* @__PURE__ */ withPreload(function VoiceConfigurationCard(
  props: VoiceConfigurationCardProps,
) {
  // The default texts load with the body; the placeholder needs only the title.
  const labels = useLabelOverrides('voiceConfigurationCard', props.labels)
  return body.render(
    { ...props, labels },
    <LazyFallback
      as="section"
      rootClass="rl-voice-config"
      className={props.className}
      label={labels.title ?? 'Voice calling (Twilio)'}
      style={props.style}
    />,
  )
}, body)
