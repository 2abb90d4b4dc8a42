import { EnableSound } from '@ringline/react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, within } from 'storybook/test'
import { storyClient, WithClient } from '../support'

const blocked = { client: { state: { audio: { readiness: 'blocked' as const, ringtone: false } } } }

const meta = {
  title: 'Components/EnableSound',
  component: EnableSound,
  parameters: blocked,
  render: (args, { parameters }) => (
    <WithClient client={() => storyClient(parameters.client)}>
      <EnableSound {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof EnableSound>

export default meta
type Story = StoryObj<typeof meta>

/** The browser blocks autoplay (no click on the page yet): the step says why and offers the button. */
export const Blocked: Story = {}

/** Own texts. */
export const CustomLabels: Story = {
  args: { labels: { blocked: 'Le navigateur bloque le son.', enable: 'Activer le son' } },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByRole('button', { name: 'Activer le son' })).toBeVisible()
  },
}

/** Clicking the button unblocks sound; the step goes away (the wrapper stays to show it). */
export const Enabling: Story = {
  render: (args, { parameters }) => (
    <WithClient client={() => storyClient(parameters.client)}>
      <div className="rl-enable-sound-demo" data-state="demo">
        <EnableSound {...args} />
      </div>
    </WithClient>
  ),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Enable sound' }))
    await expect(canvas.queryByRole('button', { name: 'Enable sound' })).toBeNull()
  },
}
