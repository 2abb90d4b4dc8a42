import type { NumberConnection, TwilioNumber } from '@ringline/core/protocol'
import { makeEvent, makeRecord } from '@ringline/core/testing'
import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { createTestClient, flush } from '../../test/createTestClient'
import { RinglineProvider } from '../RinglineProvider'
import { createFakeApi, type FakeApiOptions } from '../testing/createFakeApi'
import { VoiceSettingsCard, type VoiceSettingsCardProps } from './VoiceSettingsCard'

const numbers: TwilioNumber[] = [
  {
    sid: 'PN1',
    e164: '+14155550100',
    friendlyName: 'Main line',
    voiceCapable: true,
    trunkSid: null,
    connected: false,
  },
  {
    sid: 'PN2',
    e164: '+14155550111',
    friendlyName: 'SMS only',
    voiceCapable: false,
    trunkSid: null,
    connected: false,
  },
]
const creds = {
  accountSid: `AC${'a'.repeat(32)}`,
  apiKeySid: `SK${'b'.repeat(32)}`,
  apiKeySecret: 'secret-secret-1234',
}

function setup(
  props: Partial<VoiceSettingsCardProps> = {},
  apiOptions: FakeApiOptions = {},
  clientOptions: { events?: boolean } = {},
) {
  const api = createFakeApi({ numbers, ...apiOptions })
  // The real client; onboarding talks only HTTP, which the in-memory fake API answers (`api` wins over the client's).
  const { client, server } = createTestClient(clientOptions)
  const utils = render(
    <RinglineProvider client={client} api={api}>
      <VoiceSettingsCard {...props} />
    </RinglineProvider>,
  )
  const root = utils.container.querySelector('section') as HTMLElement
  return { api, root, server, ...utils }
}

async function fillCredentials(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText('Account SID'), creds.accountSid)
  await user.type(screen.getByLabelText('API key SID'), creds.apiKeySid)
  await user.type(screen.getByLabelText('API key secret'), creds.apiKeySecret)
}

describe('VoiceSettingsCard', () => {
  // These tests are about the card's body; the lazy shell itself is tested in lazyComponents.test.tsx.
  beforeAll(() => VoiceSettingsCard.preload())

  it('walks credentials → verify → save → pick a number → connect with 25/50/75/100 progress', async () => {
    const user = userEvent.setup()
    const onConnected = vi.fn()
    const { api, root, container } = setup({ onConnected }, { latencyMs: 5 })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('credentials'))
    expect(root.getAttribute('data-status')).toBe('not-connected')
    await expectNoAxeViolations(container)
    const save = screen.getByRole('button', { name: 'Save and continue' }) as HTMLButtonElement
    expect(save.disabled).toBe(true)
    await fillCredentials(user)
    await user.click(screen.getByRole('button', { name: 'Verify' }))
    await waitFor(() => expect(save.disabled).toBe(false))
    expect(root.querySelector('.rl-success')?.textContent).toContain('These credentials work.')
    await user.click(save)
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('numbers'))
    expect(root.textContent).toContain('Linked to AC')
    expect(root.textContent).not.toContain(creds.apiKeySecret)
    // The numbers load after the step changes: wait for the list, not only the step.
    const sms = (await screen.findByRole('radio', { name: /555-0111/ })) as HTMLInputElement
    expect(sms.disabled).toBe(true)
    await user.click(screen.getByRole('radio', { name: /555-0100/ }))
    const seen: string[] = []
    const record = () => {
      const bar = root.querySelector('[role="progressbar"]')
      const value = bar?.getAttribute('aria-valuenow')
      if (value && seen[seen.length - 1] !== value) seen.push(value)
    }
    const observer = new MutationObserver(record)
    observer.observe(root, { subtree: true, attributes: true, childList: true })
    await user.click(screen.getByRole('button', { name: 'Connect number' }))
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('connected'))
    // disconnect() drops mutation records not yet delivered: read the last state first.
    record()
    observer.disconnect()
    expect(seen).toEqual(expect.arrayContaining(['50', '75', '100']))
    const bar = screen.getByRole('progressbar', { name: 'Connecting (415) 555-0100' })
    expect(bar.getAttribute('aria-valuenow')).toBe('100')
    expect(onConnected).toHaveBeenCalledWith('PN1')
    expect(api.log).toEqual(
      expect.arrayContaining([
        'verifyCredentials',
        'saveCredentials',
        'listNumbers',
        'connectNumber',
        'numberStatus',
      ]),
    )
    const checklist = screen.getByRole('list', { name: 'Test your setup' })
    expect(
      within(checklist)
        .getAllByRole('listitem')
        .map((li) => li.getAttribute('data-state')),
    ).toEqual(['done', 'done', 'pending', 'pending'])
    await expectNoAxeViolations(container)
  })

  it('validates fields and explains Twilio errors with the fix', async () => {
    const user = userEvent.setup()
    const { root } = setup({}, { failures: { verifyCredentials: { code: 'AUTH_INVALID', message: 'raw' } } })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('credentials'))
    await user.type(screen.getByLabelText('Account SID'), 'nope')
    await user.click(screen.getByRole('button', { name: 'Verify' }))
    expect(screen.getByLabelText('Account SID').getAttribute('aria-invalid')).toBe('true')
    expect(root.textContent).toContain('An Account SID is AC followed by 32')
    await user.clear(screen.getByLabelText('Account SID'))
    await fillCredentials(user)
    await user.click(screen.getByRole('button', { name: 'Verify' }))
    const alert = await screen.findByRole('alert')
    expect(alert.getAttribute('data-code')).toBe('AUTH_INVALID')
    expect(alert.textContent).toContain('Twilio did not accept these credentials.')
    expect(alert.textContent).toContain('API keys & tokens')
  })

  it('shows a failed connect at its stage, then disconnects after confirmation', async () => {
    const user = userEvent.setup()
    const failures: FakeApiOptions['failures'] = {
      connectNumber: { code: 'TRUNKING_NOT_ENABLED', message: 'x' },
    }
    const { root } = setup(
      { labels: { disconnect: 'Déconnecter' } },
      {
        integration: {
          accountSid: creds.accountSid,
          apiKeySid: creds.apiKeySid,
          apiKeySecretMasked: '••••1234',
          status: 'saved',
          updatedAt: '',
        },
        failures,
      },
    )
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('numbers'))
    await user.click(screen.getByRole('radio', { name: /555-0100/ }))
    await user.click(screen.getByRole('button', { name: 'Connect number' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Elastic SIP Trunking is not enabled')
    expect(root.querySelector('.rl-voice-progress')?.getAttribute('data-state')).toBe('failed')
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50')
    delete failures.connectNumber
    await user.click(screen.getByRole('button', { name: 'Connect number' }))
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('connected'))
    await user.click(screen.getByRole('button', { name: 'Déconnecter' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Disconnect (415) 555-0100?' })
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }))
    await user.keyboard('{Escape}')
    expect(screen.queryByRole('alertdialog')).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Déconnecter' }))
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Disconnect' }))
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('numbers'))
  })

  it('reports drift as needing attention', async () => {
    const user = userEvent.setup()
    const { root } = setup(
      {},
      {
        integration: {
          accountSid: creds.accountSid,
          apiKeySid: creds.apiKeySid,
          apiKeySecretMasked: '••••',
          status: 'saved',
          updatedAt: '',
        },
        connectResult: 'drift',
      },
    )
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('numbers'))
    await user.click(screen.getByRole('radio', { name: /555-0100/ }))
    await user.click(screen.getByRole('button', { name: 'Connect number' }))
    await waitFor(() => expect(root.getAttribute('data-status')).toBe('attention'))
    expect(root.textContent).toContain('Origination URL on Twilio points elsewhere')
    expect(root.textContent).toContain('Changed in Twilio')
  })

  it('shows trunk SID, SIP target and last call seen, and ticks the test calls from the /events stream', async () => {
    const user = userEvent.setup()
    const saved = {
      accountSid: creds.accountSid,
      apiKeySid: creds.apiKeySid,
      apiKeySecretMasked: '••••',
      status: 'saved' as const,
      updatedAt: '',
    }
    const { root, server } = setup({}, { integration: saved }, { events: true })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('numbers'))
    await user.click(screen.getByRole('radio', { name: /555-0100/ }))
    await user.click(screen.getByRole('button', { name: 'Connect number' }))
    await waitFor(() => expect(root.getAttribute('data-status')).toBe('connected'))
    expect(root.textContent).toContain('TK00000000000000000000000000000001')
    expect(root.textContent).toContain('sip:127.0.0.1:5060')
    const lastCall = () => root.querySelector('[data-testid="rl-last-call"]')?.textContent
    expect(lastCall()).toBe('No call yet')
    const inbound = () => screen.getByRole('checkbox', { name: /Call the number from a phone/ })
    const outbound = () => screen.getByRole('checkbox', { name: /Call your phone from the Dialer/ })
    expect((inbound() as HTMLInputElement).checked).toBe(false)
    expect((inbound() as HTMLInputElement).disabled).toBe(true)
    expect(root.textContent).toContain('The test calls are ticked off here when they happen.')
    // The card alone opens the client's /events stream.
    await waitFor(() => expect(server.openStreams()).toHaveLength(1))

    // A call to another number, and an outbound call not yet answered, tick nothing.
    await act(async () => {
      server.push(
        makeEvent(
          'call.incoming',
          makeRecord({
            id: 'other',
            direction: 'inbound',
            fromNumber: '+14155550177',
            toNumber: '+14155550999',
          }),
        ),
      )
      server.push(
        makeEvent(
          'call.updated',
          makeRecord({
            id: 'out1',
            direction: 'outbound',
            status: 'ringing',
            fromNumber: '+14155550100',
            toNumber: '+14155550188',
            answeredAt: null,
          }),
        ),
      )
      await flush()
    })
    expect((inbound() as HTMLInputElement).checked).toBe(false)
    expect((outbound() as HTMLInputElement).checked).toBe(false)

    await act(async () => {
      server.push(
        makeEvent(
          'call.incoming',
          makeRecord({
            id: 'test1',
            direction: 'inbound',
            fromNumber: '+14155550177',
            toNumber: '+14155550100',
          }),
        ),
      )
      await flush()
    })
    await waitFor(() => expect((inbound() as HTMLInputElement).checked).toBe(true))
    expect(lastCall()).toMatch(/555-0177/)
    expect((outbound() as HTMLInputElement).checked).toBe(false)
    await act(async () => {
      server.push(
        makeEvent(
          'call.updated',
          makeRecord({
            id: 'out1',
            direction: 'outbound',
            status: 'in-progress',
            fromNumber: '+14155550100',
            toNumber: '+14155550188',
            answeredAt: new Date().toISOString(),
          }),
        ),
      )
      await flush()
    })
    await waitFor(() => expect((outbound() as HTMLInputElement).checked).toBe(true))
    expect(root.textContent).not.toContain('The test calls are ticked off here when they happen.')
  })

  it('shows the last inbound call from the number status', async () => {
    const user = userEvent.setup()
    const saved = {
      accountSid: creds.accountSid,
      apiKeySid: creds.apiKeySid,
      apiKeySecretMasked: '••••',
      status: 'saved' as const,
      updatedAt: '',
    }
    const { root, api } = setup({}, { integration: saved })
    const status = api.twilio.numberStatus.bind(api.twilio)
    api.twilio.numberStatus = async (sid, signal) => ({
      ...(await status(sid, signal)),
      lastInbound: {
        callId: 'call_1',
        roomName: 'in-t_1',
        fromNumber: '+14155550166',
        status: 'completed',
        startedAt: '2026-01-02T10:00:00.000Z',
        lastWebhookAt: '2026-01-02T10:00:05.000Z',
      },
    })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('numbers'))
    await user.click(screen.getByRole('radio', { name: /555-0100/ }))
    await user.click(screen.getByRole('button', { name: 'Connect number' }))
    await waitFor(() => expect(root.getAttribute('data-status')).toBe('connected'))
    await user.click(screen.getByRole('button', { name: 'Check status' }))
    await waitFor(() =>
      expect(root.querySelector('[data-testid="rl-last-call"]')?.textContent).toMatch(
        /555-0166, Jan 2, 2026/,
      ),
    )
  })

  describe('reads the status of connected numbers on its own', () => {
    const saved = {
      accountSid: creds.accountSid,
      apiKeySid: creds.apiKeySid,
      apiKeySecretMasked: '••••',
      status: 'saved' as const,
      updatedAt: '',
    }
    const alreadyConnected = numbers.map((n) =>
      n.sid === 'PN1' ? { ...n, connected: true, trunkSid: 'TK00000000000000000000000000000001' } : n,
    )
    const statusReads = (log: string[]) => log.filter((m) => m === 'numberStatus').length
    /** Watches `aria-busy` on the card: the quiet reads must never set it. */
    function watchBusy(root: HTMLElement) {
      let busy = false
      const observer = new MutationObserver(() => {
        if (root.hasAttribute('aria-busy')) busy = true
      })
      observer.observe(root, { attributes: true })
      return () => {
        observer.disconnect()
        return busy || root.hasAttribute('aria-busy')
      }
    }

    it('shows trunk SID, SIP target and last call seen without a click, quietly', async () => {
      const { root, api } = setup({}, { integration: saved, numbers: alreadyConnected, latencyMs: 5 })
      const busy = watchBusy(root)
      await waitFor(() => expect(root.getAttribute('data-state')).toBe('connected'))
      await waitFor(() =>
        expect(root.querySelector('[data-testid="rl-last-call"]')?.textContent).toBe('No call yet'),
      )
      expect(root.textContent).toContain('TK00000000000000000000000000000001')
      expect(root.textContent).toContain('sip:127.0.0.1:5060')
      expect(statusReads(api.log)).toBe(1)
      expect(busy()).toBe(false)
      expect(screen.queryByRole('alert')).toBeNull()
    })

    it('puts a failed read as a note on the number, not in the banner, and keeps the card usable', async () => {
      const { root, api } = setup(
        {},
        {
          integration: saved,
          numbers: alreadyConnected,
          failures: { numberStatus: { code: 'UPSTREAM_ERROR', message: 'Twilio 503' } },
        },
      )
      const busy = watchBusy(root)
      const note = await screen.findByTestId('rl-status-note')
      expect(note.textContent).toBe(
        'Could not load the latest details of this number. Check status to try again.',
      )
      expect(statusReads(api.log)).toBe(1)
      expect(screen.queryByRole('alert')).toBeNull()
      expect(busy()).toBe(false)
      expect((screen.getByRole('button', { name: 'Refresh list' }) as HTMLButtonElement).disabled).toBe(false)
      expect((screen.getByRole('radio', { name: /555-0100/ }) as HTMLInputElement).disabled).toBe(false)
    })

    it('reads again for an inbound call, one request per number in flight, and cancels on unmount', async () => {
      const { root, api, server, unmount } = setup(
        {},
        { integration: saved, numbers: alreadyConnected },
        { events: true },
      )
      const status = api.twilio.numberStatus.bind(api.twilio)
      const pending: Array<{ signal?: AbortSignal; release: () => void }> = []
      let lastInbound: NumberConnection['lastInbound'] = null
      api.twilio.numberStatus = async (sid, signal) => {
        await new Promise<void>((release) => pending.push({ signal, release }))
        return { ...(await status(sid, signal)), lastInbound }
      }
      await waitFor(() => expect(pending).toHaveLength(1))
      await waitFor(() => expect(server.openStreams()).toHaveLength(1))
      // An inbound call while the mount read is in flight joins it: still one request.
      const call = (id: string, from: string) =>
        makeEvent(
          'call.incoming',
          makeRecord({ id, direction: 'inbound', fromNumber: from, toNumber: '+14155550100' }),
        )
      await act(async () => {
        server.push(call('in1', '+14155550177'))
        await flush()
      })
      expect(pending).toHaveLength(1)
      await act(async () => {
        pending[0]?.release()
        await flush()
      })
      const lastCall = () => root.querySelector('[data-testid="rl-last-call"]')?.textContent
      await waitFor(() => expect(lastCall()).toMatch(/555-0177/))
      // The same call again (updated) asks nothing; a new inbound call reads the status once more.
      await act(async () => {
        server.push(
          makeEvent(
            'call.updated',
            makeRecord({ id: 'in1', direction: 'inbound', toNumber: '+14155550100' }),
          ),
        )
        server.push(call('in2', '+14155550188'))
        await flush()
      })
      await waitFor(() => expect(pending).toHaveLength(2))
      lastInbound = {
        callId: 'in2',
        roomName: 'in-t_2',
        fromNumber: '+14155550188',
        status: 'ringing',
        startedAt: new Date(Date.now() + 60_000).toISOString(),
        lastWebhookAt: null,
      }
      await act(async () => {
        pending[1]?.release()
        await flush()
      })
      await waitFor(() => expect(lastCall()).toMatch(/555-0188/))
      expect(screen.queryByRole('alert')).toBeNull()
      // A read in flight when the card goes away is aborted.
      await act(async () => {
        server.push(call('in3', '+14155550199'))
        await flush()
      })
      await waitFor(() => expect(pending).toHaveLength(3))
      expect(pending[2]?.signal?.aborted).toBe(false)
      unmount()
      expect(pending[2]?.signal?.aborted).toBe(true)
    })
  })
})
