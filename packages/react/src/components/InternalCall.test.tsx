import type { CallClientOptions } from '@ringline/core'
import { act, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import {
  createTestClient,
  fakeMediaDevices,
  fakePermissions,
  flush,
  serveRooms,
} from '../../test/createTestClient'
import { RinglineProvider } from '../RinglineProvider'
import { InternalCall, toRoomSlug } from './InternalCall'

// These tests are about the body; the lazy shell itself is tested in lazyComponents.test.tsx.
beforeAll(() => InternalCall.preload())

/** InternalCall over the real client; `POST /rooms/:name/join|leave|end` answer as the server does. */
function setup(props: Parameters<typeof InternalCall>[0] = {}, options: Partial<CallClientOptions> = {}) {
  const t = createTestClient({ mediaDevices: fakeMediaDevices(), ...options })
  serveRooms(t.server, { canEnd: props.canEnd ?? false })
  const utils = render(
    <RinglineProvider client={t.client}>
      <InternalCall {...props} />
    </RinglineProvider>,
  )
  const root = utils.container.firstElementChild as HTMLElement
  const room = () => {
    const r = t.transport.room
    if (!r) throw new Error('no room yet')
    return r
  }
  return { ...t, root, room, ...utils }
}

describe('InternalCall', () => {
  it('slugs room names as people type them', () => {
    expect(toRoomSlug('  Daily Standup ')).toBe('daily-standup')
    expect(toRoomSlug('Équipe Café!')).toBe('equipe-cafe')
  })

  it('joins by name with a display name, then lists participants with speaking and muted', async () => {
    const user = userEvent.setup()
    const { client, server, transport, room, root, container } = setup()
    // The server puts the display name in the LiveKit token: the room reports it as the local name.
    transport.onRoom = (r) => {
      r.localParticipant.name = 'Ada'
    }
    expect(root.getAttribute('data-state')).toBe('idle')
    const form = screen.getByRole('form', { name: 'Join a team room' })
    await user.type(screen.getByLabelText('Room name'), 'Daily Standup')
    expect(screen.getByText('You will join “daily-standup”.')).toBeTruthy()
    await user.type(screen.getByLabelText('Your name'), 'Ada')
    await expectNoAxeViolations(container)
    await user.click(screen.getByRole('button', { name: 'Join room' }))
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('connected'))
    expect(server.calls('POST /rooms/daily-standup/join').map((r) => r.body)).toEqual([
      { displayName: 'Ada' },
    ])
    expect(client.getSnapshot().activeCall?.direction).toBe('internal')
    expect(form.isConnected).toBe(false)
    expect(screen.getByRole('region', { name: 'Room daily-standup' })).toBeTruthy()
    await act(async () => {
      room().addParticipant({ identity: 'u2', name: 'Grace Hopper' })
      room().addParticipant({ identity: 'u3', name: 'Linus' })
      room().publishAudio('u3', true)
      room().setSpeaking(['u2'])
      await flush()
    })
    const list = screen.getByRole('list', { name: '3 participants' })
    const items = list.querySelectorAll('li')
    expect(items[0]?.textContent).toContain('Ada (you)')
    expect(items[1]?.hasAttribute('data-speaking')).toBe(true)
    expect(items[1]?.textContent).toContain('speaking')
    expect(items[2]?.hasAttribute('data-muted')).toBe(true)
    expect(items[2]?.textContent).toContain('muted')
    await expectNoAxeViolations(container)
  })

  it('joins with a room kind, invites an agent into the room and shows it present', async () => {
    const user = userEvent.setup()
    const { root, room, server, container } = setup({
      defaultRoomName: 'help',
      kind: 'support',
      agents: ['support-agent'],
    })
    server.on('POST /calls/:id/agent', () => ({
      body: {
        dispatch: {
          agentName: 'support-agent',
          state: 'dispatched',
          dispatchId: 'AD_1',
          error: null,
          createdAt: '2026-01-01T00:00:00.000Z',
        },
        created: true,
      },
    }))
    await user.click(screen.getByRole('button', { name: 'Join room' }))
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('connected'))
    expect(server.calls('POST /rooms/help/join').map((r) => r.body)).toEqual([{ kind: 'support' }])
    await user.click(screen.getByRole('button', { name: 'Invite agent: support-agent' }))
    await waitFor(() => expect(screen.getByText('support-agent was invited.')).toBeTruthy())
    // The room's call id: the agent joins this room.
    expect(server.calls('POST /calls/room_help/agent').map((r) => r.body)).toEqual([
      { agentName: 'support-agent' },
    ])
    await act(async () => {
      room().addParticipant({
        identity: 'agent-1',
        name: 'Support',
        kind: 'agent',
        attributes: { 'lk.agent.state': 'speaking' },
      })
      await flush()
    })
    const group = screen.getByRole('group', { name: 'AI agents on this call' })
    expect(group.querySelector('[data-state="speaking"]')?.textContent).toContain('Support')
    await expectNoAxeViolations(container)
  })

  it('mutes, leaves, and shows why it left', async () => {
    const user = userEvent.setup()
    const { root, room, server } = setup({ defaultRoomName: 'ops' })
    await user.click(screen.getByRole('button', { name: 'Join room' }))
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('connected'))
    const mute = screen.getByRole('button', { name: 'Mute' })
    await user.click(mute)
    await waitFor(() => expect(mute.getAttribute('aria-pressed')).toBe('true'))
    expect(room().localParticipant.isMicrophoneEnabled).toBe(false)
    await user.click(screen.getByRole('button', { name: 'Leave' }))
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('idle'))
    expect(screen.getByRole('status').textContent).toBe('You left the room.')
    expect(server.calls('POST /rooms/ops/leave')).toHaveLength(1)
  })

  it('validates the room name and shows join errors in plain language', async () => {
    const user = userEvent.setup()
    const { transport } = setup()
    // The browser refuses the microphone when the room publishes it.
    transport.onRoom = (room) => {
      room.failMicrophone = new DOMException('Permission denied', 'NotAllowedError')
    }
    const field = screen.getByLabelText('Room name')
    await user.type(field, '!!!')
    await user.click(screen.getByRole('button', { name: 'Join room' }))
    expect(field.getAttribute('aria-invalid')).toBe('true')
    await user.clear(field)
    await user.type(field, 'ops{Enter}')
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/Microphone access is blocked/))
  })

  it('warns when the microphone is blocked, offers End for everyone, and takes labels', async () => {
    const user = userEvent.setup()
    const { client, root, server } = setup(
      { canEnd: true, defaultRoomName: 'ops', labels: { join: 'Rejoindre', end: 'Terminer pour tous' } },
      { permissions: fakePermissions('denied') },
    )
    await waitFor(() => expect(screen.getByRole('note').textContent).toMatch(/Microphone access is blocked/))
    await user.click(screen.getByRole('button', { name: 'Allow microphone' }))
    await waitFor(() => expect(client.getSnapshot().permission).toBe('granted'))
    await user.click(screen.getByRole('button', { name: 'Rejoindre' }))
    await waitFor(() => expect(root.getAttribute('data-state')).toBe('connected'))
    await user.click(screen.getByRole('button', { name: 'Terminer pour tous' }))
    await waitFor(() => expect(server.calls('POST /rooms/ops/end')).toHaveLength(1))
  })
})
