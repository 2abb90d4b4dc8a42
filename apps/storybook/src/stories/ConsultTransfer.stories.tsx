import type { Consult, ConsultSnapshot } from '@ringline/core'
import { ConsultOffers, ConsultTransfer } from '@ringline/react'
import { createFakeCall, type FakeCallClient } from '@ringline/react/testing'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, within } from 'storybook/test'
import { ringlineHandlers, storyClient, WithClient } from '../support'

const call = createFakeCall({
  id: 'call_42',
  phase: 'connected',
  connectedAt: Date.now() - 64_000,
  onHold: true,
  remote: { number: '+14155550123', name: null, contactId: null },
})
const consult = (patch: Partial<Consult>): ConsultSnapshot => ({
  consult: {
    callId: 'call_42',
    role: 'consulting',
    userId: 'bob',
    to: null,
    leftReason: null,
    by: 'alice',
    phase: 'connected',
    endReason: null,
    error: null,
    participants: [],
    ...patch,
  },
  offers: [],
})
const names: Record<string, string> = { alice: 'Alice Martin', bob: 'Bob Lee' }
let lastClient: FakeCallClient | null = null
const withConsult = (snapshot: ConsultSnapshot, activeCall = call) => ({
  client: { state: { activeCall }, consult: snapshot },
  msw: { handlers: ringlineHandlers() },
})

const meta = {
  title: 'Components/ConsultTransfer',
  component: ConsultTransfer,
  // The body loads lazily; the stories show it (the placeholder is covered by the package's tests).
  loaders: [() => ConsultTransfer.preload()],
  args: { formatUser: (id: string) => names[id] ?? id },
  render: (args, { parameters }) => (
    <WithClient
      client={() => {
        lastClient = storyClient(parameters.client)
        return lastClient
      }}
    >
      <ConsultTransfer {...args} />
      <ConsultOffers formatUser={args.formatUser} />
    </WithClient>
  ),
} satisfies Meta<typeof ConsultTransfer>

export default meta
type Story = StoryObj<typeof meta>

/** A connected phone call: "Consult" opens the colleague field; submitting starts the consult. */
export const Start: Story = {
  parameters: withConsult({ consult: null, offers: [] }, { ...call, onHold: false }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Consult' }))
    await userEvent.click(canvas.getByRole('button', { name: 'Start consult' }))
    await expect(canvas.getByText('Enter the colleague to consult.')).toBeVisible()
    await userEvent.type(canvas.getByLabelText('Colleague to consult (user id)'), 'bob')
    await userEvent.click(canvas.getByRole('button', { name: 'Start consult' }))
    await expect(lastClient?.actions.at(-1)).toEqual({ method: 'consult.start', args: [{ userId: 'bob' }] })
  },
}
/** Consult a phone number instead: "Number" switches the field; submitting starts the consult with `{ to }`. */
export const StartPhone: Story = {
  parameters: withConsult({ consult: null, offers: [] }, { ...call, onHold: false }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(canvas.getByRole('button', { name: 'Consult' }))
    await userEvent.click(canvas.getByRole('radio', { name: 'Number' }))
    await userEvent.click(canvas.getByRole('button', { name: 'Start consult' }))
    await expect(canvas.getByText('Enter the number to consult.')).toBeVisible()
    const field = canvas.getByLabelText('Number to consult')
    await expect(field).toHaveAttribute('type', 'tel')
    await userEvent.type(field, '+14155550199')
    await userEvent.click(canvas.getByRole('button', { name: 'Start consult' }))
    await expect(lastClient?.actions.at(-1)).toEqual({
      method: 'consult.start',
      args: [{ to: '+14155550199' }],
    })
  },
}
const phone = (patch: Partial<Consult>) => consult({ userId: '', to: 'tel:+14155550199', ...patch })
/** A phone number is ringing: the caller is on hold (and hears neither of you); only Cancel. */
export const PhoneRinging: Story = {
  parameters: withConsult(phone({ phase: 'ringing' })),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByRole('status')).toHaveTextContent('Waiting for +14155550199 to join')
    await expect(canvas.getByRole('button', { name: 'Complete transfer' })).toBeDisabled()
  },
}
/** The consulted phone answered: complete joins it to the caller, or cancel hangs it up. */
export const PhoneConnected: Story = {
  parameters: withConsult(phone({ phase: 'connected' })),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByRole('status')).toHaveTextContent('Talking to +14155550199')
    await expect(canvas.getByRole('button', { name: 'Complete transfer' })).toBeEnabled()
  },
}
/** The consulted phone hung up: Complete is off, Cancel goes back to the caller. */
export const PhoneHungUp: Story = {
  parameters: withConsult(phone({ phase: 'left', leftReason: 'hangup' })),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByRole('status')).toHaveTextContent('+14155550199 hung up.')
    await expect(canvas.getByRole('button', { name: 'Complete transfer' })).toBeDisabled()
    await userEvent.click(canvas.getByRole('button', { name: 'Cancel consult' }))
    await expect(lastClient?.actions.at(-1)).toEqual({ method: 'consult.cancel', args: [] })
  },
}
/** The consulted phone was busy (or did not answer): back to the caller with Cancel. */
export const PhoneBusy: Story = {
  parameters: withConsult(phone({ phase: 'left', leftReason: 'busy' })),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByRole('status')).toHaveTextContent('+14155550199 is busy.')
  },
}
/** Handed to the phone: the caller talks to it; this call ended. */
export const PhoneCompleted: Story = {
  parameters: withConsult(phone({ phase: 'ended', endReason: 'completed' }), {
    ...createFakeCall({
      id: 'call_42',
      phase: 'ended',
      endReason: 'local-hangup',
      endedAt: Date.now(),
      connectedAt: Date.now() - 90_000,
    }),
    transfer: { to: 'tel:+14155550199', status: 'completed', error: null },
  }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByRole('status')).toHaveTextContent('Transferred to +14155550199')
  },
}
/** The colleague has not joined yet: the caller is on hold; only Cancel. */
export const Ringing: Story = {
  parameters: withConsult(consult({ phase: 'ringing' })),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByRole('button', { name: 'Complete transfer' })).toBeDisabled()
  },
}
/** Talking to the colleague: complete the transfer, or cancel back to the caller. */
export const Connected: Story = {
  parameters: withConsult(consult({ phase: 'connected' })),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByText('Talking to Bob Lee. The caller is on hold.')).toBeVisible()
    await userEvent.click(canvas.getByRole('button', { name: 'Complete transfer' }))
    await expect(lastClient?.actions.at(-1)).toEqual({ method: 'consult.complete', args: [] })
    await userEvent.click(canvas.getByRole('button', { name: 'Cancel consult' }))
    await expect(lastClient?.actions.at(-1)).toEqual({ method: 'consult.cancel', args: [] })
  },
}
/** Handed over: waiting for the colleague to reach the caller. */
export const Completing: Story = { parameters: withConsult(consult({ phase: 'completing' })) }
/** Done: the caller talks to the colleague; this call ended. */
export const Completed: Story = {
  parameters: withConsult(consult({ phase: 'ended', endReason: 'completed' }), {
    ...createFakeCall({
      id: 'call_42',
      phase: 'ended',
      endReason: 'local-hangup',
      endedAt: Date.now(),
      connectedAt: Date.now() - 90_000,
    }),
    transfer: { to: 'user:bob', status: 'completed', error: null },
  }),
}
/** Cancelled: back with the caller. */
export const Canceled: Story = {
  parameters: withConsult(consult({ phase: 'ended', endReason: 'canceled' }), { ...call, onHold: false }),
}
/** The consult failed (the colleague was not allowed, or never reached the caller). */
export const Failed: Story = {
  parameters: withConsult(
    consult({ phase: 'ended', endReason: 'failed', error: { code: 'TRANSFER_FAILED', message: 'x' } }),
    { ...call, onHold: true },
  ),
}
/** The consulted colleague's side: talking to the one who asked; they may end the consult. */
export const Consulted: Story = {
  parameters: {
    client: {
      state: { activeCall: null },
      consult: consult({ role: 'consulted', userId: 'bob', by: 'alice' }),
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByText('Alice Martin is consulting you. Their caller is on hold.')).toBeVisible()
    await userEvent.click(canvas.getByRole('button', { name: 'End consult' }))
    await expect(lastClient?.actions.at(-1)).toEqual({ method: 'consult.cancel', args: [] })
  },
}
/** The consulted colleague's side after the consult ended without a hand-over: the caller stays with the asker. */
export const ConsultedEnded: Story = {
  parameters: {
    client: {
      state: { activeCall: null },
      consult: consult({
        role: 'consulted',
        userId: 'bob',
        by: 'alice',
        phase: 'ended',
        endReason: 'canceled',
      }),
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(canvas.getByText('The consult ended. The caller stays with your colleague.')).toBeVisible()
    await expect(canvas.queryByText(/You are back with the caller/)).toBeNull()
  },
}
/** A colleague asks to consult you about their call: join or decline. */
export const Offered: Story = {
  parameters: {
    client: {
      state: { activeCall: null },
      consult: {
        consult: null,
        offers: [
          {
            callId: 'call_7',
            by: 'alice',
            receivedAt: Date.now(),
            record: {
              id: 'call_7',
              tenantId: 'acme',
              direction: 'inbound',
              status: 'in-progress',
              roomName: 'in-acme_call_7',
              fromNumber: '+14155550123',
              toNumber: '+14155550100',
              contactId: null,
              createdBy: null,
              answeredBy: 'alice',
              sipCallId: null,
              startedAt: new Date().toISOString(),
              answeredAt: new Date().toISOString(),
              endedAt: null,
              durationSeconds: null,
              endReason: null,
              consult: { userId: 'bob', by: 'alice', state: 'ringing', startedAt: new Date().toISOString() },
            },
          },
        ],
      },
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(
      canvas.getByText('Alice Martin wants to consult you about a call with +14155550123'),
    ).toBeVisible()
    await userEvent.click(canvas.getByRole('button', { name: 'Join consult' }))
    await expect(lastClient?.actions.at(-1)).toEqual({ method: 'consult.answer', args: ['call_7'] })
  },
}
