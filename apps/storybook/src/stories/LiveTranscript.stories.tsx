import type { TranscriptSegment } from '@ringline/core/protocol'
import { LiveTranscript } from '@ringline/react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, within } from 'storybook/test'
import { storyClient, WithClient } from '../support'

const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 9, 0, s)).toISOString()
const segment = (
  id: string,
  s: number,
  speaker: string,
  kind: TranscriptSegment['speakerKind'],
  text: string,
  final = true,
): TranscriptSegment => ({
  id,
  at: at(s),
  speaker,
  speakerIdentity: speaker.toLowerCase().replace(/\s+/g, '-'),
  speakerKind: kind,
  text,
  final,
})
const conversation: TranscriptSegment[] = [
  segment('s1', 0, 'Caller', 'sip', 'Hi, my kitchen sink is leaking under the cabinet.'),
  segment('s2', 4, 'Bob Agent', 'user', 'Sorry to hear that. Is the water shut off?'),
  segment('s3', 8, 'Caller', 'sip', 'Yes, I closed the valve an hour ago.'),
  segment('s4', 12, 'Assistant', 'agent', 'I can book a plumber for tomorrow morning between 8 and 10.'),
]

const meta = {
  title: 'Components/LiveTranscript',
  component: LiveTranscript,
  // The body loads lazily; load it first so the story (and its play test) renders it at once.
  loaders: [() => LiveTranscript.preload()],
  render: (args) => (
    <WithClient client={() => storyClient()}>
      <LiveTranscript {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof LiveTranscript>

export default meta
type Story = StoryObj<typeof meta>

/** Nothing said yet. */
export const Empty: Story = { args: { segments: [] } }

/** A conversation with a caller, an agent and an AI assistant. */
export const Conversation: Story = {
  args: { segments: conversation },
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByText(/kitchen sink/)).toBeInTheDocument()
  },
}

/** The last line is still being spoken (interim), marked as such. */
export const Interim: Story = {
  args: {
    segments: [...conversation, segment('s5', 16, 'Caller', 'sip', 'Tomorrow works, but could', false)],
  },
}
