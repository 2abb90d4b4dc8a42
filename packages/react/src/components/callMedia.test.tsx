import { act, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { RinglineProvider } from '../RinglineProvider'
import { createFakeCall, createFakeCallClient } from '../testing/createFakeCallClient'
import { AgentPresence } from './AgentPresence'
import { CallControls } from './CallControls'
import { LiveTranscript } from './LiveTranscript'

const segment = (id: string, text: string, final: boolean, speaker = 'Caller', at = 1_700_000_000_000) => ({
  id,
  at: new Date(at).toISOString(),
  speaker,
  speakerIdentity: speaker.toLowerCase(),
  speakerKind: 'sip' as const,
  text,
  final,
})

const connected = (extra = {}) =>
  createFakeCall({
    id: 'call_9',
    phase: 'connected',
    connectedAt: Date.now() - 5_000,
    remote: { number: '+14155550123', name: null, contactId: null },
    ...extra,
  })

describe('LiveTranscript', () => {
  it('shows segments as they arrive, marks interim lines, and announces only final ones', async () => {
    const client = createFakeCallClient({ state: { activeCall: connected() } })
    const { container } = render(
      <RinglineProvider client={client}>
        <LiveTranscript />
      </RinglineProvider>,
    )
    const region = screen.getByRole('region', { name: 'Live transcript' })
    expect(region.getAttribute('data-state')).toBe('empty')
    expect(within(region).getByText('Nothing transcribed yet.')).toBeTruthy()
    act(() => client.updateCall({ transcript: [segment('S1', 'Hello I', false)] }))
    const items = () => within(region).getAllByRole('listitem')
    expect(items()).toHaveLength(1)
    expect(items()[0]?.hasAttribute('data-final')).toBe(false)
    expect(items()[0]?.textContent).toContain('(still listening)')
    const live = container.querySelector('[aria-live="polite"]')
    expect(live?.textContent).toBe('')
    act(() =>
      client.updateCall({
        transcript: [
          segment('S1', 'Hello, I need help.', true),
          segment('S2', 'Sure.', true, 'Agent', 1_700_000_002_000),
        ],
      }),
    )
    expect(items().map((li) => li.textContent)).toEqual(['Caller Hello, I need help.', 'Agent Sure.'])
    expect(items()[0]?.hasAttribute('data-final')).toBe(true)
    expect(live?.textContent).toBe('Agent: Sure.')
    await expectNoAxeViolations(container)
  })
})

describe('AgentPresence', () => {
  it('lists the agents in the call with their state', async () => {
    const client = createFakeCallClient({
      state: {
        activeCall: connected({
          agents: [{ identity: 'agent-1', name: 'Receptionist', state: 'listening' }],
        }),
      },
    })
    const { container } = render(
      <RinglineProvider client={client}>
        <AgentPresence />
      </RinglineProvider>,
    )
    const group = screen.getByRole('group', { name: 'AI agents on this call' })
    expect(group.getAttribute('data-state')).toBe('present')
    const agent = within(group).getByRole('listitem')
    expect(agent.getAttribute('data-state')).toBe('listening')
    expect(agent.textContent).toContain('Receptionist')
    act(() =>
      client.updateCall({ agents: [{ identity: 'agent-1', name: 'Receptionist', state: 'speaking' }] }),
    )
    expect(within(group).getByRole('listitem').getAttribute('data-state')).toBe('speaking')
    expect(within(group).queryByRole('button')).toBeNull()
    await expectNoAxeViolations(container)
  })

  it('invites a chosen agent and reports the outcome; renders nothing without agents or offers', async () => {
    const user = userEvent.setup()
    const client = createFakeCallClient({ state: { activeCall: connected() } })
    const { rerender, container } = render(
      <RinglineProvider client={client}>
        <AgentPresence />
      </RinglineProvider>,
    )
    expect(container.querySelector('.rl-agent-presence')).toBeNull()
    rerender(
      <RinglineProvider client={client}>
        <AgentPresence agents={['receptionist', 'notetaker']} />
      </RinglineProvider>,
    )
    await user.selectOptions(screen.getByLabelText('Agent'), 'notetaker')
    await user.click(screen.getByRole('button', { name: 'Invite agent' }))
    expect(client.actions.filter((a) => a.method === 'inviteAgent').map((a) => a.args)).toEqual([
      ['notetaker'],
    ])
    expect((await screen.findByRole('status')).textContent).toBe('notetaker was invited.')
  })

  it('says why an invite failed', async () => {
    const user = userEvent.setup()
    const client = createFakeCallClient({
      state: { activeCall: connected() },
      errors: {
        inviteAgent: Object.assign(new Error('Agent "x" may not be dispatched here.'), { code: 'FORBIDDEN' }),
      },
    })
    render(
      <RinglineProvider client={client}>
        <AgentPresence agents={['x']} />
      </RinglineProvider>,
    )
    await user.click(screen.getByRole('button', { name: 'Invite agent: x' }))
    expect((await screen.findByRole('status')).textContent).toBe(
      'The agent could not be invited: Agent "x" may not be dispatched here.',
    )
  })
})

describe('CallControls with agents and transcript', () => {
  it('composes the agent presence, the invite action and the live transcript while the call is live', async () => {
    const user = userEvent.setup()
    const client = createFakeCallClient({ state: { activeCall: connected() } })
    render(
      <RinglineProvider client={client}>
        <CallControls agents={['receptionist']} showDevices={false} />
      </RinglineProvider>,
    )
    expect(screen.queryByRole('region', { name: 'Live transcript' })).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Invite agent: receptionist' }))
    expect(client.actions.some((a) => a.method === 'inviteAgent')).toBe(true)
    act(() =>
      client.updateCall({
        agents: [{ identity: 'agent-1', name: 'Receptionist', state: 'speaking' }],
        transcript: [segment('S1', 'Thanks for calling.', true, 'Receptionist')],
      }),
    )
    expect(screen.getByRole('region', { name: 'Live transcript' }).textContent).toContain(
      'Thanks for calling.',
    )
    expect(screen.getByText('Receptionist', { selector: '.rl-agent-name' })).toBeTruthy()
    act(() =>
      client.updateCall({
        phase: 'ended',
        endReason: 'remote-hangup',
        endedAt: Date.now(),
        connectedAt: null,
      }),
    )
    expect(screen.queryByRole('group', { name: 'AI agents on this call' })).toBeNull()
  })
})
