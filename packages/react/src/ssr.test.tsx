// Server rendering: every component renders from the server snapshot, and hydrating that markup on a client in the
// same idle state produces no mismatch (so nothing jumps when the page becomes interactive).
import { act } from '@testing-library/react'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestClient, dialTo } from '../test/createTestClient'
import { CallControls } from './components/CallControls'
import { CallHistory } from './components/CallHistory'
import { Dialer } from './components/Dialer'
import { EnableSound } from './components/EnableSound'
import { IncomingCallOverlay } from './components/IncomingCallOverlay'
import { InternalCall } from './components/InternalCall'
import { ReadyCheck } from './components/ReadyCheck'
import { VoiceSettingsCard } from './components/VoiceSettingsCard'
import { RinglineProvider } from './RinglineProvider'
import { createFakeApi, generateFakeCalls } from './testing/createFakeApi'

// renderToString cannot wait for a lazy body (streaming can, see lazyComponents.test.tsx): a server that uses it
// preloads the bodies first, as documented.
beforeAll(() =>
  Promise.all([
    CallHistory.preload(),
    InternalCall.preload(),
    ReadyCheck.preload(),
    VoiceSettingsCard.preload(),
  ]),
)

const calls = generateFakeCalls(5)

const cases = {
  Dialer: () => <Dialer recentNumbers={['+14155550100']} />,
  CallControls: () => <CallControls />,
  IncomingCallOverlay: () => <IncomingCallOverlay />,
  InternalCall: () => <InternalCall />,
  CallHistory: () => <CallHistory initialData={{ calls, nextCursor: null }} timeZone="UTC" locale="en-US" />,
  VoiceSettingsCard: () => <VoiceSettingsCard />,
  ReadyCheck: () => <ReadyCheck />,
  EnableSound: () => (
    <div data-state="wrapper">
      <EnableSound />
    </div>
  ),
}

describe.each(Object.entries(cases))('%s', (_name, Component) => {
  it('renders on the server and hydrates without a mismatch', async () => {
    const api = createFakeApi({ calls })
    // The browser client is already in a call; hydration must still use the server snapshot first.
    const browser = createTestClient()
    await act(async () => {
      await dialTo(browser, 'active')
    })
    const client = browser.client
    expect(client.getSnapshot().activeCall?.phase).toBe('connected')
    const tree = (
      <RinglineProvider client={client} api={api}>
        <Component />
      </RinglineProvider>
    )
    // The server has its own, idle client, as a real server would.
    const html = renderToString(
      <RinglineProvider client={createTestClient().client} api={api}>
        <Component />
      </RinglineProvider>,
    )
    expect(html).toContain('data-state=')
    const container = document.createElement('div')
    container.innerHTML = html
    document.body.append(container)
    const onRecoverableError = vi.fn()
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const root = await act(async () => hydrateRoot(container, tree, { onRecoverableError }))
      expect(onRecoverableError).not.toHaveBeenCalled()
      expect(consoleError.mock.calls.filter((c) => /hydrat/i.test(String(c[0])))).toEqual([])
      act(() => root.unmount())
    } finally {
      consoleError.mockRestore()
      container.remove()
    }
  })
})

describe('ReadyCheck where the server cannot tell what the browser can (audio output choice)', () => {
  it('hydrates without a mismatch, then offers the speaker picker', async () => {
    const api = createFakeApi({ calls })
    const html = renderToString(
      <RinglineProvider client={createTestClient({ canSelectOutput: false }).client} api={api}>
        <ReadyCheck />
      </RinglineProvider>,
    )
    const container = document.createElement('div')
    container.innerHTML = html
    document.body.append(container)
    const onRecoverableError = vi.fn()
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const client = createTestClient({ canSelectOutput: true }).client
      const root = await act(async () =>
        hydrateRoot(
          container,
          <RinglineProvider client={client} api={api}>
            <ReadyCheck />
          </RinglineProvider>,
          { onRecoverableError },
        ),
      )
      expect(onRecoverableError).not.toHaveBeenCalled()
      expect(container.querySelector('.rl-device-select[data-kind="audiooutput"]')).not.toBeNull()
      act(() => root.unmount())
    } finally {
      consoleError.mockRestore()
      container.remove()
    }
  })
})
