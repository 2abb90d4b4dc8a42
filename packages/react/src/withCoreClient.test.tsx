// The components against the real call client of @ringline/core: its state machine, its API client over fetch
// (answered by MSW, standing in for the server) and its LiveKit transport on core's fake room.
import { type CallClient, createCallClient } from '@ringline/core'
import type { CallRecord } from '@ringline/core/protocol'
import { createFakeTransport, makeRecord } from '@ringline/core/testing'
import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { expectNoAxeViolations } from '../test/axe'
import { CallControls } from './components/CallControls'
import { CallHistory } from './components/CallHistory'
import { Dialer } from './components/Dialer'
import { RinglineProvider } from './RinglineProvider'
import { generateFakeCalls } from './testing/createFakeApi'

// These tests are about the body; the lazy shell itself is tested in lazyComponents.test.tsx.
beforeAll(() => CallHistory.preload())

const base = 'http://localhost/api/ringline'
const record: CallRecord = makeRecord()
const requests: string[] = []
const server = setupServer(
  http.post(`${base}/calls`, async ({ request }) => {
    requests.push(`POST /calls ${JSON.stringify(await request.json())}`)
    return HttpResponse.json(
      {
        call: record,
        connection: { serverUrl: 'wss://lk.test', token: 'token-call_1', roomName: record.roomName },
      },
      { status: 201 },
    )
  }),
  http.post(`${base}/calls/:id/hangup`, ({ params }) => {
    requests.push(`POST /calls/${String(params.id)}/hangup`)
    return HttpResponse.json({ ok: true })
  }),
  http.get(`${base}/calls`, () => HttpResponse.json({ calls: generateFakeCalls(3), nextCursor: null })),
)

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterEach(() => {
  requests.length = 0
})
afterAll(() => server.close())

function setup() {
  const transport = createFakeTransport()
  const client: CallClient = createCallClient({
    baseUrl: base,
    transport,
    events: false,
    tabs: false,
    sounds: false,
    notifications: false,
    mediaDevices: null,
    permissions: null,
    defaultCountry: 'US',
  })
  const utils = render(
    <RinglineProvider client={client}>
      <Dialer />
      <CallControls />
    </RinglineProvider>,
  )
  const room = () => {
    const r = transport.room
    if (!r) throw new Error('no room yet')
    return r
  }
  return { client, transport, room, ...utils }
}

describe('components on the real core client', () => {
  it('dials from the Dialer and follows the SIP participant through CallControls', async () => {
    const user = userEvent.setup()
    const { client, room, container } = setup()
    const controls = screen.getByRole('group', { name: 'Call controls' })
    expect(controls.getAttribute('data-state')).toBe('idle')

    await user.type(screen.getByRole('textbox', { name: 'Phone number' }), '4155550123{Enter}')
    await waitFor(() => expect(controls.getAttribute('data-state')).toBe('dialing'))
    expect(requests).toEqual(['POST /calls {"to":"+14155550123"}'])
    expect(container.querySelector('.rl-dialer')?.getAttribute('data-state')).toBe('calling')

    await act(async () => {
      room().addSipParticipant('dialing')
      room().setAttributes('sip_+14155550123', { 'sip.callStatus': 'ringing' })
    })
    await waitFor(() => expect(controls.getAttribute('data-state')).toBe('ringing'))
    await act(async () => {
      room().setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
    })
    await waitFor(() => expect(controls.getAttribute('data-state')).toBe('connected'))
    expect(within(controls).getByRole('status').textContent).toBe('Connected')
    expect(controls.textContent).toContain('(415) 555-0123')

    const mute = within(controls).getByRole('button', { name: 'Mute' })
    await user.click(mute)
    await waitFor(() => expect(mute.getAttribute('aria-pressed')).toBe('true'))
    expect(client.getSnapshot().activeCall?.muted).toBe(true)
    await expectNoAxeViolations(container)

    await user.click(within(controls).getByRole('button', { name: 'Hang up' }))
    await waitFor(() => expect(controls.getAttribute('data-state')).toBe('ended'))
    const call = client.getSnapshot().activeCall
    expect(call?.phase === 'ended' && call.endReason).toBe('local-hangup')
    client.destroy()
  })

  it('uses client.api of the core client for the history', async () => {
    const { client } = setup()
    render(
      <RinglineProvider client={client}>
        <CallHistory timeZone="UTC" />
      </RinglineProvider>,
    )
    const region = screen.getByRole('region', { name: 'Call history' })
    await waitFor(() => expect(region.getAttribute('data-state')).toBe('ready'))
    expect(within(region).getAllByRole('listitem')).toHaveLength(3)
    client.destroy()
  })
})
