import { AgentPresence } from '@ringline/react'
import { createFakeCall } from '@ringline/react/testing'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, within } from 'storybook/test'
import { storyClient, WithClient } from '../support'

const remote = { number: '+14155550123', name: null, contactId: null }

const meta = {
  title: 'Components/AgentPresence',
  component: AgentPresence,
  // The body loads lazily; load it first so the story (and its play test) renders it at once.
  loaders: [() => AgentPresence.preload()],
  render: (args, { parameters }) => (
    <WithClient client={() => storyClient(parameters.client)}>
      <AgentPresence {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof AgentPresence>

export default meta
type Story = StoryObj<typeof meta>

const withAgents = (agents: Parameters<typeof createFakeCall>[0]['agents']) => ({
  client: {
    state: {
      activeCall: createFakeCall({ remote, phase: 'connected', connectedAt: Date.now() - 30_000, agents }),
    },
  },
})

/** One AI agent in the call, speaking. */
export const Speaking: Story = {
  parameters: withAgents([{ identity: 'agent-1', name: 'Support assistant', state: 'speaking' }]),
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByText(/Support assistant/)).toBeInTheDocument()
  },
}

/** Two agents: one thinking, one listening. */
export const TwoAgents: Story = {
  parameters: withAgents([
    { identity: 'agent-1', name: 'Support assistant', state: 'thinking' },
    { identity: 'agent-2', name: 'Note taker', state: 'listening' },
  ]),
}

/** No agent yet: the invite action. */
export const Invite: Story = {
  args: { agents: ['support-assistant', 'note-taker'] },
  parameters: withAgents([]),
}
