import { act, fireEvent, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { RinglineProvider } from '../RinglineProvider'
import { createFakeCallClient } from '../testing/createFakeCallClient'
import { Dialer } from './Dialer'

function setup(props: Parameters<typeof Dialer>[0] = {}, state?: Parameters<typeof createFakeCallClient>[0]) {
  const client = createFakeCallClient(state)
  const utils = render(
    <RinglineProvider client={client}>
      <Dialer {...props} />
    </RinglineProvider>,
  )
  const root = utils.container.firstElementChild as HTMLElement
  const input = screen.getByRole('textbox', { name: 'Phone number' }) as HTMLInputElement
  return { client, root, input, ...utils }
}

describe('Dialer', () => {
  it('formats as you type and calls the E.164 number on Enter', async () => {
    const user = userEvent.setup()
    const { client, root, input } = setup()
    expect(root.getAttribute('data-state')).toBe('idle')
    await user.type(input, '4155550123')
    expect(input.value).toBe('(415) 555-0123')
    expect(root.getAttribute('data-state')).toBe('ready')
    await user.keyboard('{Enter}')
    expect(client.actions).toContainEqual({ method: 'dial', args: ['+14155550123', undefined] })
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

  it('says why it is disabled: no microphone, not configured', () => {
    const { root, rerender, client } = setup({}, { state: { permission: 'denied' } })
    expect(root.getAttribute('data-state')).toBe('disabled')
    expect(root.getAttribute('data-disabled-reason')).toBe('no-microphone')
    const call = screen.getByRole('button', { name: 'Call' }) as HTMLButtonElement
    expect(call.disabled).toBe(true)
    const reasonId = call.getAttribute('aria-describedby')!
    expect(document.getElementById(reasonId)?.textContent).toMatch(/Microphone access is blocked/)
    act(() => client.setState({ permission: 'granted', configured: false }))
    rerender(
      <RinglineProvider client={client}>
        <Dialer />
      </RinglineProvider>,
    )
    expect(root.getAttribute('data-disabled-reason')).toBe('not-configured')
  })

  it('shows the dial error and supports recent numbers, labels and className', async () => {
    const user = userEvent.setup()
    const error = Object.assign(new Error('That number is not allowed.'), { code: 'UPSTREAM_ERROR' })
    const { input, root } = setup(
      { recentNumbers: ['+14155550100'], labels: { call: 'Appeler' }, className: 'mine' },
      { errors: { dial: error } },
    )
    expect(root.classList.contains('mine')).toBe(true)
    await user.click(screen.getByRole('button', { name: 'Use (415) 555-0100' }))
    expect(input.value).toBe('(415) 555-0100')
    await user.click(screen.getByRole('button', { name: 'Appeler' }))
    expect(screen.getByRole('alert').textContent).toBe('That number is not allowed.')
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
    const invalid = Object.assign(new Error('raw'), { code: 'INVALID_PHONE_NUMBER' })
    const first = setup({ defaultValue: '4155550123' }, { errors: { dial: invalid } })
    await user.click(screen.getByRole('button', { name: 'Call' }))
    expect(screen.getByRole('alert').textContent).toMatch(/not a valid phone number/)
    first.unmount()
    const notConfigured = Object.assign(new Error('raw'), { code: 'NOT_CONFIGURED' })
    const { root } = setup({ defaultValue: '4155550123' }, { errors: { dial: notConfigured } })
    await user.click(screen.getByRole('button', { name: 'Call' }))
    expect(root.getAttribute('data-disabled-reason')).toBe('not-configured')
    expect((screen.getByRole('button', { name: 'Call' }) as HTMLButtonElement).disabled).toBe(true)
  })
})
