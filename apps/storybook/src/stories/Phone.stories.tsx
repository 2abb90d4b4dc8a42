import { CallControls, Dialer, IncomingCallOverlay } from '@ringline/react'
import { createFakeIncomingCall, type FakeCallClient } from '@ringline/react/testing'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { useState } from 'react'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { storyClient, WithClient } from '../support'

/** Dialer, CallControls and the overlay on one simulated client: dial and watch the phases, or ring yourself. */
function PhoneDemo({ stepMs }: { stepMs: number }) {
  const [client] = useState<FakeCallClient>(() => storyClient({ simulate: { stepMs } }))
  return (
    <WithClient client={() => client}>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '1rem', alignItems: 'flex-start' }}>
        <Dialer recentNumbers={['+14155550100', '+442071838750']} />
        <div style={{ display: 'grid', gap: '1rem', flex: '1 1 20rem' }}>
          <CallControls />
          <button
            type="button"
            className="rl-button"
            onClick={() =>
              client.setState((s) => ({
                incoming: [...s.incoming, createFakeIncomingCall({ from: '+14155550199' })],
              }))
            }
          >
            Simulate an incoming call
          </button>
        </div>
      </div>
      <IncomingCallOverlay notifications={false} resolveCaller={async () => ({ name: 'Grace Hopper' })} />
    </WithClient>
  )
}

const meta = {
  title: 'Examples/Phone',
  component: PhoneDemo,
  tags: ['!autodocs'],
  args: { stepMs: 800 },
} satisfies Meta<typeof PhoneDemo>

export default meta
type Story = StoryObj<typeof meta>

/** Type a number and press Enter: requesting → dialing → ringing → connected. */
export const Playground: Story = {}

/** The same flow, driven by the play function. */
export const DialFlow: Story = {
  args: { stepMs: 20 },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(canvas.getByRole('textbox', { name: 'Phone number' }), '4155550123{Enter}')
    const controls = canvas.getByRole('group', { name: 'Call controls' })
    await waitFor(() => expect(controls).toHaveAttribute('data-state', 'connected'), { timeout: 3000 })
    await userEvent.click(canvas.getByRole('button', { name: 'Hang up' }))
    await expect(controls).toHaveAttribute('data-state', 'ended')
  },
}
