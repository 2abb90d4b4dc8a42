import { act, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { RinglineProvider } from '../RinglineProvider'
import { createFakeCallClient } from '../testing/createFakeCallClient'
import type { ParticipantState } from '../types'
import { InternalCall, toRoomSlug } from './InternalCall'

function setup(
  props: Parameters<typeof InternalCall>[0] = {},
  options?: Parameters<typeof createFakeCallClient>[0],
) {
  const client = createFakeCallClient(options)
  const utils = render(
    <RinglineProvider client={client}>
      <InternalCall {...props} />
    </RinglineProvider>,
  )
  const root = utils.container.firstElementChild as HTMLElement
  return { client, root, ...utils }
}

const peer = (over: Partial<ParticipantState>): ParticipantState => ({
  identity: 'u2',
  name: 'Grace Hopper',
  kind: 'user',
  isLocal: false,
  speaking: false,
  muted: false,
  sipStatus: null,
  attributes: {},
  ...over,
})

describe('InternalCall', () => {
  it('slugs room names as people type them', () => {
    expect(toRoomSlug('  Daily Standup ')).toBe('daily-standup')
    expect(toRoomSlug('Équipe Café!')).toBe('equipe-cafe')
  })

  it('joins by name with a display name, then lists participants with speaking and muted', async () => {
    const user = userEvent.setup()
    const { client, root, container } = setup()
    expect(root.getAttribute('data-state')).toBe('idle')
    const form = screen.getByRole('form', { name: 'Join a team room' })
    await user.type(screen.getByLabelText('Room name'), 'Daily Standup')
    expect(screen.getByText('You will join “daily-standup”.')).toBeTruthy()
    await user.type(screen.getByLabelText('Your name'), 'Ada')
    await expectNoAxeViolations(container)
    await user.click(screen.getByRole('button', { name: 'Join room' }))
    expect(client.actions[0]).toEqual({ method: 'joinRoom', args: ['daily-standup', { displayName: 'Ada' }] })
    expect(form.isConnected).toBe(false)
    expect(root.getAttribute('data-state')).toBe('connected')
    expect(screen.getByRole('region', { name: 'Room daily-standup' })).toBeTruthy()
    act(() =>
      client.updateCall({
        participants: [
          ...client.getSnapshot().activeCall!.participants,
          peer({ speaking: true }),
          peer({ identity: 'u3', name: 'Linus', muted: true }),
        ],
      }),
    )
    const list = screen.getByRole('list', { name: '3 participants' })
    const items = list.querySelectorAll('li')
    expect(items[0]?.textContent).toContain('Ada (you)')
    expect(items[1]?.hasAttribute('data-speaking')).toBe(true)
    expect(items[1]?.textContent).toContain('speaking')
    expect(items[2]?.hasAttribute('data-muted')).toBe(true)
    expect(items[2]?.textContent).toContain('muted')
    await expectNoAxeViolations(container)
  })

  it('mutes, leaves, and shows why it left', async () => {
    const user = userEvent.setup()
    const { root } = setup({ defaultRoomName: 'ops' })
    await user.click(screen.getByRole('button', { name: 'Join room' }))
    const mute = screen.getByRole('button', { name: 'Mute' })
    await user.click(mute)
    expect(mute.getAttribute('aria-pressed')).toBe('true')
    await user.click(screen.getByRole('button', { name: 'Leave' }))
    expect(root.getAttribute('data-state')).toBe('idle')
    expect(screen.getByRole('status').textContent).toBe('You left the room.')
  })

  it('validates the room name and shows join errors in plain language', async () => {
    const user = userEvent.setup()
    const error = Object.assign(new Error('denied'), { code: 'MICROPHONE_PERMISSION_DENIED' })
    setup({}, { errors: { joinRoom: error } })
    const field = screen.getByLabelText('Room name')
    await user.type(field, '!!!')
    await user.click(screen.getByRole('button', { name: 'Join room' }))
    expect(field.getAttribute('aria-invalid')).toBe('true')
    await user.clear(field)
    await user.type(field, 'ops{Enter}')
    expect(screen.getByRole('alert').textContent).toMatch(/Microphone access is blocked/)
  })

  it('warns when the microphone is blocked, offers End for everyone, and takes labels', async () => {
    const user = userEvent.setup()
    const { client } = setup(
      { canEnd: true, defaultRoomName: 'ops', labels: { join: 'Rejoindre', end: 'Terminer pour tous' } },
      { state: { permission: 'denied' } },
    )
    expect(screen.getByRole('note').textContent).toMatch(/Microphone access is blocked/)
    await user.click(screen.getByRole('button', { name: 'Allow microphone' }))
    expect(client.getSnapshot().permission).toBe('granted')
    await user.click(screen.getByRole('button', { name: 'Rejoindre' }))
    await user.click(screen.getByRole('button', { name: 'Terminer pour tous' }))
    expect(client.actions.map((a) => a.method)).toContain('endRoom')
  })
})
