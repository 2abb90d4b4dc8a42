'use client'

import { useRinglineApi, VoiceConfigurationCard, VoiceSettingsCard } from '@ringline/react'
import { useMemo, useState } from 'react'
import { TransportSwitch } from './TransportSwitch'

/**
 * Settings' cards: the transport switch, Phone numbers and Voice calling. `demoCallerId` (simulated Twilio only):
 * Voice calling's auto-configure also makes this number of the demo account the caller id of browser calls.
 */
export function SettingsCards({ demoCallerId }: { demoCallerId?: string }) {
  const base = useRinglineApi()
  // Twilio places a browser's outbound call only with a caller id; the card asks for credentials only.
  const api = useMemo(() => {
    const voice = base.twilioVoice
    if (!demoCallerId || !voice) return base
    return {
      ...base,
      twilioVoice: {
        ...voice,
        autoConfigure: (body: Parameters<typeof voice.autoConfigure>[0]) =>
          voice.autoConfigure({ callerId: demoCallerId, ...body }),
      },
    }
  }, [base, demoCallerId])
  // Bumped when Voice calling is (re)configured, so the switch checks again whether it may be offered.
  const [configuredAt, setConfiguredAt] = useState(0)
  return (
    <>
      <TransportSwitch refreshKey={configuredAt} />
      <VoiceSettingsCard />
      <VoiceConfigurationCard api={api} onConfigured={() => setConfiguredAt(Date.now())} />
    </>
  )
}
