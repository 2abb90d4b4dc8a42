import type { CallClientOptions } from '@ringline/core'
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { createTestClient, dialTo, errorBody, fakePermissions } from '../../test/createTestClient'
import { RinglineProvider } from '../RinglineProvider'
import { Dialer } from './Dialer'

/** The Dialer over the real client; `POST /calls` hangs unless a test scripts it, so a dial stays `calling`. */
function setup(props: Parameters<typeof Dialer>[0] = {}, options: Partial<CallClientOptions> = {}) {
  const { client, server } = createTestClient(options)
  server.on('POST /calls', () => new Promise(() => {}))
  const utils = render(
    <RinglineProvider client={client}>
      <Dialer {...props} />
    </RinglineProvider>,
  )
  const root = utils.container.firstElementChild as HTMLElement
  const input = screen.getByRole('textbox', { name: 'Phone number' }) as HTMLInputElement
  return { client, server, root, input, ...utils }
}

describe('Dialer', () => {
  it('says "Calling…" while the call is set up and "In a call" once it is connected', async () => {
    const t = createTestClient()
    const { container } = render(
      <RinglineProvider client={t.client}>
        <Dialer />
      </RinglineProvider>,
    )
    const root = container.firstElementChild as HTMLElement
    const button = () => container.querySelector('.rl-dialer-call') as HTMLButtonElement
    let room!: Awaited<ReturnType<typeof dialTo>>
    await act(async () => {
      room = await dialTo(t, 'ringing')
    })
    expect(root.getAttribute('data-state')).toBe('calling')
    expect(button().textContent).toBe('Calling…')
    await act(async () => {
      room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
      await new Promise((r) => setTimeout(r, 0))
    })
    await waitFor(() => expect(t.client.getSnapshot().activeCall?.phase).toBe('connected'))
    expect(root.getAttribute('data-state')).toBe('in-call')
    expect(button().textContent).toBe('In a call')
    expect(button().disabled).toBe(true)
  })

  it('prepares the client once when it gets focus or a first digit, so the first call does not wait for the SDK', async () => {
    const user = userEvent.setup()
    const { client, input } = setup()
    const prepare = vi.spyOn(client, 'prepare')
    expect(prepare).not.toHaveBeenCalled()
    await user.click(input)
    expect(prepare).toHaveBeenCalledTimes(1)
    await user.type(input, '4155550123')
    input.blur()
    await user.click(input)
    expect(prepare).toHaveBeenCalledTimes(1)
  })

  it('prepares on a pad key too, and not at all when the host places calls itself (onCall)', async () => {
    const user = userEvent.setup()
    const first = setup()
    const prepare = vi.spyOn(first.client, 'prepare')
    await user.click(screen.getByRole('button', { name: /^5/ }))
    expect(prepare).toHaveBeenCalledTimes(1)
    first.unmount()
    const second = setup({ onCall: vi.fn() })
    const notUsed = vi.spyOn(second.client, 'prepare')
    await user.click(second.input)
    await user.type(second.input, '4155550123')
    expect(notUsed).not.toHaveBeenCalled()
  })

  it('formats as you type and calls the E.164 number on Enter', async () => {
    const user = userEvent.setup()
    const { client, server, root, input } = setup()
    expect(root.getAttribute('data-state')).toBe('idle')
    await user.type(input, '4155550123')
    expect(input.value).toBe('(415) 555-0123')
    expect(root.getAttribute('data-state')).toBe('ready')
    await user.keyboard('{Enter}')
    await waitFor(() => expect(server.calls('POST /calls')).toHaveLength(1))
    expect(server.calls('POST /calls')[0]?.body).toEqual({ to: '+14155550123' })
    expect(client.getSnapshot().activeCall?.phase).toBe('requesting')
    expect(root.getAttribute('data-state')).toBe('calling')
  })

  it('uses the default country and international numbers', async () => {
    const user = userEvent.setup()
    const { input, root } = setup({ defaultCountry: 'FR' })
    await user.type(input, '0612345678')
    expect(input.value).toBe('06 12 34 56 78')
    expect(root.getAttribute('data-state')).toBe('ready')
    await user.clear(input)
    await user.type(input, '+442071838750')
    expect(input.value).toBe('+44 20 7183 8750')
  })

  it('clicking pad keys and typing on a focused key both dial; backspace deletes', async () => {
    const user = userEvent.setup()
    const { input } = setup()
    const pad = screen.getByRole('group', { name: 'Dial pad' })
    await user.click(screen.getByRole('button', { name: '4 GHI' }))
    await user.click(screen.getByRole('button', { name: '1' }))
    expect(input.value).toBe('41')
    // Focus is on a pad key now: typing goes to the number.
    expect(pad.contains(document.activeElement)).toBe(true)
    await user.keyboard('5555')
    expect(input.value.replace(/\D/g, '')).toBe('415555')
    await user.keyboard('{Backspace}')
    expect(input.value.replace(/\D/g, '')).toBe('41555')
    await user.click(screen.getByRole('button', { name: 'Delete last digit' }))
    expect(input.value.replace(/\D/g, '')).toBe('4155')
  })

  it('long-press on 0 types +', () => {
    vi.useFakeTimers()
    try {
      const { input } = setup()
      const zero = screen.getByRole('button', { name: '0 +', description: 'hold for +' })
      fireEvent.pointerDown(zero)
      act(() => {
        vi.advanceTimersByTime(600)
      })
      fireEvent.pointerUp(zero)
      fireEvent.click(zero)
      expect(input.value).toBe('+')
      fireEvent.pointerDown(zero)
      fireEvent.pointerUp(zero)
      fireEvent.click(zero)
      expect(input.value).toBe('+0')
    } finally {
      vi.useRealTimers()
    }
  })

  it('takes the same number set again unformatted (autofill) as that number, and backspace over a space as a deletion', () => {
    const { root, input } = setup()
    fireEvent.change(input, { target: { value: '+14155550199' } })
    expect(input.value).toBe('+1 415 555 0199')
    fireEvent.change(input, { target: { value: '+14155550199' } })
    expect(input.value).toBe('+1 415 555 0199')
    expect(root.getAttribute('data-state')).toBe('ready')
    // Deleting the space before "0199" removes the digit before it.
    fireEvent.change(input, { target: { value: '+1 415 5550199' } })
    expect(input.value).toBe('+1 415 555 019')
  })

  it('pastes a number with punctuation', () => {
    const { input } = setup()
    fireEvent.paste(input, { clipboardData: { getData: () => '+1 (415) 555-0199' } })
    expect(input.value).toBe('+1 415 555 0199')
  })

  it('says why it is disabled: no microphone', async () => {
    const { root } = setup({}, { permissions: fakePermissions('denied') })
    await waitFor(() => expect(root.getAttribute('data-disabled-reason')).toBe('no-microphone'))
    expect(root.getAttribute('data-state')).toBe('disabled')
    const call = screen.getByRole('button', { name: 'Call' }) as HTMLButtonElement
    expect(call.disabled).toBe(true)
    const reasonId = call.getAttribute('aria-describedby')!
    expect(document.getElementById(reasonId)?.textContent).toMatch(/Microphone access is blocked/)
    // …with the way out for this browser (jsdom's user agent is none of the big four: the generic step).
    expect(document.getElementById(reasonId)?.textContent).toMatch(/allow the microphone, then reload/)
  })

  it('is disabled with no microphone connected, and enabled once one is plugged in', async () => {
    let inputs: MediaDeviceInfo[] = []
    const listeners = new Set<() => void>()
    const mediaDevices = {
      enumerateDevices: async () => inputs,
      getUserMedia: async () => ({ getTracks: () => [] }) as unknown as MediaStream,
      addEventListener: (_t: string, l: () => void) => void listeners.add(l),
      removeEventListener: (_t: string, l: () => void) => void listeners.delete(l),
    }
    const { root } = setup({}, { permissions: fakePermissions('granted'), mediaDevices })
    await waitFor(() => expect(root.getAttribute('data-disabled-reason')).toBe('no-microphone'))
    expect(root.textContent).toMatch(/No microphone was found/)
    inputs = [{ kind: 'audioinput', deviceId: 'm', groupId: 'm', label: 'USB mic' } as MediaDeviceInfo]
    act(() => {
      for (const l of listeners) l()
    })
    await waitFor(() => expect(root.hasAttribute('data-disabled-reason')).toBe(false))
  })

  it('shows the dial error and supports recent numbers, labels and className', async () => {
    const user = userEvent.setup()
    const error = Object.assign(new Error('That number is not allowed.'), { code: 'UPSTREAM_ERROR' })
    const { input, root, server } = setup({
      recentNumbers: ['+14155550100'],
      labels: { call: 'Appeler' },
      className: 'mine',
    })
    server.on('POST /calls', () => ({ status: 502, body: errorBody('UPSTREAM_ERROR', error.message) }))
    expect(root.classList.contains('mine')).toBe(true)
    await user.click(screen.getByRole('button', { name: 'Use (415) 555-0100' }))
    expect(input.value).toBe('(415) 555-0100')
    await user.click(screen.getByRole('button', { name: 'Appeler' }))
    // The text for the code, not the server's own English message.
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        'A service the server depends on answered with an error. Try again.',
      ),
    )
    expect(input.getAttribute('aria-invalid')).toBe('true')
  })

  it('is controlled through value / onValueChange and has no axe violations', async () => {
    const onValueChange = vi.fn()
    const { container, input } = setup({ value: '+1415', onValueChange })
    expect(input.value).toBe('+1 415')
    fireEvent.change(input, { target: { value: '+1 4155' } })
    expect(onValueChange).toHaveBeenCalledWith('+14155')
    expect(input.value).toBe('+1 415')
    await expectNoAxeViolations(container)
  })

  it('maps dial error codes to plain language, and NOT_CONFIGURED disables with the reason', async () => {
    const user = userEvent.setup()
    const first = setup({ defaultValue: '4155550123' })
    first.server.on('POST /calls', () => ({ status: 400, body: errorBody('INVALID_PHONE_NUMBER', 'raw') }))
    await user.click(screen.getByRole('button', { name: 'Call' }))
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/not a valid phone number/))
    first.unmount()
    const { root, server, client } = setup({ defaultValue: '4155550123' })
    server.on('POST /calls', () => ({ status: 503, body: errorBody('NOT_CONFIGURED', 'raw') }))
    await user.click(screen.getByRole('button', { name: 'Call' }))
    await waitFor(() => expect(root.getAttribute('data-disabled-reason')).toBe('not-configured'))
    expect((screen.getByRole('button', { name: 'Call' }) as HTMLButtonElement).disabled).toBe(true)
    // A Dialer that never dialed reads core's `configured`: the reason lives in the client, not in the component.
    expect(client.getSnapshot().configured).toBe(false)
    const other = render(
      <RinglineProvider client={client}>
        <Dialer />
      </RinglineProvider>,
    )
    expect((other.container.firstElementChild as HTMLElement).getAttribute('data-disabled-reason')).toBe(
      'not-configured',
    )
  })
})
