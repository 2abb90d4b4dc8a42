import type { TwilioIntegration, TwilioNumber } from '@ringline/core/protocol'
import { VoiceSettingsCard } from '@ringline/react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { ringlineHandlers, storyClient, WithClient } from '../support'

const numbers: TwilioNumber[] = [
  {
    sid: 'PN01',
    e164: '+14155550100',
    friendlyName: 'Main line',
    voiceCapable: true,
    trunkSid: null,
    connected: false,
  },
  {
    sid: 'PN02',
    e164: '+14155550111',
    friendlyName: 'Support',
    voiceCapable: true,
    trunkSid: null,
    connected: false,
  },
  {
    sid: 'PN03',
    e164: '+14155550122',
    friendlyName: 'SMS only',
    voiceCapable: false,
    trunkSid: null,
    connected: false,
  },
]
const integration: TwilioIntegration = {
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  apiKeySid: 'SK0123456789abcdef0123456789abcdef',
  apiKeySecretMasked: '••••9f2a',
  status: 'saved',
  updatedAt: '2026-11-20T10:00:00Z',
}
const creds = {
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  apiKeySid: 'SK0123456789abcdef0123456789abcdef',
  apiKeySecret: 'a-very-secret-key-9f2a',
}

async function fill(canvas: ReturnType<typeof within>) {
  await userEvent.type(await canvas.findByLabelText('Account SID'), creds.accountSid)
  await userEvent.type(canvas.getByLabelText('API key SID'), creds.apiKeySid)
  await userEvent.type(canvas.getByLabelText('API key secret'), creds.apiKeySecret)
}

async function pickAndConnect(canvas: ReturnType<typeof within>) {
  await userEvent.click(await canvas.findByRole('radio', { name: /555-0100/ }))
  await userEvent.click(canvas.getByRole('button', { name: 'Connect number' }))
}

const meta = {
  title: 'Components/VoiceSettingsCard',
  component: VoiceSettingsCard,
  // The body loads lazily; the stories show it (the placeholder is covered by the package's tests).
  loaders: [() => VoiceSettingsCard.preload()],
  render: (args) => (
    <WithClient client={() => storyClient()}>
      <VoiceSettingsCard {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof VoiceSettingsCard>

export default meta
type Story = StoryObj<typeof meta>

/** Finding out whether credentials are stored. */
export const Loading: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ numbers }, { hang: ['numbers'] }) } },
}

/** Step 1: no credentials yet. */
export const Credentials: Story = { parameters: { msw: { handlers: ringlineHandlers({ numbers }) } } }

/** Step 2: verified, ready to save. */
export const Verified: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ numbers }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await fill(canvas)
    await userEvent.click(canvas.getByRole('button', { name: 'Verify' }))
    await waitFor(() => expect(canvas.getByRole('button', { name: 'Save and continue' })).toBeEnabled())
  },
}

/** Twilio rejected the key: the message says what to fix. */
export const InvalidCredentials: Story = {
  parameters: {
    msw: {
      handlers: ringlineHandlers({
        numbers,
        failures: { verifyCredentials: { code: 'AUTH_INVALID', message: 'Authenticate', status: 401 } },
      }),
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await fill(canvas)
    await userEvent.click(canvas.getByRole('button', { name: 'Verify' }))
    await expect(await canvas.findByRole('alert')).toHaveTextContent('did not accept')
  },
}

/** Field checks before anything is sent. */
export const FieldErrors: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ numbers }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(await canvas.findByLabelText('Account SID'), 'AC123')
    await userEvent.click(canvas.getByRole('button', { name: 'Verify' }))
  },
}

/** Step 3: pick a number. */
export const Numbers: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ numbers, integration }) } },
}

export const NoNumbers: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ numbers: [], integration }) } },
}

/** Step 4: connecting, at 50 % while the trunk is created. */
export const Connecting: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ numbers, integration }, { hang: ['connect'] }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await pickAndConnect(canvas)
    await waitFor(() => expect(canvas.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '50'))
  },
}

const connectedNumbers = numbers.map((n, i) =>
  i === 0 ? { ...n, connected: true, trunkSid: 'TK00000000000000000000000000000001' } : n,
)

/**
 * Connected: trunk SID, SIP target and "last call seen" appear on their own (a quiet status read on load, no click);
 * the checklist waits for the test calls on `/events`.
 */
export const Connected: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ numbers: connectedNumbers, integration }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(await canvas.findByText('Trunk SID')).toBeInTheDocument()
    await expect(canvas.getByText('TK00000000000000000000000000000001')).toBeInTheDocument()
    await expect(canvas.getByText('sip:127.0.0.1:5060')).toBeInTheDocument()
    await expect(canvas.getByText('No call yet')).toBeInTheDocument()
    // Read quietly: no busy card, no error banner.
    await expect(canvasElement.querySelector('section')).not.toHaveAttribute('aria-busy')
    await expect(canvas.queryByRole('alert')).toBeNull()
  },
}

/** Connected by hand: the progress reaches 100 % and the details follow. */
export const ConnectedNow: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ numbers, integration }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await pickAndConnect(canvas)
    await waitFor(() => expect(canvas.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100'))
    await expect(await canvas.findByText('Trunk SID')).toBeInTheDocument()
  },
}

/** Reading a connected number's status on load failed: a note on the number, no banner, the card stays usable. */
export const StatusReadFailed: Story = {
  parameters: {
    msw: {
      handlers: ringlineHandlers({
        numbers: connectedNumbers,
        integration,
        failures: { numberStatus: { code: 'UPSTREAM_ERROR', message: 'Twilio answered 503', status: 502 } },
      }),
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(await canvas.findByText(/Could not load the latest details/)).toBeInTheDocument()
    await expect(canvas.queryByRole('alert')).toBeNull()
  },
}

/** Already connected on load. */
export const AlreadyConnected: Story = {
  parameters: {
    msw: {
      handlers: ringlineHandlers({
        numbers: numbers.map((n, i) => (i === 0 ? { ...n, connected: true, trunkSid: 'TK1' } : n)),
        integration,
      }),
    },
  },
}

/** Connect failed: the step, the reason and the fix. */
export const ConnectFailed: Story = {
  parameters: {
    msw: {
      handlers: ringlineHandlers({
        numbers,
        integration,
        failures: {
          connectNumber: { code: 'TRUNKING_NOT_ENABLED', message: 'Trunking disabled', status: 409 },
        },
      }),
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await pickAndConnect(canvas)
    await expect(await canvas.findByRole('alert')).toHaveTextContent('Elastic SIP Trunking')
  },
}

/** Someone changed the trunk in the Twilio Console. */
export const Drift: Story = {
  parameters: { msw: { handlers: ringlineHandlers({ numbers, integration, connectResult: 'drift' }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await pickAndConnect(canvas)
    await expect(await canvas.findByText('Changed in Twilio')).toBeInTheDocument()
  },
}

/** Disconnect asks first. */
export const DisconnectConfirmation: Story = {
  parameters: {
    msw: {
      handlers: ringlineHandlers({
        numbers: numbers.map((n, i) => (i === 0 ? { ...n, connected: true } : n)),
        integration,
      }),
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(await canvas.findByRole('button', { name: 'Disconnect' }))
    await expect(canvas.getByRole('alertdialog')).toBeInTheDocument()
  },
}

export const Labels: Story = {
  args: { labels: { title: 'Numéros de téléphone', verify: 'Vérifier', accountSid: 'SID du compte' } },
  parameters: { msw: { handlers: ringlineHandlers({ numbers }) } },
}

export const RightToLeft: Story = {
  parameters: { dir: 'rtl', msw: { handlers: ringlineHandlers({ numbers, integration }) } },
}
