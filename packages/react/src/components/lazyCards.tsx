'use client'
// The settings and pre-call cards, loaded on first render: most pages of an app never show them, so their code is
// not part of what every page pays for. Each fallback is the card's own frame (title, description, a busy status)
// in the same classes, so a card mounted on the client does not jump when its code arrives; on the server the
// card renders in full.
import { READINESS_STEPS } from '@ringline/core'
import { useId } from 'react'
import { cx } from '../internal/cx'
import { lazyComponent } from '../internal/lazyComponent'
import { useLabels } from '../messages'
import type { ReadyCheckProps } from './ReadyCheck'
import { readyCheckLabels } from './readyCheckLabels'
import type { VoiceConfigurationCardProps } from './VoiceConfigurationCard'
import type { VoiceSettingsCardProps } from './VoiceSettingsCard'
import { voiceConfigurationCardLabels } from './voiceConfigurationCardLabels'
import { voiceSettingsCardLabels } from './voiceSettingsCardLabels'

interface CardFrameProps {
  className: string
  title: string
  status: string
  description: string
}

/** The header every settings card starts with, busy until the card's code has loaded. */
function CardFrame({ className, title, status, description }: CardFrameProps) {
  const id = useId()
  return (
    <section className={className} aria-labelledby={`${id}-title`} aria-busy="true" data-loading="">
      <header className="rl-voice-settings-header">
        <h2 id={`${id}-title`} className="rl-voice-settings-title">
          {title}
        </h2>
        <span className="rl-badge" data-status="loading" role="status">
          {status}
        </span>
        <p className="rl-hint">{description}</p>
      </header>
    </section>
  )
}

/** The frame VoiceSettingsCard shows while its code loads (exported for tests). */
export function VoiceSettingsCardFallback({ labels: labelsProp, className }: VoiceSettingsCardProps) {
  const labels = useLabels('voiceSettingsCard', voiceSettingsCardLabels, labelsProp)
  return (
    <CardFrame
      className={cx('rl-voice-settings', className)}
      title={labels.title}
      status={labels.status.loading}
      description={labels.description}
    />
  )
}

/** The frame VoiceConfigurationCard shows while its code loads (exported for tests). */
export function VoiceConfigurationCardFallback({ labels: labelsProp, className }: VoiceConfigurationCardProps) {
  const labels = useLabels('voiceConfigurationCard', voiceConfigurationCardLabels, labelsProp)
  return (
    <CardFrame
      className={cx('rl-voice-config', className)}
      title={labels.title}
      status={labels.state.loading}
      description={labels.description}
    />
  )
}

/** The frame ReadyCheck shows while its code loads (exported for tests). */
export function ReadyCheckFallback({ labels: labelsProp, className, steps = READINESS_STEPS }: ReadyCheckProps) {
  const labels = useLabels('readyCheck', readyCheckLabels, labelsProp)
  const id = useId()
  return (
    <section
      className={cx('rl-ready-check', className)}
      data-state="idle"
      data-loading=""
      aria-labelledby={`${id}-title`}
      aria-busy="true"
    >
      <p className="rl-ready-title" id={`${id}-title`}>
        {labels.title}
      </p>
      <p className="rl-ready-intro">{labels.intro}</p>
      <ol className="rl-ready-steps">
        {READINESS_STEPS.filter((name) => steps.includes(name)).map((name) => (
          <li key={name} className="rl-ready-step" data-step={name} data-state="pending">
            <span className="rl-ready-step-title">{labels.steps[name]}</span>
            <span className="rl-ready-step-state">{labels.states.pending}</span>
          </li>
        ))}
      </ol>
      <div className="rl-ready-verdict" role="status" data-state="idle">
        <p className="rl-ready-verdict-text">{labels.idle}</p>
      </div>
      <button type="button" className="rl-button" data-variant="primary" disabled>
        {labels.run}
      </button>
    </section>
  )
}

/** Bring-your-own-Twilio-number settings: credentials → verify → save → pick a number → connect with progress. */
export const VoiceSettingsCard = lazyComponent<VoiceSettingsCardProps>(
  () => import('./VoiceSettingsCard').then((m) => m.VoiceSettingsCard),
  VoiceSettingsCardFallback,
  'VoiceSettingsCard',
)

/**
 * Twilio Programmable Voice settings in two fields (Account SID, Auth Token): auto-configures the API key and
 * TwiML app with progress, shows live badges and tests the connection by minting a Voice token.
 */
export const VoiceConfigurationCard = lazyComponent<VoiceConfigurationCardProps>(
  () => import('./VoiceConfigurationCard').then((m) => m.VoiceConfigurationCard),
  VoiceConfigurationCardFallback,
  'VoiceConfigurationCard',
)

/** A pre-call check as a card: microphone access and signal, a test sound, the call server connection. */
export const ReadyCheck = lazyComponent<ReadyCheckProps>(
  () => import('./ReadyCheck').then((m) => m.ReadyCheck),
  ReadyCheckFallback,
  'ReadyCheck',
)
