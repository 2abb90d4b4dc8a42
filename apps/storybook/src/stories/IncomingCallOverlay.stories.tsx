import { IncomingCallOverlay, type NotificationsAdapter } from '@ringline/react'
import { createFakeIncomingCall } from '@ringline/react/testing'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { LONG_NAME, storyClient, WithClient } from '../support'

const ringing = (from: string | null = '+14155550123', id = 'call_1') => createFakeIncomingCall({ id, from })
const noNotifications = false as const
const promptNotifications: NotificationsAdapter = {
  permission: () => 'default',
  request: async () => 'granted',
  show: () => {},
}

const meta = {
  title: 'Components/IncomingCallOverlay',
  component: IncomingCallOverlay,
  args: { notifications: noNotifications },
  parameters: { docs: { story: { inline: false, iframeHeight: 320 } } },
  render: (args, { parameters }) => (
    <WithClient client={() => storyClient(parameters.client)}>
      <p>Page content behind the overlay.</p>
      <IncomingCallOverlay {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof IncomingCallOverlay>

export default meta
type Story = StoryObj<typeof meta>

/** One call ringing: focus on Answer, Enter answers, Esc declines. */
export const Ringing: Story = { parameters: { client: { state: { incoming: [ringing()] } } } }

/** The caller resolved to a contact with an avatar-less initials badge. */
export const KnownCaller: Story = {
  args: { resolveCaller: async () => ({ name: 'Ada Lovelace', avatarUrl: null }) },
  parameters: { client: { state: { incoming: [ringing()] } } },
}

/** No caller id. */
export const UnknownCaller: Story = { parameters: { client: { state: { incoming: [ringing(null)] } } } }

/** Two calls at once: stacked, each with its own Answer / Decline. */
export const TwoCalls: Story = {
  parameters: {
    client: { state: { incoming: [ringing('+14155550123', 'a'), ringing('+442071838750', 'b')] } },
  },
}

/** A colleague answered it while it rang here: the card says who (`resolveUser` gives the name). */
export const AnsweredByColleague: Story = {
  args: { currentUserId: 'alice', resolveUser: (id) => (id === 'bob' ? 'Bob Agent' : undefined) },
  parameters: {
    client: {
      state: {
        incoming: [
          createFakeIncomingCall({
            id: 'c',
            phase: 'ended',
            endReason: 'answered-elsewhere',
            answeredBy: 'bob',
          }),
        ],
      },
    },
  },
}

/** You answered it on another device (or who answered is not known). */
export const AnsweredElsewhere: Story = {
  parameters: {
    client: {
      state: {
        incoming: [createFakeIncomingCall({ id: 'c', phase: 'ended', endReason: 'answered-elsewhere' })],
      },
    },
  },
}

/** The caller hung up or the ring timed out. */
export const Missed: Story = {
  parameters: {
    client: {
      state: { incoming: [createFakeIncomingCall({ id: 'c', phase: 'ended', endReason: 'missed' })] },
    },
  },
}

/** The browser blocked the ringtone: one click enables sound. */
export const AutoplayBlocked: Story = {
  parameters: { client: { state: { incoming: [ringing()], audio: { readiness: 'blocked' } } } },
}

/** Offer system notifications for background tabs. */
export const NotificationPrompt: Story = {
  args: { notifications: promptNotifications },
  parameters: { client: { state: { incoming: [ringing()] } } },
}

export const LongName: Story = {
  args: { resolveCaller: async () => ({ name: LONG_NAME }) },
  parameters: { client: { state: { incoming: [ringing()] } } },
}

export const Labels: Story = {
  args: { labels: { answer: 'Décrocher', decline: 'Refuser', title: 'Appel entrant' }, defaultCountry: 'FR' },
  parameters: { client: { state: { incoming: [ringing('+33612345678')] } } },
}

export const RightToLeft: Story = {
  args: { resolveCaller: async () => ({ name: 'سارة أحمد' }) },
  parameters: { client: { state: { incoming: [ringing()] } }, dir: 'rtl' },
}
