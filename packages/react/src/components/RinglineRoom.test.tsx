// <RinglineRoom> over the real client: a room the app joined (as <LiveKitRoom> would) takes the Dialer's call and
// CallControls' hang-up, and stays connected; unmounting detaches it.
import { connectionFor, FakeRoom, makeRecord } from '@ringline/core/testing'
import { act, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { createTestClient, fakePermissions, flush } from '../../test/createTestClient'
import { RinglineProvider } from '../RinglineProvider'
import { CallControls } from './CallControls'
import { Dialer } from './Dialer'
import { RinglineRoom } from './RinglineRoom'

async function joinedRoom(name: string) {
  const room = new FakeRoom()
  await room.connect('wss://app.test', 'app-token')
  Object.assign(room, { name })
  return room
}

describe('RinglineRoom', () => {
  it('places the Dialer’s call into the attached room; CallControls hang up without leaving it', async () => {
    const t = createTestClient({ permissions: fakePermissions('granted') })
    const room = await joinedRoom('lk-acme.support')
    const record = makeRecord({ roomName: 'lk-acme.support' })
    t.server.on('POST /calls', () => ({
      status: 201,
      body: { call: record, connection: connectionFor(record) },
    }))
    t.server.on('POST /calls/call_1/hangup', () => ({ body: { ok: true } }))
    const view = render(
      <RinglineProvider client={t.client}>
        <RinglineRoom room={room} />
        <Dialer />
        <CallControls />
      </RinglineProvider>,
    )
    expect(t.client.attachedRoom).toBe(room)
    const user = userEvent.setup()
    await user.type(screen.getByLabelText('Phone number'), '+14155550123')
    await user.click(screen.getByRole('button', { name: 'Call' }))
    await act(() => flush())
    expect(t.server.calls('POST /calls')[0]?.body).toMatchObject({
      to: '+14155550123',
      room: 'lk-acme.support',
    })
    expect(t.transport.rooms).toEqual([])
    await act(async () => {
      room.addSipParticipant('active')
      await flush()
    })
    await user.click(screen.getByRole('button', { name: 'Hang up' }))
    await act(() => flush())
    expect(t.server.calls('POST /calls/call_1/hangup')).toHaveLength(1)
    expect(room.disconnectCalls).toBe(0)
    expect(room.state).toBe('connected')

    view.unmount()
    expect(t.client.attachedRoom).toBeNull()
  })
})
