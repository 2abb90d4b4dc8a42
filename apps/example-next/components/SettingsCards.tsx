'use client'

import { VoiceConfigurationCard, VoiceSettingsCard } from '@ringline/react'
import { useState } from 'react'
import { TransportSwitch } from './TransportSwitch'

/**
 * Settings' cards: the transport switch, Phone numbers and Voice calling. Voice calling's auto-configure makes the
 * account's first voice number the caller id of browser calls (the server's default when none is given).
 */
export function SettingsCards() {
  // Bumped when Voice calling is (re)configured, so the switch checks again whether it may be offered.
  const [configuredAt, setConfiguredAt] = useState(0)
  return (
    <>
      <TransportSwitch refreshKey={configuredAt} />
      <VoiceSettingsCard />
      <VoiceConfigurationCard onConfigured={() => setConfiguredAt(Date.now())} />
    </>
  )
}
