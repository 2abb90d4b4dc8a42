import type { FakeRoom } from '@ringline/core/testing'
import { act, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { ReactNode } from 'react'
import { beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from '../../test/axe'
import { createTestClient, dialTo, errorBody, flush } from '../../test/createTestClient'
import { RinglineProvider } from '../RinglineProvider'
import { AgentPresence } from './AgentPresence'
import { CallControls } from './CallControls'
import { LiveTranscript } from './LiveTranscript'

// Their bodies load lazily (lazyComponents.test.tsx covers that): loaded up front, each test sees them at once.
beforeAll(() => Promise.all([AgentPresence.preload(), LiveTranscript.preload()]))

const SIP = 'sip_+14155550123'
const T0 = 1_700_000_000_000

/** A connected call on the real client; `ui` renders under its provider once the call is live. */
async function connected(ui: (props: Record<string, never>) => ReactNode) {
  const t = createTestClient()
  let room!: FakeRoom
  await act(async () => {
    room = await dialTo(t, 'active')
  })
  const utils = render(<RinglineProvider client={t.client}>{ui({})}</RinglineProvider>)
  return { ...t, room, ...utils }
}

/** A participant sends a transcription segment on `lk.transcription`, as LiveKit Agents do. */
async function say(room: FakeRoom, identity: string, id: string, text: string, final: boolean, at = T0) {
  await act(async () => {
    await room.sendText(
      identity,
      'lk.transcription',
      text,
      { 'lk.segment_id': id, 'lk.transcription_final': String(final) },
      at,
    )
    await flush()
  })
}

const dispatch = (agentName: string) => ({
  dispatch: {
    agentName,
    state: 'dispatched',
    dispatchId: `AD_${agentName}`,
    error: null,
    createdAt: '2026-01-01T00:00:00.000Z',
  },
  created: true,
})

describe('LiveTranscript', () => {
  it('shows segments as they arrive, marks interim lines, and announces only final ones', async () => {
    const { room, container } = await connected(() => <LiveTranscript />)
    const region = screen.getByRole('region', { name: 'Live transcript' })
    expect(region.getAttribute('data-state')).toBe('empty')
    expect(within(region).getByText('Nothing transcribed yet.')).toBeTruthy()
    await say(room, SIP, 'S1', 'Hello I', false)
    const items = () => within(region).getAllByRole('listitem')
    expect(items()).toHaveLength(1)
    expect(items()[0]?.hasAttribute('data-final')).toBe(false)
    expect(items()[0]?.textContent).toContain('(still listening)')
    const live = container.querySelector('[aria-live="polite"]')
    expect(live?.textContent).toBe('')
    act(() => {
      room.addParticipant({ identity: 'agent-1', name: 'Agent', kind: 'agent' })
    })
    await say(room, SIP, 'S1', 'Hello, I need help.', true)
    await say(room, 'agent-1', 'S2', 'Sure.', true, T0 + 2_000)
    expect(items().map((li) => li.textContent)).toEqual([
      'Phone +14155550123 Hello, I need help.',
      'Agent Sure.',
    ])
    expect(items()[0]?.hasAttribute('data-final')).toBe(true)
    expect(live?.textContent).toBe('Agent: Sure.')
    await expectNoAxeViolations(container)
  })
})

describe('AgentPresence', () => {
  it('lists the agents in the call with their state', async () => {
    const { room, container } = await connected(() => <AgentPresence />)
    await act(async () => {
      room.addParticipant({
        identity: 'agent-1',
        name: 'Receptionist',
        kind: 'agent',
        attributes: { 'lk.agent.state': 'listening' },
      })
      await flush()
    })
    const group = screen.getByRole('group', { name: 'AI agents on this call' })
    expect(group.getAttribute('data-state')).toBe('present')
    const agent = within(group).getByRole('listitem')
    expect(agent.getAttribute('data-state')).toBe('listening')
    expect(agent.textContent).toContain('Receptionist')
    await act(async () => {
      room.setAttributes('agent-1', { 'lk.agent.state': 'speaking' })
      await flush()
    })
    expect(within(group).getByRole('listitem').getAttribute('data-state')).toBe('speaking')
    expect(within(group).queryByRole('button')).toBeNull()
    await expectNoAxeViolations(container)
  })

  it('invites a chosen agent and reports the outcome; renders nothing without agents or offers', async () => {
    const user = userEvent.setup()
    const { client, server, rerender, container } = await connected(() => <AgentPresence />)
    server.on('POST /calls/call_1/agent', (req) => ({
      status: 201,
      body: dispatch((req.body as { agentName: string }).agentName),
    }))
    expect(container.querySelector('.rl-agent-presence')).toBeNull()
    rerender(
      <RinglineProvider client={client}>
        <AgentPresence agents={['receptionist', 'notetaker']} />
      </RinglineProvider>,
    )
    await user.selectOptions(screen.getByLabelText('Agent'), 'notetaker')
    await user.click(screen.getByRole('button', { name: 'Invite agent' }))
    expect((await screen.findByRole('status')).textContent).toBe('notetaker was invited.')
    expect(server.calls('POST /calls/call_1/agent').map((r) => r.body)).toEqual([{ agentName: 'notetaker' }])
  })

  it('says why an invite failed', async () => {
    const user = userEvent.setup()
    const { server } = await connected(() => <AgentPresence agents={['x']} />)
    server.on('POST /calls/call_1/agent', () => ({
      status: 403,
      body: errorBody('FORBIDDEN', 'Agent "x" may not be dispatched here.'),
    }))
    await user.click(screen.getByRole('button', { name: 'Invite agent: x' }))
    expect((await screen.findByRole('status')).textContent).toBe(
      'The agent could not be invited: You are not allowed to do this.',
    )
  })
})

describe('CallControls with agents and transcript', () => {
  it('composes the agent presence, the invite action and the live transcript while the call is live', async () => {
    const user = userEvent.setup()
    const { room, server } = await connected(() => (
      <CallControls agents={['receptionist']} showDevices={false} />
    ))
    server.on('POST /calls/call_1/agent', () => ({ status: 201, body: dispatch('receptionist') }))
    expect(screen.queryByRole('region', { name: 'Live transcript' })).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Invite agent: receptionist' }))
    expect(server.calls('POST /calls/call_1/agent')).toHaveLength(1)
    act(() => {
      room.addParticipant({
        identity: 'agent-1',
        name: 'Receptionist',
        kind: 'agent',
        attributes: { 'lk.agent.state': 'speaking' },
      })
    })
    await say(room, 'agent-1', 'S1', 'Thanks for calling.', true)
    expect(screen.getByRole('region', { name: 'Live transcript' }).textContent).toContain(
      'Thanks for calling.',
    )
    expect(screen.getByText('Receptionist', { selector: '.rl-agent-name' })).toBeTruthy()
    // The caller hangs up: the call ends and the agent block goes away.
    await act(async () => {
      room.removeParticipant(SIP)
      await flush()
    })
    expect(screen.getByRole('group', { name: 'Call controls' }).getAttribute('data-state')).toBe('ended')
    expect(screen.queryByRole('group', { name: 'AI agents on this call' })).toBeNull()
  })
})
