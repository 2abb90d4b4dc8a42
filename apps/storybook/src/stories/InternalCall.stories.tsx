import { networkWarningText } from '@ringline/core'
import { InternalCall, type ParticipantState } from '@ringline/react'
import { createFakeCall } from '@ringline/react/testing'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, within } from 'storybook/test'
import { LONG_NAME, storyClient, WithClient } from '../support'

const person = (identity: string, name: string, over: Partial<ParticipantState> = {}): ParticipantState => ({
  identity,
  name,
  kind: 'user',
  isLocal: false,
  speaking: false,
  muted: false,
  sipStatus: null,
  attributes: {},
  ...over,
})

const room = (
  phase: 'connected' | 'reconnecting' | 'connecting',
  participants: ParticipantState[],
  extra: Partial<Parameters<typeof createFakeCall>[0]> = {},
  state: Record<string, unknown> = {},
) => ({
  client: {
    state: {
      activeCall: createFakeCall({
        direction: 'internal',
        phase,
        ...(phase === 'connecting' ? {} : { connectedAt: Date.now() - 60_000 }),
        ...(phase === 'reconnecting' ? { since: Date.now() } : {}),
        remote: { number: null, name: 'daily-standup', contactId: null },
        roomName: 'int-demo-daily-standup',
        participants,
        ...extra,
      } as Parameters<typeof createFakeCall>[0]),
      ...state,
    },
  },
})

const team = [
  person('me', 'Ada', { isLocal: true }),
  person('u2', 'Grace Hopper', { speaking: true }),
  person('u3', 'Linus', { muted: true }),
]

const meta = {
  title: 'Components/InternalCall',
  component: InternalCall,
  // The body loads lazily; the stories show it (the placeholder is covered by the package's tests).
  loaders: [() => InternalCall.preload()],
  render: (args, { parameters }) => (
    <WithClient client={() => storyClient(parameters.client)}>
      <InternalCall {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof InternalCall>

export default meta
type Story = StoryObj<typeof meta>

/** Room name and display name form. */
export const JoinForm: Story = {}

/** Join a room; the fake client connects at once. */
export const JoinAndTalk: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(canvas.getByLabelText('Room name'), 'Daily Standup')
    await userEvent.type(canvas.getByLabelText('Your name'), 'Ada')
    await userEvent.click(canvas.getByRole('button', { name: 'Join room' }))
    await expect(await canvas.findByRole('region', { name: 'Room daily-standup' })).toBeInTheDocument()
  },
}

/** Waiting for the join request. */
export const Joining: Story = {
  args: { defaultRoomName: 'ops' },
  parameters: { client: { hang: ['joinRoom'] } },
  play: async ({ canvasElement }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Join room' }))
  },
}

export const Connecting: Story = { parameters: room('connecting', [person('me', 'Ada', { isLocal: true })]) }

/** In the room: Grace speaks, Linus is muted. */
export const InRoom: Story = { args: { canEnd: true }, parameters: room('connected', team) }

export const Reconnecting: Story = { parameters: room('reconnecting', team) }

/** A poor network: the warning is text in a status region, not only a colour. */
export const PoorNetwork: Story = {
  parameters: room('connected', team, {
    networkWarnings: [
      {
        name: 'poor-network',
        side: 'local',
        text: networkWarningText['poor-network'].local,
        since: Date.now() - 4_000,
      },
    ],
  }),
  play: async ({ canvasElement }) => {
    const region = canvasElement.querySelector('.rl-network-warnings')
    await expect(region).toHaveAttribute('role', 'status')
    await expect(region).toHaveTextContent('Your network connection is poor')
  },
}

/** The browser blocks autoplay: the room shows the "Enable sound" step. */
export const SoundBlocked: Story = {
  parameters: room('connected', team, {}, { audio: { readiness: 'blocked', ringtone: false } }),
}

/** The microphone is blocked: joining still works, others will not hear. */
export const PermissionDenied: Story = {
  args: { defaultRoomName: 'ops' },
  parameters: { client: { state: { permission: 'denied' } } },
}

/** Join refused by the server. */
export const JoinError: Story = {
  args: { defaultRoomName: 'ops' },
  parameters: {
    client: { errors: { joinRoom: Object.assign(new Error('Forbidden'), { code: 'FORBIDDEN' }) } },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Join room' }))
    await expect(await canvas.findByRole('alert')).toHaveTextContent('not allowed')
  },
}

/** Back to the form after leaving. */
export const Left: Story = {
  parameters: {
    client: {
      state: {
        activeCall: createFakeCall({
          direction: 'internal',
          phase: 'ended',
          endReason: 'remote-hangup',
          endedAt: Date.now(),
          connectedAt: Date.now() - 60_000,
          remote: { number: null, name: 'ops', contactId: null },
        }),
      },
    },
  },
}

export const ManyParticipants: Story = {
  parameters: room(
    'connected',
    Array.from({ length: 14 }, (_, i) =>
      person(`u${i}`, `Teammate ${i + 1}`, { speaking: i === 3, muted: i % 4 === 0, isLocal: i === 0 }),
    ),
  ),
}

export const LongNames: Story = {
  parameters: room('connected', [
    person('me', LONG_NAME, { isLocal: true }),
    person('u2', LONG_NAME, { speaking: true }),
  ]),
}

export const Labels: Story = {
  args: { labels: { join: 'Rejoindre', roomName: 'Nom du salon', yourName: 'Votre nom' } },
}

export const RightToLeft: Story = {
  parameters: {
    ...room('connected', [person('me', 'سارة', { isLocal: true }), person('u2', 'عمر', { speaking: true })]),
    dir: 'rtl',
  },
}

/** A support room with its AI agent present (speaking), and the "Invite agent" action for another agent. */
export const WithAgent: Story = {
  args: { kind: 'support', agents: ['note-taker'], showDevices: false },
  parameters: room(
    'connected',
    [
      person('me', 'Ada', { isLocal: true }),
      person('agent-1', 'Support assistant', { kind: 'agent', speaking: true }),
    ],
    { id: 'room_support', agents: [{ identity: 'agent-1', name: 'Support assistant', state: 'speaking' }] },
  ),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByRole('group', { name: 'AI agents on this call' })).toHaveAttribute(
      'data-state',
      'present',
    )
    await userEvent.click(canvas.getByRole('button', { name: 'Invite agent: note-taker' }))
    await expect(await canvas.findByText('note-taker was invited.')).toHaveAttribute('role', 'status')
  },
}

/** A room kind without an agent yet: only the invite action. */
export const InviteAgent: Story = {
  args: { kind: 'support', agents: ['support-agent', 'note-taker'], showDevices: false },
  parameters: room('connected', [person('me', 'Ada', { isLocal: true })], { id: 'room_support' }),
}
