import { RecordingPlayer } from '@ringline/react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, within } from 'storybook/test'
import { demoRecordingUrl } from '../support'

const meta = {
  title: 'Components/RecordingPlayer',
  component: RecordingPlayer,
  // The body loads lazily; the stories show it (the placeholder is covered by the package's tests).
  loaders: [() => RecordingPlayer.preload()],
  args: { src: '', durationSeconds: 3, downloadName: 'call-recording.wav' },
  render: (args) => <RecordingPlayer {...args} src={args.src || demoRecordingUrl()} />,
} satisfies Meta<typeof RecordingPlayer>

export default meta
type Story = StoryObj<typeof meta>

/** A short generated recording: play, seek, download. */
export const Default: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByRole('button', { name: 'Play recording' })).toBeEnabled()
    await expect(canvas.getByRole('link', { name: 'Download' })).toHaveAttribute(
      'download',
      'call-recording.wav',
    )
  },
}

/** The duration is known before the file loads (from the call record). */
export const LongCall: Story = { args: { durationSeconds: 1_834 } }

/** The file cannot be loaded: the player says so. */
export const LoadError: Story = { args: { src: 'data:audio/wav;base64,AAAA' } }
