import type { ReadinessReport, ReadinessStep } from '@ringline/core'
import { ReadyCheck } from '@ringline/react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { storyClient, WithClient } from '../support'

const step = (
  name: ReadinessStep['name'],
  state: ReadinessStep['state'],
  message: string,
  fix: string | null = null,
): ReadinessStep => ({ name, state, message, fix })

const report = (steps: ReadinessStep[], over: Partial<ReadinessReport> = {}): ReadinessReport => {
  const failed = steps.some((s) => s.state === 'failed')
  const checking = steps.some((s) => s.state === 'running' || s.state === 'pending')
  const warned = steps.some((s) => s.state === 'warning')
  return {
    verdict: failed ? 'not-ready' : checking ? 'checking' : warned ? 'degraded' : 'ready',
    steps,
    reasons: steps.filter((s) => s.state === 'failed' || s.state === 'warning').map((s) => s.message),
    permission: 'granted',
    level: 0,
    connection: { connectMs: 180, publishMs: 90, rttMs: 42 },
    ...over,
  }
}

const allowed = step('permission', 'passed', 'The microphone is allowed.')
const signal = step('microphone', 'passed', '“USB headset” picks up sound.')
const tone = step(
  'speaker',
  'passed',
  'A test tone played.',
  'If you did not hear it, check the volume and the speaker chosen, then play it again.',
)
const connected = step(
  'connection',
  'passed',
  'Connected to the call server and sent audio (round trip 42 ms).',
)

const READY = report([allowed, signal, tone, connected])

/** A check that replays the steps of a working setup, so "Run the check" works in the story. */
const replay =
  (final: ReadinessReport) =>
  async (options: { onUpdate?: (r: ReadinessReport) => void }): Promise<ReadinessReport> => {
    const pending = final.steps.map((s) => ({ ...s, state: 'pending' as const }))
    for (let i = 0; i < final.steps.length; i++) {
      const steps = [
        ...final.steps.slice(0, i),
        { ...final.steps[i]!, state: 'running' as const },
        ...pending.slice(i + 1),
      ]
      options.onUpdate?.(report(steps, { level: i === 1 ? 0.12 : 0 }))
      await new Promise((r) => setTimeout(r, 10))
    }
    return final
  }

const meta = {
  title: 'Components/ReadyCheck',
  component: ReadyCheck,
  // The body loads lazily; the stories show it (the placeholder is covered by the package's tests).
  loaders: [() => ReadyCheck.preload()],
  render: (args, { parameters }) => (
    <WithClient client={() => storyClient(parameters.client)}>
      <ReadyCheck {...args} />
    </WithClient>
  ),
} satisfies Meta<typeof ReadyCheck>

export default meta
type Story = StoryObj<typeof meta>

/** Before the first run: the pickers, the four steps, and the button. */
export const Idle: Story = {}

/** The microphone step is listening: the level meter moves. */
export const MeasuringMicrophone: Story = {
  args: {
    report: report(
      [
        allowed,
        step('microphone', 'running', 'Say something: listening to your microphone…'),
        step('speaker', 'pending', 'Speaker test tone'),
        step('connection', 'pending', 'Connection to the call server'),
      ],
      { level: 0.14 },
    ),
  },
}

/** Everything works. */
export const Ready: Story = { args: { report: READY } }

/** Works, with a problem: a slow round trip to the call server. */
export const Degraded: Story = {
  args: {
    report: report([
      allowed,
      signal,
      tone,
      step(
        'connection',
        'warning',
        'Connected, but the round trip to the call server is 620 ms: expect a delay on calls.',
        'Use a wired connection or a faster network; close large downloads and video streams.',
      ),
    ]),
  },
}

/** Microphone blocked for the site: the fix is the browser's own steps. */
export const PermissionDenied: Story = {
  args: {
    report: report(
      [
        step(
          'permission',
          'failed',
          'Microphone access is blocked for this site.',
          'Microphone access is blocked for this site. Click the site controls icon left of the address bar, set Microphone to Allow, then reload the page.',
        ),
        step('microphone', 'skipped', 'The microphone could not be tested without access to it.'),
        tone,
        step(
          'connection',
          'warning',
          'Connected to the call server in 180 ms; sending audio was not tested without the microphone.',
        ),
      ],
      { permission: 'denied' },
    ),
  },
}

/** A muted headset: access is fine, but no signal. */
export const SilentMicrophone: Story = {
  args: {
    report: report([
      allowed,
      step(
        'microphone',
        'failed',
        '“USB headset” picks up no sound.',
        'Check the microphone is not muted (a switch on the headset, or the system sound settings), speak, and try again, or choose another microphone.',
      ),
      tone,
      connected,
    ]),
  },
}

/** Autoplay blocked: the test tone could not play. */
export const SoundBlocked: Story = {
  args: {
    report: report([
      allowed,
      signal,
      step(
        'speaker',
        'failed',
        'Your browser blocks sound on this page, so you would not hear calls ring.',
        'Click “Enable sound” (or anywhere on the page), then play the test sound.',
      ),
      connected,
    ]),
  },
}

/** The call server cannot be reached (VPN, firewall, offline). */
export const ServerUnreachable: Story = {
  args: {
    report: report([
      allowed,
      signal,
      tone,
      step(
        'connection',
        'failed',
        'Could not connect to the call server: could not establish signal connection',
        'Check your internet connection; a VPN or firewall may block the call server (WebSocket and UDP).',
      ),
    ]),
  },
}

/** Run the check (a replay of a working setup): the steps fill in, then the verdict. */
export const Run: Story = {
  args: { check: replay(READY) },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Run the check' }))
    await waitFor(() =>
      expect(canvasElement.querySelector('.rl-ready-check')).toHaveAttribute('data-state', 'ready'),
    )
    await expect(canvas.getByRole('button', { name: 'Check again' })).toBeEnabled()
  },
}
