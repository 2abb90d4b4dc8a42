import { networkWarningText } from '@ringline/core'
import { AgentPresence, CallControls, type EndReason, LiveTranscript } from '@ringline/react'
import { createFakeCall } from '@ringline/react/testing'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, within } from 'storybook/test'
import { LONG_NAME, storyClient, WithClient } from '../support'

type CallInit = Parameters<typeof createFakeCall>[0]

const remote = { number: '+14155550123', name: null, contactId: null }
const withCall = (init: CallInit) => ({
  client: { state: { activeCall: createFakeCall({ remote, ...init }) } },
})
const ago = (ms: number) => Date.now() - ms

const meta = {
  title: 'Components/CallControls',
  component: CallControls,
  // The agents' panel and the transcript load lazily; load them first so the stories (and their play tests) render
  // them at once.
  loaders: [() => Promise.all([AgentPresence.preload(), LiveTranscript.preload()])],
  render: (args, { parameters }) => (
    <WithClient client={() => storyClient(parameters.client)}>
      <CallControls {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof CallControls>

export default meta
type Story = StoryObj<typeof meta>

/** No call: everything disabled. */
export const Idle: Story = {}
export const Requesting: Story = { parameters: withCall({ phase: 'requesting', id: null }) }
export const Dialing: Story = { parameters: withCall({ phase: 'dialing' }) }
export const Ringing: Story = { parameters: withCall({ phase: 'ringing' }) }
export const Connecting: Story = { parameters: withCall({ phase: 'connecting' }) }
/** Connected: the timer runs. */
export const Connected: Story = { parameters: withCall({ phase: 'connected', connectedAt: ago(83_000) }) }
export const Muted: Story = {
  parameters: withCall({ phase: 'connected', connectedAt: ago(5_000), muted: true }),
}
/** Muted, and the microphone hears the agent talking: they are told nobody hears them. */
export const SpeakingWhileMuted: Story = {
  parameters: withCall({
    phase: 'connected',
    connectedAt: ago(20_000),
    muted: true,
    speakingWhileMuted: true,
  }),
}
export const OnHold: Story = {
  parameters: withCall({ phase: 'connected', connectedAt: ago(45_000), onHold: true }),
}
/** The network dropped; LiveKit is reconnecting. */
export const Reconnecting: Story = {
  parameters: withCall({ phase: 'reconnecting', connectedAt: ago(120_000), since: ago(3_000) }),
}

/** Network warnings raised (the other side's line is poor, and there is a delay): text, not only colour. */
export const NetworkWarnings: Story = {
  parameters: withCall({
    phase: 'connected',
    connectedAt: ago(95_000),
    networkWarnings: [
      {
        name: 'poor-network',
        side: 'remote',
        text: networkWarningText['poor-network'].remote,
        since: ago(6_000),
      },
      {
        name: 'high-latency',
        side: 'local',
        text: networkWarningText['high-latency'].local,
        since: ago(4_000),
      },
    ],
  }),
  play: async ({ canvasElement }) => {
    const warnings = canvasElement.querySelectorAll('.rl-network-warning')
    await expect(warnings).toHaveLength(2)
    await expect(warnings[0]).toHaveTextContent("The other side's connection is poor")
  },
}

/** The browser blocks the call's audio (autoplay): the "Enable sound" step is shown. */
export const SoundBlocked: Story = {
  parameters: {
    client: {
      state: {
        activeCall: createFakeCall({ remote, phase: 'connected', connectedAt: ago(10_000) }),
        audio: { readiness: 'blocked' as const, ringtone: false },
      },
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Enable sound' }))
    await expect(canvas.queryByRole('button', { name: 'Enable sound' })).toBeNull()
  },
}

/** Keypad open, tones sent. */
export const Keypad: Story = {
  args: { defaultKeypadOpen: true },
  parameters: withCall({ phase: 'connected', connectedAt: ago(30_000), dtmf: { sent: '12#', received: '' } }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: '5 JKL' }))
    await expect(canvas.getByRole('button', { name: 'Keypad' })).toHaveAttribute('aria-expanded', 'true')
  },
}

/** Transfer in flight. */
export const Transferring: Story = {
  parameters: withCall({
    phase: 'connected',
    connectedAt: ago(60_000),
    transfer: { to: '+14155550199', status: 'pending', error: null },
  }),
  play: async ({ canvasElement }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Transfer' }))
  },
}

export const TransferFailed: Story = {
  parameters: withCall({
    phase: 'connected',
    connectedAt: ago(60_000),
    transfer: {
      to: '+14155550199',
      status: 'failed',
      error: { code: 'TRANSFER_FAILED', message: 'The carrier refused the transfer.' },
    },
  }),
  play: async ({ canvasElement }) => {
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Transfer' }))
  },
}

const ended = (endReason: EndReason): Story => ({
  parameters: withCall({ phase: 'ended', endReason, endedAt: Date.now(), connectedAt: ago(95_000) }),
})
export const EndedLocalHangup = ended('local-hangup')
export const EndedRemoteHangup = ended('remote-hangup')
export const EndedBusy = ended('busy')
export const EndedNoAnswer = ended('no-answer')
export const EndedDeclined = ended('declined')
export const EndedCanceled = ended('canceled')
export const EndedAnsweredElsewhere = ended('answered-elsewhere')
export const EndedMissed = ended('missed')

export const Failed: Story = {
  parameters: withCall({
    phase: 'failed',
    error: { code: 'SIP_FAILED', message: 'The carrier rejected the call (SIP 503).' },
    endedAt: Date.now(),
    connectedAt: null,
  }),
}

/** A team-room call: no hold, keypad or transfer. */
export const InternalRoom: Story = {
  parameters: withCall({
    phase: 'connected',
    direction: 'internal',
    connectedAt: ago(10_000),
    remote: { number: null, name: 'daily-standup', contactId: null },
  }),
}

const defaultMicrophone = {
  deviceId: 'default',
  groupId: 'g',
  label: 'Default microphone',
  kind: 'audioinput',
}

/** A connected call with these devices in the client's state. */
const withDevices = (devices: Record<string, unknown>) => ({
  client: {
    state: {
      activeCall: createFakeCall({ remote, phase: 'connected', connectedAt: ago(10_000) }),
      devices: { audioinput: [defaultMicrophone], notice: null, ...devices },
    },
  },
})

/** The browser cannot pick the output device (no setSinkId). */
export const NoOutputSelection: Story = {
  parameters: withDevices({
    audiooutput: [],
    selected: { audioinput: 'default', audiooutput: null },
    canSelectOutput: false,
  }),
}

/** The chosen headset was unplugged mid-call: the default microphone took over, and the user is told. */
export const HeadsetUnplugged: Story = {
  parameters: withDevices({
    audiooutput: [{ deviceId: 'default', groupId: 'g', label: 'Default speakers', kind: 'audiooutput' }],
    selected: { audioinput: null, audiooutput: null },
    canSelectOutput: true,
    notice: { type: 'fell-back', kind: 'audioinput', label: 'USB headset' },
  }),
  play: async ({ canvasElement }) => {
    const notice = within(canvasElement).getByText('USB headset was disconnected; using the default device.')
    await expect(notice.getAttribute('role')).toBe('status')
    await expect(notice.dataset.state).toBe('fell-back')
  },
}

export const LongName: Story = {
  parameters: withCall({
    phase: 'connected',
    connectedAt: ago(3_725_000),
    remote: { number: '+14155550123', name: LONG_NAME, contactId: 'c1' },
  }),
}

export const Labels: Story = {
  args: { labels: { hangup: 'Raccrocher', mute: 'Couper le micro', phases: { connected: 'En ligne' } } },
  parameters: withCall({ phase: 'connected', connectedAt: ago(12_000) }),
}

export const RightToLeft: Story = {
  parameters: { ...withCall({ phase: 'connected', connectedAt: ago(12_000) }), dir: 'rtl' },
}

const line = (
  id: string,
  speaker: string,
  speakerKind: 'sip' | 'agent',
  text: string,
  final: boolean,
  s: number,
) => ({
  id,
  at: new Date(ago(60_000 - s * 1000)).toISOString(),
  speaker,
  speakerIdentity: speaker,
  speakerKind,
  text,
  final,
})

/** An AI agent answered: its state, the live transcript (the last line still interim), and "invite agent". */
export const WithAgentAndTranscript: Story = {
  args: { agents: ['receptionist', 'notetaker'], showDevices: false },
  parameters: withCall({
    phase: 'connected',
    connectedAt: ago(60_000),
    agents: [{ identity: 'agent-receptionist', name: 'Receptionist', state: 'speaking' }],
    transcript: [
      line('S1', 'Receptionist', 'agent', 'Thanks for calling Acme, how can I help?', true, 1),
      line('S2', '+1 415 555 0123', 'sip', 'Hi, I would like to move my appointment to Friday.', true, 6),
      line('S3', 'Receptionist', 'agent', 'Let me check what we have on Fri', false, 12),
    ],
  }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByRole('region', { name: 'Live transcript' })).toBeInTheDocument()
    await expect(canvas.getByRole('group', { name: 'AI agents on this call' })).toHaveAttribute(
      'data-state',
      'present',
    )
    await userEvent.click(canvas.getByRole('button', { name: 'Invite agent' }))
    await expect(await canvas.findByText('receptionist was invited.')).toHaveAttribute('role', 'status')
  },
}

/** No agent yet: only the invite action, for one offered agent. */
export const InviteAgent: Story = {
  args: { agents: ['receptionist'], showDevices: false },
  parameters: withCall({ phase: 'connected', connectedAt: ago(20_000) }),
}
