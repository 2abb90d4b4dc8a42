import { act, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { RinglineProvider } from '../RinglineProvider'
import { createFakeCall, createFakeCallClient } from '../testing/createFakeCallClient'
import { CallControls } from './CallControls'

function setup(
  props: Parameters<typeof CallControls>[0] = {},
  options?: Parameters<typeof createFakeCallClient>[0],
) {
  const client = createFakeCallClient(options)
  const utils = render(
    <RinglineProvider client={client}>
      <CallControls {...props} />
    </RinglineProvider>,
  )
  const root = screen.getByRole('group', { name: props.labels?.group ?? 'Call controls' })
  return { client, root, ...utils }
}

const connected = (extra = {}) =>
  createFakeCall({
    phase: 'connected',
    connectedAt: Date.now() - 65_000,
    remote: { number: '+14155550123', name: null, contactId: null },
    ...extra,
  })

describe('CallControls', () => {
  it('follows the call phases in data-state and announces them', async () => {
    const { client, root } = setup()
    expect(root.getAttribute('data-state')).toBe('idle')
    act(() => {
      void client.dial('+14155550123')
    })
    expect(root.getAttribute('data-state')).toBe('requesting')
    for (const phase of ['dialing', 'ringing', 'connecting'] as const) {
      act(() => client.updateCall({ phase }))
      expect(root.getAttribute('data-state')).toBe(phase)
    }
    act(() => client.updateCall({ phase: 'connected', connectedAt: Date.now() } as never))
    expect(screen.getByRole('status').textContent).toBe('Connected')
    act(() => client.updateCall({ phase: 'reconnecting', since: Date.now() } as never))
    expect(root.getAttribute('data-state')).toBe('reconnecting')
    expect(screen.getByRole('status').textContent).toBe('Connection lost, reconnecting…')
    act(() => client.updateCall({ phase: 'ended', endReason: 'busy', endedAt: Date.now() } as never))
    expect(root.getAttribute('data-state')).toBe('ended')
    expect(screen.getByRole('status').textContent).toBe('Line busy')
    expect((screen.getByRole('button', { name: 'Hang up' }) as HTMLButtonElement).disabled).toBe(true)
    act(() =>
      client.setState({
        activeCall: createFakeCall({
          phase: 'failed',
          error: { code: 'SIP_FAILED', message: 'The carrier rejected the call.' },
          endedAt: Date.now(),
          connectedAt: null,
        }),
      }),
    )
    expect(screen.getByRole('status').textContent).toBe('Call failed: The carrier rejected the call.')
  })

  it('shows the number and a running timer; mute and hold are toggle buttons', async () => {
    const user = userEvent.setup()
    const { root, client } = setup({}, { state: { activeCall: connected() } })
    expect(root.textContent).toContain('(415) 555-0123')
    expect(screen.getByLabelText('Call duration').textContent).toMatch(/^1:0[5-6]$/)
    const mute = screen.getByRole('button', { name: 'Mute' })
    expect(mute.getAttribute('aria-pressed')).toBe('false')
    await user.click(mute)
    expect(mute.getAttribute('aria-pressed')).toBe('true')
    expect(root.hasAttribute('data-muted')).toBe(true)
    await user.click(screen.getByRole('button', { name: 'Hold' }))
    expect(client.actions.map((a) => a.method)).toEqual(['setMuted', 'hold'])
    expect(screen.getByRole('button', { name: 'Hold' }).getAttribute('aria-pressed')).toBe('true')
  })

  it('opens the keypad and sends DTMF by click and by typing', async () => {
    const user = userEvent.setup()
    const onKeypadOpenChange = vi.fn()
    const { client } = setup({ onKeypadOpenChange }, { state: { activeCall: connected() } })
    const toggle = screen.getByRole('button', { name: 'Keypad' })
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    expect(screen.queryByRole('group', { name: 'Keypad tones' })).toBeNull()
    await user.click(toggle)
    expect(onKeypadOpenChange).toHaveBeenCalledWith(true)
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
    const pad = screen.getByRole('group', { name: 'Keypad tones' })
    await user.click(screen.getByRole('button', { name: '5 JKL' }))
    await user.keyboard('#1')
    expect(client.actions.filter((a) => a.method === 'sendDtmf').map((a) => a.args[0])).toEqual([
      '5',
      '#',
      '1',
    ])
    expect(pad).toBeTruthy()
  })

  it('transfers to a valid number and rejects garbage', async () => {
    const user = userEvent.setup()
    const { client } = setup({}, { state: { activeCall: connected() } })
    await user.click(screen.getByRole('button', { name: 'Transfer' }))
    const field = screen.getByLabelText('Transfer to')
    await user.type(field, 'abc')
    await user.click(screen.getByRole('button', { name: 'Transfer call' }))
    expect(field.getAttribute('aria-invalid')).toBe('true')
    await user.clear(field)
    await user.type(field, '415 555 0199{Enter}')
    expect(client.actions).toContainEqual({ method: 'transfer', args: ['+14155550199'] })
  })

  it('selects devices, hangs up, takes labels and className, and passes axe', async () => {
    const user = userEvent.setup()
    const onHangup = vi.fn()
    const { client, root, container } = setup(
      { onHangup, className: 'x', labels: { hangup: 'Raccrocher', endReasons: { busy: 'Occupé' } } },
      { state: { activeCall: connected() } },
    )
    expect(root.classList.contains('x')).toBe(true)
    await user.selectOptions(screen.getByLabelText('Microphone'), 'usb')
    expect(client.getSnapshot().devices.selected.audioinput).toBe('usb')
    await expectNoAxeViolations(container)
    await user.click(screen.getByRole('button', { name: 'Raccrocher' }))
    expect(onHangup).toHaveBeenCalled()
    expect(root.getAttribute('data-state')).toBe('ended')
    act(() => client.updateCall({ endReason: 'busy' } as never))
    expect(screen.getByRole('status').textContent).toBe('Occupé')
  })

  it('offers Close once the call is over, which clears it', async () => {
    const user = userEvent.setup()
    const { root } = setup(
      {},
      {
        state: {
          activeCall: createFakeCall({
            phase: 'ended',
            endReason: 'no-answer',
            endedAt: Date.now(),
            connectedAt: null,
          }),
        },
      },
    )
    expect(screen.getByRole('status').textContent).toBe('No answer')
    await user.click(screen.getByRole('button', { name: 'Close' }))
    expect(root.getAttribute('data-state')).toBe('idle')
    expect(screen.queryByRole('button', { name: 'Close' })).toBeNull()
  })
})
