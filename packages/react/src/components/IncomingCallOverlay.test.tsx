import type { CallClientOptions } from '@ringline/core'
import type { CallRecord, RinglineEvent } from '@ringline/core/protocol'
import { createFakeClock, makeEvent, makeRecord } from '@ringline/core/testing'
import { act, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { createTestClient, errorBody, fakeSounds, flush } from '../../test/createTestClient'
import { RinglineProvider } from '../RinglineProvider'
import { IncomingCallOverlay, type NotificationsAdapter } from './IncomingCallOverlay'

/** The overlay over the real client with its `/events` stream; `ring(id)` pushes a `call.incoming`. */
function setupReal(
  props: Parameters<typeof IncomingCallOverlay>[0] = {},
  options: Partial<CallClientOptions> = {},
) {
  // A manual clock: the missed call stays until the test lets `incomingRetention` pass, however slow the machine.
  const clock = createFakeClock()
  const t = createTestClient({ events: true, clock, ...options })
  const utils = render(
    <RinglineProvider client={t.client}>
      <button type="button">Before</button>
      <IncomingCallOverlay notifications={false} {...props} />
    </RinglineProvider>,
  )
  const root = utils.container.querySelector('.rl-incoming') as HTMLElement
  const inbound = (id: string, status: 'ringing' | 'missed' = 'ringing', over: Partial<CallRecord> = {}) =>
    makeRecord({
      id,
      direction: 'inbound',
      status,
      fromNumber: '+14155550123',
      toNumber: '+14155550100',
      ...over,
    })
  const push = async (
    type: 'call.incoming' | 'call.updated',
    id: string,
    status?: 'missed',
    over: Partial<CallRecord> = {},
  ) => {
    await act(async () => {
      // The /events request opens on the first subscribe; let it connect before pushing.
      await flush()
      t.server.push(makeEvent(type, inbound(id, status, over)))
      await flush()
    })
  }
  return { ...t, clock, root, inbound, push, ...utils }
}

describe('IncomingCallOverlay', () => {
  it("leaves out the ring of the user's own server-placed call (serverDial) while an inbound call still shows", async () => {
    const t = setupReal()
    await act(async () => {
      await flush()
      t.server.push({
        ...makeEvent(
          'call.incoming',
          makeRecord({ id: 'own', direction: 'outbound', status: 'initiated', toNumber: '+14155550199' }),
        ),
        serverDial: { callSid: `CA${'c3'.repeat(16)}`, answered: false },
      } as RinglineEvent)
      await flush()
    })
    // Core lists it (for UIs that want to say so) but the overlay offers nothing to answer.
    expect(t.client.getSnapshot().incoming.map((c) => c.id)).toEqual(['own'])
    expect(t.root.getAttribute('data-state')).toBe('idle')
    expect(screen.queryByRole('alertdialog')).toBeNull()
    await t.push('call.incoming', 'c1')
    const dialog = await screen.findByRole('alertdialog')
    expect(dialog.querySelectorAll('.rl-incoming-card')).toHaveLength(1)
    expect(dialog.querySelector('[data-call-id="own"]')).toBeNull()
  })

  it('renders nothing modal while idle, then rings as an alertdialog with focus on Answer', async () => {
    const t = setupReal()
    await act(() => flush())
    expect(t.root.getAttribute('data-state')).toBe('idle')
    expect(screen.queryByRole('alertdialog')).toBeNull()
    const before = screen.getByRole('button', { name: 'Before' })
    before.focus()
    await t.push('call.incoming', 'c1')
    const dialog = screen.getByRole('alertdialog')
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    expect(t.root.getAttribute('data-state')).toBe('ringing')
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)?.textContent).toBe(
      'Incoming call: (415) 555-0123',
    )
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Answer' }))
    expect(screen.getByRole('alert').textContent).toBe('Incoming call from (415) 555-0123')
    await expectNoAxeViolations(t.root)
    // The caller hangs up: core shows it as missed for `incomingRetention`, then drops it; focus returns.
    await t.push('call.updated', 'c1', 'missed')
    expect(t.root.getAttribute('data-state')).toBe('missed')
    act(() => t.clock.advance(4_000))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull())
    expect(document.activeElement).toBe(before)
  })

  it('Enter answers and Esc declines', async () => {
    const user = userEvent.setup()
    const onAnswered = vi.fn()
    const t = setupReal({ onAnswered })
    t.server.on('POST /calls/c1/answer', () => ({
      body: {
        call: t.inbound('c1'),
        connection: { serverUrl: 'wss://lk.test', token: 't', roomName: 'in-c1' },
      },
    }))
    t.server.on('POST /calls/c2/decline', () => ({ body: { ok: true } }))
    await t.push('call.incoming', 'c1')
    screen.getByRole('alertdialog').focus()
    await user.keyboard('{Enter}')
    await waitFor(() => expect(onAnswered).toHaveBeenCalledWith('c1'))
    expect(t.server.calls('POST /calls/c1/answer')).toHaveLength(1)
    await t.push('call.incoming', 'c2')
    screen.getByRole('alertdialog').focus()
    await user.keyboard('{Escape}')
    await waitFor(() => expect(t.server.calls('POST /calls/c2/decline')).toHaveLength(1))
  })

  it('traps focus inside the dialog', async () => {
    const user = userEvent.setup()
    const t = setupReal()
    await t.push('call.incoming', 'c1')
    const dialog = screen.getByRole('alertdialog')
    for (let i = 0; i < 5; i++) {
      await user.tab()
      expect(dialog.contains(document.activeElement)).toBe(true)
    }
    await user.tab({ shift: true })
    expect(dialog.contains(document.activeElement)).toBe(true)
  })

  it('stacks two ringing calls, each with its own controls', async () => {
    const user = userEvent.setup()
    const t = setupReal()
    t.server.on('POST /calls/b/decline', () => ({ body: { ok: true } }))
    await t.push('call.incoming', 'a', undefined, { fromNumber: '+14155550001' })
    await t.push('call.incoming', 'b', undefined, { fromNumber: '+442071838750' })
    const groups = screen.getAllByRole('group')
    expect(groups).toHaveLength(2)
    expect(screen.getByRole('alertdialog').getAttribute('data-count')).toBe('2')
    expect(screen.getByRole('alert').textContent).toBe('2 calls ringing')
    await user.click(
      screen
        .getByRole('group', { name: 'Incoming call: +44 20 7183 8750' })
        .querySelector('[data-action="decline"]')!,
    )
    await waitFor(() => expect(t.server.calls('POST /calls/b/decline')).toHaveLength(1))
    expect(t.client.getSnapshot().incoming.map((c) => c.id)).toEqual(['a'])
    expect(screen.getAllByRole('group')).toHaveLength(1)
  })

  it('says who answered: a colleague by name, yourself as "another device"', async () => {
    const t = setupReal({ currentUserId: 'u1', resolveUser: (id) => (id === 'u2' ? 'Bob' : undefined) })
    await t.push('call.incoming', 'c1')
    await t.push('call.updated', 'c1', undefined, { status: 'in-progress', answeredBy: 'u2' })
    expect(screen.getByRole('group').textContent).toContain('Answered by Bob')
    expect(screen.getByRole('status').textContent).toMatch(/was answered by Bob/)
    await t.push('call.incoming', 'c2')
    await t.push('call.updated', 'c2', undefined, { status: 'in-progress', answeredBy: 'u1' })
    const card = screen.getAllByRole('group').find((g) => g.getAttribute('data-call-id') === 'c2')
    expect(card?.textContent).toContain('Answered on another device')
    expect(card?.textContent).not.toContain('Answered by')
  })

  it('shows answered-elsewhere and missed states; Esc dismisses an ended card', async () => {
    const user = userEvent.setup()
    const t = setupReal()
    await t.push('call.incoming', 'c1')
    // Someone else picks it up while it rings here.
    await t.push('call.updated', 'c1', undefined, { status: 'in-progress', answeredBy: 'u2' })
    expect(t.root.getAttribute('data-state')).toBe('answered-elsewhere')
    expect(screen.getByRole('status').textContent).toMatch(/answered by u2/)
    expect(screen.getByRole('group').textContent).toContain('Answered by u2')
    act(() => t.clock.advance(4_000))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull())
    await t.push('call.incoming', 'c2')
    await t.push('call.updated', 'c2', 'missed')
    expect(t.root.getAttribute('data-state')).toBe('missed')
    expect(screen.getByRole('group').getAttribute('data-state')).toBe('missed')
    await user.keyboard('{Escape}')
    expect(screen.queryByRole('alertdialog')).toBeNull()
  })

  it('hands an answered call to the active call at once; a lost claim ends that call as answered elsewhere', async () => {
    const user = userEvent.setup()
    const onAnswered = vi.fn()
    const t = setupReal({ onAnswered })
    t.server.on('POST /calls/c1/answer', () => ({
      status: 409,
      body: errorBody('CALL_ALREADY_ANSWERED', 'Someone else answered.'),
    }))
    await t.push('call.incoming', 'c1')
    await user.click(screen.getByRole('button', { name: 'Answer' }))
    // No "answering" card: the overlay closes as the call becomes the active call.
    expect(screen.queryByRole('alertdialog')).toBeNull()
    await waitFor(() => {
      const call = t.client.getSnapshot().activeCall
      expect(call?.phase === 'ended' && call.endReason).toBe('answered-elsewhere')
    })
    expect(t.server.calls('POST /calls/c1/answer')).toHaveLength(1)
    expect(onAnswered).not.toHaveBeenCalled()
    expect(screen.queryByRole('alertdialog')).toBeNull()
  })

  it('resolves the caller, offers enable-sound and notifications, and takes labels', async () => {
    const user = userEvent.setup()
    const resolveCaller = vi.fn(async () => ({ name: 'Ada Lovelace', avatarUrl: null }))
    const request = vi.fn(async () => 'granted' as const)
    const notifications: NotificationsAdapter = { permission: () => 'default', request, show: vi.fn() }
    const sounds = fakeSounds('blocked')
    const t = setupReal({ resolveCaller, notifications, labels: { answer: 'Décrocher' } }, { sounds })
    await t.push('call.incoming', 'c1')
    expect(resolveCaller).toHaveBeenCalledWith('+14155550123')
    await screen.findByText('Incoming call: Ada Lovelace')
    expect(screen.getByRole('button', { name: 'Décrocher' })).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Enable sound' }))
    expect(sounds.unlocks).toBe(1)
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Enable sound' })).toBeNull())
    await user.click(screen.getByRole('button', { name: 'Enable notifications' }))
    expect(request).toHaveBeenCalled()
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Enable notifications' })).toBeNull())
  })
})
