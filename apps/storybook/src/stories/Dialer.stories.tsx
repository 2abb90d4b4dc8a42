import { Dialer } from '@ringline/react'
import { createFakeCall } from '@ringline/react/testing'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { storyClient, WithClient } from '../support'

const meta = {
  title: 'Components/Dialer',
  component: Dialer,
  args: { defaultCountry: 'US' },
  render: (args, { parameters }) => (
    <WithClient client={() => storyClient(parameters.client)}>
      <Dialer {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof Dialer>

export default meta
type Story = StoryObj<typeof meta>

/** Empty, ready to type or click. */
export const Idle: Story = {}

/** A valid number typed: formatted as you type, Enter calls. */
export const Ready: Story = { args: { defaultValue: '4155550123' } }

/** Typing on the keyboard while a pad key has focus goes to the number. */
export const Typing: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: '4 GHI' }))
    await userEvent.keyboard('15555')
    // Formatting metadata loads on first use: the formatted value follows the digits.
    await waitFor(() =>
      expect(canvas.getByRole('textbox', { name: 'Phone number' })).toHaveValue('(415) 555'),
    )
  },
}

/** Another default country: national French numbers. */
export const France: Story = { args: { defaultCountry: 'FR', defaultValue: '0612345678' } }

/** Recent numbers offered below the pad. */
export const RecentNumbers: Story = {
  args: { recentNumbers: ['+14155550100', '+442071838750', '+33612345678'] },
}

/** A dial in flight. */
export const Calling: Story = {
  args: { defaultValue: '4155550123' },
  parameters: { client: { hang: ['dial'] } },
  play: async ({ canvasElement }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Call' }))
  },
}

/** Disabled: microphone blocked, with the reason. */
export const NoMicrophone: Story = { parameters: { client: { state: { permission: 'denied' } } } }

/** Disabled: the server has no phone setup. */
export const NotConfigured: Story = { parameters: { client: { state: { configured: false } } } }

/** Disabled during another call; the button says "In a call" once it is connected. */
export const InCall: Story = {
  play: async ({ canvasElement }) => {
    await expect(canvasElement.querySelector('.rl-dialer')).toHaveAttribute('data-state', 'in-call')
    await expect(within(canvasElement).getByRole('button', { name: 'In a call' })).toBeDisabled()
  },
  parameters: {
    client: {
      state: {
        activeCall: createFakeCall({
          phase: 'connected',
          connectedAt: Date.now(),
          remote: { number: '+14155550123', name: null, contactId: null },
        }),
      },
    },
  },
}

/** The server refused the number. */
export const DialError: Story = {
  args: { defaultValue: '4155550123' },
  parameters: {
    client: {
      errors: {
        dial: Object.assign(new Error('This destination is not allowed for your workspace.'), {
          code: 'DESTINATION_NOT_ALLOWED',
        }),
      },
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Call' }))
    await expect(await canvas.findByRole('alert')).toHaveTextContent('not allowed')
  },
}

/** Texts replaced through `labels`. */
export const Labels: Story = {
  args: {
    labels: { call: 'Appeler', numberLabel: 'Numéro', placeholder: 'Saisir un numéro', dialPad: 'Clavier' },
    defaultCountry: 'FR',
  },
}

/** Right-to-left page in Arabic: the layout mirrors, the number and the keypad stay left to right. */
export const RightToLeft: Story = {
  args: { defaultValue: '4155550123', recentNumbers: ['+14155550100'] },
  parameters: { locale: 'ar' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const input = canvas.getByRole('textbox', { name: 'رقم الهاتف' })
    await expect(input.closest('[dir="rtl"]')).not.toBeNull()
    await expect(input).toHaveAttribute('dir', 'ltr')
    await expect(canvas.getByRole('group', { name: 'لوحة الاتصال' })).toHaveAttribute('dir', 'ltr')
    await expect(canvas.getByRole('button', { name: 'اتصال' })).toBeEnabled()
  },
}

/** The shipped German catalogue (`@ringline/react/locales/de`) through the provider. */
export const German: Story = {
  args: { defaultValue: '030 1234567', defaultCountry: 'DE' },
  parameters: { locale: 'de' },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByRole('textbox', { name: 'Telefonnummer' })).toHaveValue('030 1234567')
    await expect(canvas.getByRole('button', { name: 'Anrufen' })).toBeEnabled()
  },
}
