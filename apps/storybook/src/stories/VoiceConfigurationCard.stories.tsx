import { VoiceConfigurationCard } from '@ringline/react'
import { FAKE_VOICE_STATUS } from '@ringline/react/testing'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { ringlineHandlers, storyClient, WithClient } from '../support'

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef'
const AUTH_TOKEN = '0123456789abcdef0123456789abcdef'

async function fill(canvas: ReturnType<typeof within>) {
  await userEvent.type(await canvas.findByLabelText('Account SID'), ACCOUNT)
  await userEvent.type(canvas.getByLabelText('Auth Token'), AUTH_TOKEN)
}

const meta = {
  title: 'Components/VoiceConfigurationCard',
  component: VoiceConfigurationCard,
  // The body loads lazily; the stories show it (the placeholder is covered by the package's tests).
  loaders: [() => VoiceConfigurationCard.preload()],
  render: (args) => (
    <WithClient client={() => storyClient()}>
      <VoiceConfigurationCard {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof VoiceConfigurationCard>

export default meta
type Story = StoryObj<typeof meta>

/** Finding out whether Twilio Voice is configured (`GET /twilio/voice`). */
export const Loading: Story = {
  parameters: { msw: { handlers: ringlineHandlers({}, { hang: ['voiceStatus'] }) } },
}

/** Not configured: two fields, Account SID and Auth Token. */
export const NotConfigured: Story = { parameters: { msw: { handlers: ringlineHandlers({}) } } }

/** Field checks before anything is sent. */
export const FieldErrors: Story = {
  parameters: { msw: { handlers: ringlineHandlers({}) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(await canvas.findByLabelText('Account SID'), 'AC123')
    await userEvent.click(canvas.getByRole('button', { name: 'Configure' }))
    await expect(canvas.getByLabelText('Account SID')).toHaveAttribute('aria-invalid', 'true')
  },
}

/** Configuring: 50 % while Twilio creates the API key and TwiML app. */
export const Configuring: Story = {
  args: { provisioningAfterMs: 0 },
  parameters: { msw: { handlers: ringlineHandlers({}, { hang: ['voiceConfigure'] }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await fill(canvas)
    await userEvent.click(canvas.getByRole('button', { name: 'Configure' }))
    await waitFor(() => expect(canvas.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '50'))
  },
}

/** Done: 100 %, badges from the status check. */
export const Configured: Story = {
  parameters: { msw: { handlers: ringlineHandlers({}) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await fill(canvas)
    await userEvent.click(canvas.getByRole('button', { name: 'Configure' }))
    await waitFor(() => expect(canvas.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100'))
    await expect(canvas.getByText('Set up automatically')).toBeInTheDocument()
  },
}

/** Twilio refused the Auth Token: the message says what to fix. */
export const InvalidCredentials: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ voiceAuthToken: 'f'.repeat(32) }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await fill(canvas)
    await userEvent.click(canvas.getByRole('button', { name: 'Configure' }))
    await expect(await canvas.findByRole('alert')).toHaveTextContent('did not accept')
  },
}

/** Already configured on load: live badges (configured, TwiML app, caller ID, setup method) and "Test connection". */
export const AlreadyConfigured: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ voice: true }) } },
}

/** Configured, but the account has no number to call out from: the caller ID badge warns. */
export const NoCallerId: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ voice: { ...FAKE_VOICE_STATUS, callerId: null } }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(await canvas.findByText(/^No caller ID/)).toHaveAttribute('data-status', 'disconnected')
  },
}

/** "Test connection" minted a Voice token. */
export const ConnectionTested: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ voice: true }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(await canvas.findByRole('button', { name: 'Test connection' }))
    await expect(await canvas.findByText(/Connection works/, { selector: '.rl-success' })).toBeInTheDocument()
  },
}

/** "Test connection" failed: the code's message and fix. */
export const ConnectionFailed: Story = {
  parameters: {
    msw: {
      handlers: ringlineHandlers({
        voice: true,
        failures: { voiceToken: { code: 'NOT_CONFIGURED', message: 'Not configured', status: 503 } },
      }),
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(await canvas.findByRole('button', { name: 'Test connection' }))
    await expect(await canvas.findByRole('alert')).toHaveTextContent('RINGLINE_SECRET_KEY')
  },
}

/** Single-tenant deployment: the settings come from `TWILIO_*` variables and are read-only here. */
export const FromEnvironment: Story = {
  parameters: {
    msw: { handlers: ringlineHandlers({ voice: { ...FAKE_VOICE_STATUS, setupMethod: 'env' } }) },
  },
}

/** Removing asks first. */
export const RemoveConfirmation: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ voice: true }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(await canvas.findByRole('button', { name: 'Remove' }))
    await expect(canvas.getByRole('alertdialog')).toBeInTheDocument()
  },
}

export const Labels: Story = {
  args: { labels: { title: 'Appels vocaux (Twilio)', configure: 'Configurer', accountSid: 'SID du compte' } },
  parameters: { msw: { handlers: ringlineHandlers({}) } },
}

export const RightToLeft: Story = {
  parameters: { dir: 'rtl', msw: { handlers: ringlineHandlers({ voice: true }) } },
}
