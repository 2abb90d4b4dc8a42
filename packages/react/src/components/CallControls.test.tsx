import type { CallClientOptions } from '@ringline/core'
import { act, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { createTestClient, dialTo, errorBody, fakeMediaDevices, flush } from '../../test/createTestClient'
import * as messages from '../messages'
import { RinglineProvider } from '../RinglineProvider'
import { CallControls } from './CallControls'

// A passthrough spy: how often CallControls itself renders (it reads its labels once per render).
vi.mock('../messages', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../messages')>()
  return { ...actual, useLabels: vi.fn(actual.useLabels) }
})

/** CallControls over the real client (core's fake server and room). */
function setupReal(
  props: Parameters<typeof CallControls>[0] = {},
  options: Partial<CallClientOptions> = {},
  transportOptions: Parameters<typeof createTestClient>[1] = {},
) {
  const t = createTestClient(options, transportOptions)
  const utils = render(
    <RinglineProvider client={t.client}>
      <CallControls {...props} />
    </RinglineProvider>,
  )
  const root = screen.getByRole('group', { name: props.labels?.group ?? 'Call controls' })
  return { ...t, root, ...utils }
}

describe('CallControls', () => {
  it('follows the call phases in data-state and announces them', async () => {
    const t = setupReal()
    const { root } = t
    expect(root.getAttribute('data-state')).toBe('idle')
    let room!: Awaited<ReturnType<typeof dialTo>>
    await act(async () => {
      room = await dialTo(t, 'dialing')
    })
    expect(root.getAttribute('data-state')).toBe('dialing')
    await act(async () => {
      room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'ringing' })
      await flush()
    })
    expect(root.getAttribute('data-state')).toBe('ringing')
    await act(async () => {
      room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'automation' })
      await flush()
    })
    expect(root.getAttribute('data-state')).toBe('connecting')
    await act(async () => {
      room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
      await flush()
    })
    expect(screen.getByRole('status').textContent).toBe('Connected')
    await act(async () => {
      room.setState('reconnecting')
      await flush()
    })
    expect(root.getAttribute('data-state')).toBe('reconnecting')
    expect(screen.getByRole('status').textContent).toBe('Connection lost, reconnecting…')
    await act(async () => {
      room.removeParticipant('sip_+14155550123')
      await flush()
    })
    expect(root.getAttribute('data-state')).toBe('ended')
    expect(screen.getByRole('status').textContent).toBe('The other side hung up')
    expect((screen.getByRole('button', { name: 'Hang up' }) as HTMLButtonElement).disabled).toBe(true)
  })

  it('shows why a call could not be placed: busy, or failed with the server message', async () => {
    const t = setupReal()
    t.server.on('POST /calls', () => ({ status: 409, body: errorBody('SIP_BUSY', 'Busy.') }))
    await act(async () => {
      await t.client.dial('+14155550123').catch(() => {})
    })
    expect(t.root.getAttribute('data-state')).toBe('ended')
    expect(screen.getByRole('status').textContent).toBe('Line busy')
    act(() => t.client.dismiss())
    t.server.on('POST /calls', () => ({
      status: 502,
      body: errorBody('SIP_FAILED', 'The carrier rejected the call.'),
    }))
    await act(async () => {
      await t.client.dial('+14155550123').catch(() => {})
    })
    // Text by error code (translatable), not the server's English message.
    expect(screen.getByRole('status').textContent).toBe(
      'Call failed: The phone network could not connect the call.',
    )
  })

  it('shows the number and a running timer; mute and hold are toggle buttons', async () => {
    const user = userEvent.setup()
    const t = setupReal()
    let room!: Awaited<ReturnType<typeof dialTo>>
    await act(async () => {
      room = await dialTo(t, 'active')
    })
    expect(t.root.textContent).toContain('(415) 555-0123')
    expect(screen.getByLabelText('Call duration').textContent).toMatch(/^0:0\d$/)
    const mute = screen.getByRole('button', { name: 'Mute' })
    expect(mute.getAttribute('aria-pressed')).toBe('false')
    await user.click(mute)
    expect(mute.getAttribute('aria-pressed')).toBe('true')
    expect(t.root.hasAttribute('data-muted')).toBe(true)
    expect(room.localParticipant.isMicrophoneEnabled).toBe(false)
    await user.click(screen.getByRole('button', { name: 'Hold' }))
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Hold' }).getAttribute('aria-pressed')).toBe('true'),
    )
    expect(t.client.getSnapshot().activeCall?.onHold).toBe(true)
  })

  it('ticks the timer each second without rendering the rest of the controls', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    try {
      const t = setupReal()
      await act(async () => {
        await dialTo(t, 'active')
      })
      const timer = screen.getByRole('timer', { name: 'Call duration' })
      const renders = () =>
        vi.mocked(messages.useLabels).mock.calls.filter(([component]) => component === 'callControls').length
      const before = renders()
      await act(async () => vi.advanceTimersByTime(3000))
      expect(timer.textContent).toBe('0:03')
      expect(timer.querySelector('time')?.getAttribute('dateTime')).toBe('PT3S')
      expect(renders()).toBe(before)
    } finally {
      vi.useRealTimers()
    }
  })

  it('tells a muted person who is speaking that they are not heard, and stops when they unmute', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    try {
      let level = 0.2
      const t = setupReal({}, {}, { microphoneLevel: () => level })
      await act(async () => {
        await dialTo(t, 'active')
      })
      const notice = t.root.querySelector('.rl-muted-speech')
      expect(notice?.getAttribute('aria-live')).toBe('polite')
      await act(async () => vi.advanceTimersByTime(1000))
      expect(notice?.textContent).toBe('')
      await act(async () => {
        await t.client.setMuted(true)
        vi.advanceTimersByTime(300)
      })
      expect(notice?.textContent).toBe('You are muted. Unmute to be heard.')
      level = 0
      await act(async () => vi.advanceTimersByTime(3000))
      expect(notice?.textContent).toBe('')
      level = 0.2
      await act(async () => vi.advanceTimersByTime(300))
      expect(notice?.textContent).toBe('You are muted. Unmute to be heard.')
      await act(async () => {
        await t.client.setMuted(false)
      })
      expect(notice?.textContent).toBe('')
    } finally {
      vi.useRealTimers()
    }
  })

  it('takes digits typed anywhere in the page as DTMF, but never from a field or with a modifier', async () => {
    const user = userEvent.setup()
    const t = setupReal()
    const field = document.createElement('input')
    field.setAttribute('aria-label', 'Notes')
    document.body.append(field)
    try {
      await act(async () => {
        await dialTo(t, 'active')
      })
      expect(screen.queryByRole('group', { name: 'Keypad tones' })).toBeNull()
      await user.keyboard('4#')
      await waitFor(() => expect(t.client.getSnapshot().activeCall?.dtmf.sent).toBe('4#'))
      await user.click(field)
      await user.keyboard('99')
      expect((field as HTMLInputElement).value).toBe('99')
      field.blur()
      await user.keyboard('{Control>}1{/Control}')
      await flush()
      expect(t.client.getSnapshot().activeCall?.dtmf.sent).toBe('4#')
    } finally {
      field.remove()
    }
  })

  it('leaves typed digits alone when keyboardDtmf is off or the call is not connected', async () => {
    const user = userEvent.setup()
    const t = setupReal({ keyboardDtmf: false })
    await act(async () => {
      await dialTo(t, 'active')
    })
    await user.keyboard('5')
    await flush()
    expect(t.client.getSnapshot().activeCall?.dtmf.sent).toBe('')
    t.unmount()
    const u = setupReal()
    await act(async () => {
      await dialTo(u, 'dialing')
    })
    await user.keyboard('5')
    await flush()
    expect(u.client.getSnapshot().activeCall?.dtmf.sent ?? '').toBe('')
  })

  it('opens the keypad and sends DTMF by click and by typing', async () => {
    const user = userEvent.setup()
    const onKeypadOpenChange = vi.fn()
    const t = setupReal({ onKeypadOpenChange })
    let room!: Awaited<ReturnType<typeof dialTo>>
    await act(async () => {
      room = await dialTo(t, 'active')
    })
    const toggle = screen.getByRole('button', { name: 'Keypad' })
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    expect(screen.queryByRole('group', { name: 'Keypad tones' })).toBeNull()
    await user.click(toggle)
    expect(onKeypadOpenChange).toHaveBeenCalledWith(true)
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
    expect(screen.getByRole('group', { name: 'Keypad tones' })).toBeTruthy()
    await user.click(screen.getByRole('button', { name: '5 JKL' }))
    await user.keyboard('#1')
    await waitFor(() => expect(t.client.getSnapshot().activeCall?.dtmf.sent).toBe('5#1'))
    expect(room.dtmf).toEqual([
      [5, '5'],
      [11, '#'],
      [1, '1'],
    ])
  })

  it('transfers to a valid number and rejects garbage', async () => {
    const user = userEvent.setup()
    const t = setupReal()
    await act(async () => {
      await dialTo(t, 'active')
    })
    t.server.on('POST /calls/call_1/transfer', () => ({ body: { ok: true } }))
    await user.click(screen.getByRole('button', { name: 'Transfer' }))
    const field = screen.getByLabelText('Transfer to')
    await user.type(field, 'abc')
    await user.click(screen.getByRole('button', { name: 'Transfer call' }))
    expect(field.getAttribute('aria-invalid')).toBe('true')
    await user.clear(field)
    await user.type(field, '415 555 0199{Enter}')
    await waitFor(() => expect(t.server.calls('POST /calls/call_1/transfer')).toHaveLength(1))
    expect(t.server.calls('POST /calls/call_1/transfer')[0]?.body).toEqual({ to: '+14155550199' })
  })

  it('transfers to a number of a possible length the Dialer would call (the server decides), e.g. a 555 test number', async () => {
    const user = userEvent.setup()
    const t = setupReal()
    await act(async () => {
      await dialTo(t, 'active')
    })
    t.server.on('POST /calls/call_1/transfer', () => ({
      status: 502,
      body: { error: { code: 'TRANSFER_FAILED', message: 'The transfer failed (SIP 486).', requestId: 'r' } },
    }))
    await user.click(screen.getByRole('button', { name: 'Transfer' }))
    const field = screen.getByLabelText('Transfer to')
    await user.type(field, '+1 555 010 0009')
    await user.click(screen.getByRole('button', { name: 'Transfer call' }))
    await waitFor(() => expect(t.server.calls('POST /calls/call_1/transfer')).toHaveLength(1))
    expect(t.server.calls('POST /calls/call_1/transfer')[0]?.body).toEqual({ to: '+15550100009' })
    expect(field.getAttribute('aria-invalid')).toBeNull()
    // A refused transfer says so, and the call stays connected.
    await waitFor(() =>
      expect(screen.getByText(/^Transfer failed/).getAttribute('data-state')).toBe('failed'),
    )
    expect(t.client.getSnapshot().activeCall?.phase).toBe('connected')
  })

  it('selects devices, hangs up, takes labels and className, and passes axe', async () => {
    const user = userEvent.setup()
    const onHangup = vi.fn()
    const t = setupReal(
      { onHangup, className: 'x', labels: { hangup: 'Raccrocher', endReasons: { busy: 'Occupé' } } },
      { mediaDevices: fakeMediaDevices() },
    )
    const { client, root, container } = t
    let room!: Awaited<ReturnType<typeof dialTo>>
    await act(async () => {
      room = await dialTo(t, 'active')
    })
    expect(root.classList.contains('x')).toBe(true)
    await waitFor(() =>
      expect(screen.getByLabelText('Microphone').querySelectorAll('option')).toHaveLength(2),
    )
    await user.selectOptions(screen.getByLabelText('Microphone'), 'usb')
    await waitFor(() => expect(client.getSnapshot().devices.selected.audioinput).toBe('usb'))
    expect(room.switched).toContainEqual(['audioinput', 'usb'])
    await expectNoAxeViolations(container)
    await user.click(screen.getByRole('button', { name: 'Raccrocher' }))
    expect(onHangup).toHaveBeenCalled()
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('ended'))
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(1)
    // The next call meets a busy line: the end reason takes its label.
    act(() => client.dismiss())
    t.server.on('POST /calls', () => ({ status: 409, body: errorBody('SIP_BUSY', 'Busy.') }))
    await act(async () => {
      await client.dial('+14155550123').catch(() => {})
    })
    expect(screen.getByRole('status').textContent).toBe('Occupé')
  })

  it('offers Close once the call is over, which clears it', async () => {
    const user = userEvent.setup()
    const t = setupReal()
    t.server.on('POST /calls', () => ({ status: 408, body: errorBody('SIP_NO_ANSWER', 'No answer.') }))
    await act(async () => {
      await t.client.dial('+14155550123').catch(() => {})
    })
    expect(screen.getByRole('status').textContent).toBe('No answer')
    await user.click(screen.getByRole('button', { name: 'Close' }))
    expect(t.root.getAttribute('data-state')).toBe('idle')
    expect(screen.queryByRole('button', { name: 'Close' })).toBeNull()
  })
})
