import type { TwilioVoiceStatus } from '@ringline/core/protocol'
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { createTestClient } from '../../test/createTestClient'
import { RinglineProvider } from '../RinglineProvider'
import { createFakeApi, FAKE_VOICE_STATUS, type FakeApiOptions } from '../testing/createFakeApi'
import type { RinglineApi } from '../types'
import { VoiceConfigurationCard, type VoiceConfigurationCardProps } from './VoiceConfigurationCard'

// These tests are about the body; the lazy shell itself is tested in lazyComponents.test.tsx.
beforeAll(() => VoiceConfigurationCard.preload())

const ACCOUNT = `AC${'a'.repeat(32)}`
const TOKEN = 'f'.repeat(32)

function setup(props: Partial<VoiceConfigurationCardProps> = {}, options: FakeApiOptions | RinglineApi = {}) {
  const api = 'twilio' in options ? options : createFakeApi(options)
  const { client } = createTestClient()
  const utils = render(
    <RinglineProvider client={client} api={api}>
      <VoiceConfigurationCard {...props} />
    </RinglineProvider>,
  )
  const root = utils.container.querySelector('section') as HTMLElement
  return { api, root, ...utils }
}

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const badges = () =>
  within(screen.getByRole('list', { name: 'Twilio Voice status' }))
    .getAllByRole('listitem')
    .map((li) => li.textContent)
const progress = () => screen.getByRole('progressbar').getAttribute('aria-valuenow')
const stepStates = () =>
  Array.from(document.querySelectorAll('.rl-steps li')).map((li) => li.getAttribute('data-state'))

afterEach(() => {
  vi.useRealTimers()
})

describe('VoiceConfigurationCard', () => {
  it('configures from two fields through 25/50/75/100 % with step names, then shows live badges', async () => {
    const user = userEvent.setup()
    const base = createFakeApi()
    const configure = deferred<TwilioVoiceStatus>()
    const check = deferred<TwilioVoiceStatus>()
    let statusCalls = 0
    const api: RinglineApi = {
      ...base,
      twilioVoice: {
        ...base.twilioVoice!,
        status: (signal) => (++statusCalls === 1 ? base.twilioVoice!.status(signal) : check.promise),
        autoConfigure: vi.fn(() => configure.promise),
      },
    }
    const onConfigured = vi.fn()
    const { root, container } = setup({ onConfigured, provisioningAfterMs: 500 }, api)
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('credentials'))
    expect(badges()).toEqual(['Not configured', 'No TwiML app'])
    await expectNoAxeViolations(container)

    await user.type(screen.getByLabelText('Account SID'), ACCOUNT)
    await user.type(screen.getByLabelText('Auth Token'), TOKEN)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    fireEvent.click(screen.getByRole('button', { name: 'Configure' }))
    expect(api.twilioVoice!.autoConfigure).toHaveBeenCalledWith({ accountSid: ACCOUNT, authToken: TOKEN })
    expect(root.getAttribute('data-state')).toBe('configuring')
    expect(progress()).toBe('25')
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe(
      '25% – Validating credentials',
    )
    expect(stepStates()).toEqual(['current', 'pending', 'pending', 'pending'])

    act(() => {
      vi.advanceTimersByTime(500)
    })
    expect(progress()).toBe('50')
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe(
      '50% – Creating the API key and TwiML app',
    )

    await act(async () => configure.resolve(FAKE_VOICE_STATUS))
    expect(progress()).toBe('75')
    expect(stepStates()).toEqual(['done', 'done', 'current', 'pending'])

    await act(async () => check.resolve({ ...FAKE_VOICE_STATUS, accountSid: ACCOUNT }))
    vi.useRealTimers()
    expect(progress()).toBe('100')
    expect(stepStates()).toEqual(['done', 'done', 'done', 'done'])
    expect(root.getAttribute('data-state')).toBe('configured')
    expect(badges()).toEqual([
      'Configured',
      `TwiML app ${FAKE_VOICE_STATUS.twimlAppSid}`,
      `Caller ID ${FAKE_VOICE_STATUS.callerId}`,
      'Set up automatically',
    ])
    expect(screen.getByText(`Twilio account ${ACCOUNT}`)).toBeTruthy()
    expect(onConfigured).toHaveBeenCalledTimes(1)
    // The form is gone and the secret is not kept in the page.
    expect(screen.queryByLabelText('Auth Token')).toBeNull()
    expect(container.innerHTML).not.toContain(TOKEN)
    await expectNoAxeViolations(container)
  })

  it('warns when the settings have no caller id, since calls out are refused then', async () => {
    setup({}, { voice: { ...FAKE_VOICE_STATUS, callerId: null } })
    await waitFor(() => expect(badges()).toContain('Configured'))
    const warning = within(screen.getByRole('list', { name: 'Twilio Voice status' })).getByText(
      /^No caller ID/,
    )
    expect(warning.getAttribute('data-status')).toBe('disconnected')
    expect(badges().some((b) => b?.startsWith('Caller ID'))).toBe(false)
  })

  it('checks the two fields before sending anything', async () => {
    const user = userEvent.setup()
    const { api } = setup()
    await user.type(await screen.findByLabelText('Account SID'), 'AC123')
    await user.type(screen.getByLabelText('Auth Token'), 'short')
    await user.click(screen.getByRole('button', { name: 'Configure' }))
    expect(screen.getByLabelText('Account SID').getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText('An Account SID is AC followed by 32 letters and digits.')).toBeTruthy()
    expect(screen.getByLabelText('Auth Token').getAttribute('aria-invalid')).toBe('true')
    expect((api as ReturnType<typeof createFakeApi>).log).not.toContain('voiceAutoConfigure')
    expect(screen.queryByRole('progressbar')).toBeNull()
  })

  it('maps AUTH_INVALID to the message and its fix, marks the failed step and keeps the form', async () => {
    const user = userEvent.setup()
    const { root } = setup({}, { voiceAuthToken: 'e'.repeat(32) })
    await user.type(await screen.findByLabelText('Account SID'), ACCOUNT)
    await user.type(screen.getByLabelText('Auth Token'), TOKEN)
    await user.click(screen.getByRole('button', { name: 'Configure' }))
    const alert = await screen.findByRole('alert')
    expect(alert.getAttribute('data-code')).toBe('AUTH_INVALID')
    expect(alert.textContent).toContain('Twilio did not accept this Account SID and Auth Token.')
    expect(alert.textContent).toContain('Twilio Console → Account info')
    expect(root.getAttribute('data-state')).toBe('credentials')
    expect(stepStates()[0]).toBe('failed')
    expect((screen.getByLabelText('Account SID') as HTMLInputElement).value).toBe(ACCOUNT)
    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }))
    expect(screen.queryByRole('alert')).toBeNull()
    // The stopped bar goes with its notice (left behind, it would read as a set-up under way); the form stays.
    expect(screen.queryByRole('progressbar')).toBeNull()
    expect((screen.getByLabelText('Account SID') as HTMLInputElement).value).toBe(ACCOUNT)
  })

  it('"Test connection" mints a Voice token and says for whom', async () => {
    const user = userEvent.setup()
    const onTested = vi.fn()
    const { api, root } = setup({ onTested }, { voice: true })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('configured'))
    await user.click(screen.getByRole('button', { name: 'Test connection' }))
    expect(
      await screen.findByText(/Connection works: a Voice token was issued for demo_3Aada/, {
        selector: '.rl-success',
      }),
    ).toBeTruthy()
    expect((api as ReturnType<typeof createFakeApi>).log).toContain('voiceToken')
    expect(onTested).toHaveBeenCalledWith(
      expect.objectContaining({ transport: 'twilio', identity: 'demo_3Aada' }),
    )
  })

  it('shows a failed connection test with the fix for its code', async () => {
    const user = userEvent.setup()
    const { root } = setup(
      {},
      {
        voice: true,
        failures: { voiceToken: { code: 'RATE_LIMITED', message: 'Too many requests', status: 429 } },
      },
    )
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('configured'))
    await user.click(screen.getByRole('button', { name: 'Test connection' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Twilio is limiting requests right now.')
    expect(alert.textContent).toContain('Wait a minute')
  })

  it('falls back to the server message for a code it has no text for', async () => {
    const user = userEvent.setup()
    const { root } = setup(
      {},
      {
        voice: true,
        failures: { voiceToken: { code: 'SOMETHING_NEW', message: 'Odd failure', status: 500 } },
      },
    )
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('configured'))
    await user.click(screen.getByRole('button', { name: 'Test connection' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('Odd failure')
    expect(alert.textContent).toContain('Try again in a moment.')
  })

  it('settings from the server environment cannot be changed or removed here', async () => {
    const { root } = setup({}, { voice: { ...FAKE_VOICE_STATUS, setupMethod: 'env' } })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('configured'))
    expect(badges()).toContain('From server environment')
    expect(screen.getByText(/come from the server environment/)).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Remove' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Change credentials' })).toBeNull()
  })

  it('removes the settings after a confirmation', async () => {
    const user = userEvent.setup()
    const { api, root } = setup({}, { voice: true })
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('configured'))
    const opener = screen.getByRole('button', { name: 'Remove' })
    await user.click(opener)
    // Cancel takes focus; Escape cancels and gives focus back to the button that opened the dialog.
    let dialog = screen.getByRole('alertdialog', { name: /^Remove the Twilio Voice settings\?/ })
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }))
    await user.keyboard('{Escape}')
    expect(screen.queryByRole('alertdialog')).toBeNull()
    await waitFor(() => expect(document.activeElement).toBe(opener))
    await user.click(opener)
    dialog = screen.getByRole('alertdialog')
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }))
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('credentials'))
    expect((api as ReturnType<typeof createFakeApi>).log).toContain('voiceRemove')
    expect(badges()).toEqual(['Not configured', 'No TwiML app'])
  })

  it('reports a status load failure (e.g. members without access) with its fix', async () => {
    setup({}, { failures: { voiceStatus: { code: 'NETWORK_ERROR', message: 'offline', status: 503 } } })
    expect((await screen.findByRole('alert')).textContent).toContain('Could not reach the server.')
  })

  it('takes label overrides', async () => {
    setup({ labels: { title: 'Appels vocaux', accountSid: 'SID du compte' } })
    expect(await screen.findByRole('heading', { name: 'Appels vocaux' })).toBeTruthy()
    expect(await screen.findByLabelText('SID du compte')).toBeTruthy()
  })
})
