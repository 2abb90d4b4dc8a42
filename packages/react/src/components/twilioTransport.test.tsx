import { createCallClient } from '@ringline/core'
import type { CallRecord } from '@ringline/core/protocol'
import { FakeTwilioDevice } from '@ringline/core/testing'
import { twilioVoiceTransport } from '@ringline/core/twilio'
import { act, render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { RinglineProvider } from '../RinglineProvider'
import { CallControls } from './CallControls'
import { Dialer } from './Dialer'
import { IncomingCallOverlay } from './IncomingCallOverlay'

const record = (over: Partial<CallRecord>): CallRecord => ({
  id: 'tw_1',
  tenantId: 'acme',
  direction: 'outbound',
  status: 'initiated',
  roomName: 'twilio-acme_tw_1',
  fromNumber: '+14155550100',
  toNumber: '+14155550123',
  contactId: null,
  createdBy: 'alice',
  answeredBy: null,
  sipCallId: null,
  startedAt: '2026-01-01T00:00:00.000Z',
  answeredAt: null,
  endedAt: null,
  durationSeconds: null,
  endReason: null,
  ...over,
})

/** A Ringline server for the Twilio transport behind an injected fetch, with an /events stream to push to. */
function fakeServer() {
  const requests: string[] = []
  let events: ReadableStreamDefaultController<Uint8Array> | null = null
  let seq = 0
  const outbound = record({})
  const inbound = record({
    id: 'tw_in',
    direction: 'inbound',
    status: 'ringing',
    roomName: 'twilio-acme_tw_in',
    fromNumber: '+14155550199',
    toNumber: '+14155550100',
    createdBy: null,
  })
  const leg = (call: CallRecord, action: 'dial' | 'accept') => ({
    call,
    connection: { serverUrl: 'twilio:', token: 'jwt', roomName: call.roomName },
    twilio: {
      action,
      callId: call.id,
      params: action === 'dial' ? { To: call.toNumber ?? '', ringlineCallId: call.id } : {},
    },
  })
  const routes: Record<string, () => unknown> = {
    'POST /token': () => ({
      transport: 'twilio',
      token: 'jwt-device',
      identity: 'acme_3Aalice',
      ttl: 3600,
      expiresAt: '2030-01-01T00:00:00Z',
    }),
    'POST /twilio/voice/calls': () => leg(outbound, 'dial'),
    'POST /twilio/voice/calls/tw_1/hangup': () => ({ call: outbound }),
    'POST /twilio/voice/calls/tw_in/answer': () =>
      leg({ ...inbound, status: 'in-progress', answeredBy: 'alice' }, 'accept'),
  }
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const path = new URL(String(input), 'http://app.test').pathname.replace('/api/ringline', '')
    const key = `${init?.method ?? 'GET'} ${path}`
    requests.push(key)
    if (path === '/events') {
      return new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            events = c
          },
        }),
        { headers: { 'content-type': 'text/event-stream' } },
      )
    }
    const route = routes[key]
    return route
      ? Response.json(route(), { status: key === 'POST /twilio/voice/calls' ? 201 : 200 })
      : Response.json({ error: { code: 'NOT_FOUND', message: key, requestId: 'r' } }, { status: 404 })
  }
  const push = (type: string, call: CallRecord) => {
    const event = { id: `ev${++seq}`, at: new Date().toISOString(), type, call }
    events?.enqueue(
      new TextEncoder().encode(`id: ${event.id}\nevent: ${type}\ndata: ${JSON.stringify(event)}\n\n`),
    )
  }
  return { fetch, requests, push, inbound, online: () => events !== null }
}

function setup() {
  const server = fakeServer()
  const client = createCallClient({
    baseUrl: '/api/ringline',
    fetch: server.fetch,
    transport: twilioVoiceTransport({ Device: FakeTwilioDevice }),
    sounds: false,
    notifications: false,
    mediaDevices: null,
    permissions: null,
    tabs: false,
  })
  render(
    <RinglineProvider client={client}>
      <Dialer />
      <CallControls />
      <IncomingCallOverlay />
    </RinglineProvider>,
  )
  const controls = () => screen.getByRole('group', { name: 'Call controls' })
  const device = () => {
    const d = FakeTwilioDevice.latest
    if (!d) throw new Error('no Device yet')
    return d
  }
  return { server, client, controls, device }
}

beforeEach(() => FakeTwilioDevice.reset())

describe('the same components over the Twilio Voice transport', () => {
  it('Dialer + CallControls: dial, ringing, connected, mute, keypad tones, hang up', async () => {
    const user = userEvent.setup()
    const { server, controls, device } = setup()
    await waitFor(() => expect(device().state).toBe('registered'))
    await user.type(screen.getByRole('textbox', { name: 'Phone number' }), '4155550123{Enter}')
    await waitFor(() => expect(device().calls).toHaveLength(1))
    expect(server.requests).toContain('POST /twilio/voice/calls')
    const call = device().calls[0]!
    expect(call.customParameters.get('To')).toBe('+14155550123')
    await waitFor(() => expect(controls().getAttribute('data-state')).toBe('dialing'))
    // The transport listens to the Call once Device.connect resolved.
    await waitFor(() => expect(call.listenerCount('ringing')).toBe(1))

    act(() => call.remoteRinging())
    await waitFor(() => expect(controls().getAttribute('data-state')).toBe('ringing'))
    expect(within(controls()).getByRole('status').textContent).toBe('Ringing…')
    act(() => call.remoteAnswer())
    await waitFor(() => expect(controls().getAttribute('data-state')).toBe('connected'))

    const mute = within(controls()).getByRole('button', { name: 'Mute' })
    await user.click(mute)
    expect(call.isMuted()).toBe(true)
    expect(mute.getAttribute('aria-pressed')).toBe('true')
    await user.click(within(controls()).getByRole('button', { name: 'Keypad' }))
    await user.click(
      within(screen.getByRole('group', { name: 'Keypad tones' })).getByRole('button', { name: /^5/ }),
    )
    await waitFor(() => expect(call.digits).toBe('5'))

    await user.click(within(controls()).getByRole('button', { name: 'Hang up' }))
    await waitFor(() => expect(controls().getAttribute('data-state')).toBe('ended'))
    expect(call.status()).toBe('closed')
    expect(server.requests).toContain('POST /twilio/voice/calls/tw_1/hangup')
  })

  it('IncomingCallOverlay: rings from /events, Answer accepts the Twilio invite, the remote hang-up ends it', async () => {
    const user = userEvent.setup()
    const { server, controls, device } = setup()
    await waitFor(() => expect(device().state).toBe('registered'))
    await waitFor(() => expect(server.online()).toBe(true))
    const invite = device().receive({ customParameters: { ringlineCallId: 'tw_in' } })
    act(() => server.push('call.incoming', server.inbound))
    const dialog = await screen.findByRole('alertdialog')
    expect(screen.getByRole('alert').textContent).toBe('Incoming call from (415) 555-0199')
    await user.click(within(dialog).getByRole('button', { name: 'Answer' }))
    await waitFor(() => expect(invite.status()).toBe('open'))
    await waitFor(() => expect(controls().getAttribute('data-state')).toBe('connected'))
    expect(server.requests).toContain('POST /twilio/voice/calls/tw_in/answer')
    expect(screen.queryByRole('alertdialog')).toBeNull()
    act(() => invite.remoteHangup())
    await waitFor(() =>
      expect(within(controls()).getByRole('status').textContent).toBe('The other side hung up'),
    )
  })
})
