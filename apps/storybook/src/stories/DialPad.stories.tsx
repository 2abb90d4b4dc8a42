import { DialPad } from '@ringline/react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { useState } from 'react'
import { expect, fn, userEvent, within } from 'storybook/test'

const meta = {
  title: 'Components/DialPad',
  component: DialPad,
  args: { onKey: fn(), label: 'Dial pad', zeroHint: 'hold for +' },
} satisfies Meta<typeof DialPad>

export default meta
type Story = StoryObj<typeof meta>

/** The 12-key pad on its own: each key calls `onKey`. */
export const Default: Story = {
  play: async ({ canvasElement, args }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: '5 JKL' }))
    await expect(args.onKey).toHaveBeenCalledWith('5')
  },
}

/** Disabled: no key reacts. */
export const Disabled: Story = { args: { disabled: true } }

/** Holding 0 types +; with `longPressZero={false}` 0 is only 0. */
export const NoLongPress: Story = { args: { longPressZero: false } }

/** Driving a display of your own. */
export const WithDisplay: Story = {
  render: (args) => {
    const [typed, setTyped] = useState('')
    return (
      <div>
        <output aria-label="Typed" style={{ display: 'block', fontSize: '1.5rem', minHeight: '2rem' }}>
          {typed}
        </output>
        <DialPad {...args} onKey={(key) => setTyped((t) => t + key)} />
      </div>
    )
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: '1' }))
    await userEvent.click(canvas.getByRole('button', { name: '#' }))
    await expect(canvas.getByLabelText('Typed')).toHaveTextContent('1#')
  },
}
