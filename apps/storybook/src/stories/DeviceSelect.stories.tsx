import { DeviceSelect } from '@ringline/react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, within } from 'storybook/test'
import { storyClient, WithClient } from '../support'

const meta = {
  title: 'Components/DeviceSelect',
  component: DeviceSelect,
  render: (args, { parameters }) => (
    <WithClient client={() => storyClient(parameters.client)}>
      <DeviceSelect {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof DeviceSelect>

export default meta
type Story = StoryObj<typeof meta>

/** On its own, bound to the client's microphones: choosing one selects it (and it is remembered). */
export const Microphone: Story = {
  args: { kind: 'audioinput' },
  play: async ({ canvasElement }) => {
    const select = within(canvasElement).getByLabelText('Microphone')
    await userEvent.selectOptions(select, 'usb')
    await expect(select).toHaveValue('usb')
  },
}

/** The client's speakers. */
export const Speaker: Story = { args: { kind: 'audiooutput' } }

/** No device yet (permission not given, nothing plugged in). */
export const NoDevices: Story = {
  args: { kind: 'audioinput' },
  parameters: {
    client: {
      state: {
        devices: {
          audioinput: [],
          audiooutput: [],
          selected: { audioinput: null, audiooutput: null },
          canSelectOutput: true,
          notice: null,
        },
      },
    },
  },
}

/** As a plain select with its own list. */
export const Plain: Story = {
  args: {
    label: 'Ringtone on',
    devices: [
      { deviceId: 'default', label: 'Default speakers' },
      { deviceId: 'desk', label: 'Desk speakers' },
    ],
    value: 'desk',
    onChange: () => {},
  },
}
