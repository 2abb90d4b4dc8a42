import { networkWarningText } from '@ringline/core'
import { ERROR_CODES } from '@ringline/core/protocol'
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { createTestClient, errorBody } from '../test/createTestClient'
import { agentPresenceLabels } from './components/AgentPresence'
import { callControlsLabels } from './components/CallControls'
import { callDevicesLabels } from './components/CallDevices'
import { consultOfferLabels } from './components/ConsultTransfer'
import { callHistoryLabels } from './components/callHistoryLabels'
import { consultTransferLabels } from './components/consultTransferLabels'
import { Dialer, dialerLabels } from './components/Dialer'
import { enableSoundLabels } from './components/EnableSound'
import { incomingCallOverlayLabels } from './components/IncomingCallOverlay'
import { internalCallLabels } from './components/internalCallLabels'
import { liveTranscriptLabels } from './components/LiveTranscript'
import { readyCheckLabels } from './components/readyCheckLabels'
import { recordingPlayerLabels } from './components/recordingPlayerLabels'
import { voiceConfigurationCardLabels } from './components/voiceConfigurationCardLabels'
import { voiceSettingsCardLabels } from './components/voiceSettingsCardLabels'
import { de } from './locales/de'
import { errorMessages, type RinglineMessageKey, RinglineMessagesProvider } from './messages'
import { RinglineProvider } from './RinglineProvider'

const english: Record<RinglineMessageKey, object> = {
  dialer: dialerLabels,
  callControls: callControlsLabels,
  consultTransfer: { ...consultOfferLabels, ...consultTransferLabels },
  incomingCallOverlay: incomingCallOverlayLabels,
  internalCall: { ...callDevicesLabels, ...internalCallLabels },
  callHistory: callHistoryLabels,
  voiceSettingsCard: voiceSettingsCardLabels,
  voiceConfigurationCard: voiceConfigurationCardLabels,
  agentPresence: agentPresenceLabels,
  liveTranscript: liveTranscriptLabels,
  recordingPlayer: recordingPlayerLabels,
  readyCheck: readyCheckLabels,
  enableSound: enableSoundLabels,
}

/** Every leaf of a label tree as [path, text]: functions are called with sample arguments. */
function leaves(value: unknown, path: string): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]]
  if (typeof value === 'function') return [[path, String((value as (...a: unknown[]) => unknown)('X', 'Y'))]]
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => leaves(v, `${path}.${k}`))
  return [[path, String(value)]]
}

describe('message catalogue', () => {
  it('German is complete: every English text and every error code has a German one, none left in English', () => {
    for (const [key, labels] of Object.entries(english) as Array<[RinglineMessageKey, object]>) {
      const en = new Map(leaves(labels, key))
      const ge = new Map(leaves(de[key], key))
      for (const [path, text] of en) {
        // Error maps of a component may hold fewer codes in another language: the shared `errors` cover the rest.
        if (/\.errors\./.test(path) && !ge.has(path)) continue
        expect(ge.get(path), path).toBeTruthy()
        // Proper nouns and product words may stay (SID, Agent, Status); sentences may not.
        if (text.split(' ').length > 2) expect(ge.get(path), path).not.toBe(text)
      }
    }
    // Network warnings default to core's English text: German has every one of them.
    for (const key of ['callControls', 'internalCall'] as const) {
      const ge = new Map(leaves(de[key].networkWarnings, key))
      for (const [path, text] of leaves(networkWarningText, key)) {
        expect(ge.get(path), path).toBeTruthy()
        expect(ge.get(path), path).not.toBe(text)
      }
    }
    expect(Object.keys(de.errors).sort()).toEqual([...ERROR_CODES].sort())
    expect(Object.keys(errorMessages).sort()).toEqual([...ERROR_CODES].sort())
    for (const code of ERROR_CODES) expect(de.errors[code]).not.toBe(errorMessages[code])
  })

  it('a provider turns every component below it German; a labels prop still wins', () => {
    const { client } = createTestClient()
    render(
      <RinglineProvider client={client} messages={de}>
        <Dialer />
        <Dialer labels={{ call: 'Los' }} />
      </RinglineProvider>,
    )
    expect(screen.getAllByRole('textbox', { name: 'Telefonnummer' })).toHaveLength(2)
    expect(screen.getAllByRole('group', { name: 'Wähltastatur' })).toHaveLength(2)
    expect(screen.getByRole('button', { name: 'Los' })).toBeTruthy()
    expect(screen.getAllByRole('button', { name: 'Anrufen' })).toHaveLength(1)
  })

  it('an inner RinglineProvider without messages keeps the outer catalogue; a partial catalogue falls back to English', () => {
    const { client } = createTestClient()
    render(
      <RinglineMessagesProvider messages={{ dialer: { call: 'Appeler' } }}>
        <RinglineProvider client={client}>
          <Dialer />
        </RinglineProvider>
      </RinglineMessagesProvider>,
    )
    expect(screen.getByRole('button', { name: 'Appeler' })).toBeTruthy()
    expect(screen.getByRole('textbox', { name: 'Phone number' })).toBeTruthy()
  })

  it('a server error shows the catalogue text for its code, not the server’s English message', async () => {
    const user = userEvent.setup()
    const { client, server } = createTestClient()
    server.on('POST /calls', () => ({
      status: 429,
      body: errorBody('CALL_LIMIT_REACHED', 'tenant t1 has 5 calls in progress (limit 5)'),
    }))
    render(
      <RinglineProvider client={client} messages={de}>
        <Dialer />
      </RinglineProvider>,
    )
    await user.type(screen.getByRole('textbox', { name: 'Telefonnummer' }), '4155550123{Enter}')
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(de.dialer.errors.CALL_LIMIT_REACHED),
    )
    expect(screen.getByRole('alert').textContent).not.toContain('tenant t1')
  })

  it('a code the component has no text for uses the shared error texts', async () => {
    const user = userEvent.setup()
    const { client, server } = createTestClient()
    server.on('POST /calls', () => ({
      status: 503,
      body: errorBody('LIVEKIT_UNAVAILABLE', 'dial tcp refused'),
    }))
    render(
      <RinglineProvider client={client} messages={de}>
        <Dialer />
      </RinglineProvider>,
    )
    await user.type(screen.getByRole('textbox', { name: 'Telefonnummer' }), '4155550123{Enter}')
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe(de.errors.LIVEKIT_UNAVAILABLE))
  })
})
