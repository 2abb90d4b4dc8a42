import { type CallClient, createCallClient } from '@ringline/core'
import {
  connectionFor,
  createFakeServer,
  createFakeTransport,
  makeEvent,
  makeRecord,
} from '@ringline/core/testing'
import { CallControls, Dialer, IncomingCallOverlay } from '@ringline/react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { useState } from 'react'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { WithClient } from '../support'

/**
 * core's real call client over its fake server and fake LiveKit room; timers play the phone network: the dialled
 * SIP participant joins dialing, rings, then answers; a caller's leg is live as soon as the call is answered.
 */
function createPhoneDemo(stepMs: number) {
  const server = createFakeServer()
  const transport = createFakeTransport()
  const client: CallClient = createCallClient({
    baseUrl: '/api/ringline',
    fetch: server.fetch,
    transport,
    sounds: false,
    notifications: false,
    mediaDevices: null,
    permissions: null,
    tabs: false,
  })
  const later = (ms: number, fn: () => void) => void setTimeout(fn, ms)
  let seq = 0
  server.on('POST /calls', (req) => {
    const record = makeRecord({ id: `call_${++seq}`, toNumber: (req.body as { to: string }).to })
    return { status: 201, body: { call: record, connection: connectionFor(record) } }
  })
  server.on('POST /calls/:id/answer', (req) => {
    const record = makeRecord({
      id: req.params.id,
      direction: 'inbound',
      status: 'in-progress',
      fromNumber: '+14155550199',
      toNumber: '+14155550100',
      answeredBy: 'u1',
    })
    return { body: { call: record, connection: connectionFor(record) } }
  })
  server.on('POST /calls/:id/hangup', () => ({ body: { ok: true } }))
  server.on('POST /calls/:id/decline', () => ({ body: { ok: true } }))
  transport.onRoom = (room) => {
    const call = client.getSnapshot().activeCall
    if (call?.direction === 'inbound') {
      later(stepMs, () => room.addSipParticipant('active', 'sip_+14155550199'))
      return
    }
    const sip = `sip_${call?.remote.number ?? '+14155550123'}`
    const live = () => room.remoteParticipants.has(sip)
    later(stepMs, () => room.addSipParticipant('dialing', sip))
    later(stepMs * 2, () => live() && room.setAttributes(sip, { 'sip.callStatus': 'ringing' }))
    later(stepMs * 5, () => live() && room.setAttributes(sip, { 'sip.callStatus': 'active' }))
  }
  return {
    client,
    /** A caller rings this browser (a `call.incoming` on the client's event stream). */
    ring() {
      const record = makeRecord({
        id: `in_${++seq}`,
        direction: 'inbound',
        status: 'ringing',
        fromNumber: '+14155550199',
        toNumber: '+14155550100',
      })
      server.push(makeEvent('call.incoming', record))
    },
  }
}

/** Dialer, CallControls and the overlay on core's real client: dial and watch the phases, or ring yourself. */
function PhoneDemo({ stepMs }: { stepMs: number }) {
  const [demo] = useState(() => createPhoneDemo(stepMs))
  return (
    <WithClient client={() => demo.client}>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '1rem', alignItems: 'flex-start' }}>
        <Dialer recentNumbers={['+14155550100', '+442071838750']} />
        <div style={{ display: 'grid', gap: '1rem', flex: '1 1 20rem' }}>
          <CallControls />
          <button type="button" className="rl-button" onClick={() => demo.ring()}>
            Simulate an incoming call
          </button>
        </div>
      </div>
      <IncomingCallOverlay notifications={false} resolveCaller={async () => ({ name: 'Grace Hopper' })} />
    </WithClient>
  )
}

const meta = {
  title: 'Examples/Phone',
  component: PhoneDemo,
  tags: ['!autodocs'],
  args: { stepMs: 800 },
} satisfies Meta<typeof PhoneDemo>

export default meta
type Story = StoryObj<typeof meta>

/** Type a number and press Enter: requesting → dialing → ringing → connected. */
export const Playground: Story = {}

/** The same flow, driven by the play function. */
export const DialFlow: Story = {
  args: { stepMs: 20 },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(canvas.getByRole('textbox', { name: 'Phone number' }), '4155550123{Enter}')
    const controls = canvas.getByRole('group', { name: 'Call controls' })
    await waitFor(() => expect(controls).toHaveAttribute('data-state', 'connected'), { timeout: 3000 })
    await userEvent.click(canvas.getByRole('button', { name: 'Hang up' }))
    await expect(controls).toHaveAttribute('data-state', 'ended')
  },
}
