'use client'
import type { NumberConnection } from '@ringline/core/protocol'
import { useMemo } from 'react'
import type { SeenTestCall } from './useTestCallsSeen'
import type { VoiceSettingsCardShared } from './VoiceSettingsCard'
import type { VoiceSettingsCardLabels } from './voiceSettingsCardLabels'

/** Props of {@link VoiceNumberDetails}. */
export interface VoiceNumberDetailsProps {
  /** The number's last known status; null while none was read (only `problem` is shown then). */
  connection: NumberConnection | null
  /** Why reading the status on its own failed: shown as an inline, non-blocking note. */
  problem?: string | null
  /** An inbound call to this number seen live on `/events` (newer than the status's `lastInbound`). */
  seen?: SeenTestCall | null
  labels: VoiceSettingsCardLabels
  formatNumber: (e164: string) => string
  /** What the card's body got from its shell. */
  shared: VoiceSettingsCardShared
}

/** Trunk SID, SIP target and the last call seen of one connected number (part of `VoiceSettingsCard`). */
export function VoiceNumberDetails({
  connection,
  problem,
  seen,
  labels,
  formatNumber,
  shared,
}: VoiceNumberDetailsProps) {
  const locale = shared.useRinglineMessages()?.locale
  const isClient = shared.useIsClient()
  const dateFormat = useMemo(
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
    [locale],
  )
  const stored = connection?.lastInbound
  const last =
    seen && (!stored || Date.parse(seen.at) >= Date.parse(stored.startedAt))
      ? { party: seen.party, at: seen.at }
      : stored
        ? { party: stored.fromNumber, at: stored.startedAt }
        : null
  const when = (iso: string) => (isClient ? dateFormat.format(new Date(iso)) : '')
  return (
    <>
      {connection ? (
        <dl className="rl-voice-details">
          <dt>{labels.trunkSid}</dt>
          <dd dir="ltr">{connection.trunkSid ?? '—'}</dd>
          <dt>{labels.sipTarget}</dt>
          <dd dir="ltr">{connection.sipTarget ?? '—'}</dd>
          <dt>{labels.lastCallSeen}</dt>
          <dd data-testid="rl-last-call">
            {last
              ? labels.lastCallValue(
                  last.party ? formatNumber(last.party) : labels.unknownCaller,
                  when(last.at),
                )
              : labels.noCallSeen}
          </dd>
        </dl>
      ) : null}
      {problem ? (
        <p className="rl-hint rl-voice-details-note" data-testid="rl-status-note">
          {problem}
        </p>
      ) : null}
    </>
  )
}
