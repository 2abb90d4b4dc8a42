import { RoomContext, useRoomContext } from '@livekit/components-react'
import { type CallClient, createCallClient } from '@ringline/core'
import {
  connectionFor,
  createFakeServer,
  createFakeTransport,
  FakeRoom,
  makeRecord,
} from '@ringline/core/testing'
import { CallControls, Dialer, RinglineRoom } from '@ringline/react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { type Room, RoomEvent } from 'livekit-client'
import { useEffect, useState } from 'react'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { WithClient } from '../support'

/**
 * A room the app joined itself (here core's fake LiveKit room, connected as `lk-acme.support`, provided through
 * @livekit/components-react's `RoomContext` as `<LiveKitRoom>` does), core's real client over its fake server, and
 * timers playing the phone network: the phone joins the app's room dialing, rings, then answers.
 */
function createInteropDemo(stepMs: number) {
  const server = createFakeServer()
  const client: CallClient = createCallClient({
    baseUrl: '/api/ringline',
    fetch: server.fetch,
    transport: createFakeTransport(),
    sounds: false,
    notifications: false,
    mediaDevices: null,
    permissions: null,
    tabs: false,
  })
  const room = new FakeRoom()
  Object.assign(room, { name: 'lk-acme.support', state: 'connected' })
  room.addParticipant({ identity: 'app-grace', name: 'Grace (already in the room)', kind: 'user' })
  const later = (ms: number, fn: () => void) => void setTimeout(fn, ms)
  let seq = 0
  server.on('POST /calls', (req) => {
    const body = req.body as { to: string; room?: string }
    const record = makeRecord({ id: `call_${++seq}`, toNumber: body.to, roomName: body.room ?? 'out-acme_x' })
    const sip = `phone-call_${seq}`
    const live = () => room.remoteParticipants.has(sip)
    later(stepMs, () => room.addSipParticipant('dialing', sip))
    later(stepMs * 2, () => live() && room.setAttributes(sip, { 'sip.callStatus': 'ringing' }))
    later(stepMs * 5, () => live() && room.setAttributes(sip, { 'sip.callStatus': 'active' }))
    return { status: 201, body: { call: record, connection: connectionFor(record) } }
  })
  server.on('POST /calls/:id/hangup', (req) => {
    const sip = `phone-${req.params.id}`
    if (room.remoteParticipants.has(sip)) room.removeParticipant(sip)
    return { body: { ok: true } }
  })
  return { client, room }
}

/** What the app's own UI shows of its room (a stand-in for components-react's participant tiles). */
function RoomParticipants() {
  const room = useRoomContext()
  const [, setTick] = useState(0)
  useEffect(() => {
    const update = () => setTick((n) => n + 1)
    room.on(RoomEvent.ParticipantConnected, update).on(RoomEvent.ParticipantDisconnected, update)
    return () => {
      room.off(RoomEvent.ParticipantConnected, update).off(RoomEvent.ParticipantDisconnected, update)
    }
  }, [room])
  return (
    <ul aria-label="In the room">
      {[...room.remoteParticipants.values()].map((p) => (
        <li key={p.identity}>{p.name || p.identity}</li>
      ))}
    </ul>
  )
}

/** Inside `<LiveKitRoom>`: hand its room to Ringline, then use Ringline's Dialer and CallControls as usual. */
function InsideLiveKitRoom() {
  const room = useRoomContext()
  return (
    <>
      <RinglineRoom room={room} />
      <RoomParticipants />
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '1rem', alignItems: 'flex-start' }}>
        <Dialer />
        <CallControls />
      </div>
    </>
  )
}

function LiveKitRoomInterop({ stepMs }: { stepMs: number }) {
  const [demo] = useState(() => createInteropDemo(stepMs))
  return (
    <WithClient client={() => demo.client}>
      <RoomContext.Provider value={demo.room as unknown as Room}>
        <InsideLiveKitRoom />
      </RoomContext.Provider>
    </WithClient>
  )
}

const meta = {
  title: 'Examples/LiveKit room interop',
  component: LiveKitRoomInterop,
  tags: ['!autodocs'],
  args: { stepMs: 800 },
} satisfies Meta<typeof LiveKitRoomInterop>

export default meta
type Story = StoryObj<typeof meta>

/** Dial a number: the phone joins the room the app already had (next to Grace), and hangs up from it alone. */
export const Playground: Story = {}

/** The same flow, driven by the play function: the phone joins the app's room and leaves it on hang-up. */
export const DialIntoTheRoom: Story = {
  args: { stepMs: 20 },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(canvas.getByRole('textbox', { name: 'Phone number' }), '+14155550123{Enter}')
    const controls = canvas.getByRole('group', { name: 'Call controls' })
    await waitFor(() => expect(controls).toHaveAttribute('data-state', 'connected'), { timeout: 3000 })
    const inRoom = canvas.getByRole('list', { name: 'In the room' })
    await waitFor(() => expect(within(inRoom).getAllByRole('listitem')).toHaveLength(2))
    await userEvent.click(canvas.getByRole('button', { name: 'Hang up' }))
    await expect(controls).toHaveAttribute('data-state', 'ended')
    await waitFor(() => expect(within(inRoom).getAllByRole('listitem')).toHaveLength(1))
    await expect(within(inRoom).getByRole('listitem')).toHaveTextContent('Grace (already in the room)')
  },
}
