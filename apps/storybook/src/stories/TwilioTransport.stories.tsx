import { type CallClient, createCallClient } from '@ringline/core'
import type { CallRecord } from '@ringline/core/protocol'
import { FakeTwilioDevice } from '@ringline/core/testing'
import { twilioVoiceTransport } from '@ringline/core/twilio'
import { CallControls, Dialer, IncomingCallOverlay, RinglineProvider } from '@ringline/react'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { useEffect, useState } from 'react'
import { expect, userEvent, waitFor, within } from 'storybook/test'

const record = (over: Partial<CallRecord>): CallRecord => ({
  id: 'tw_1',
  tenantId: 'demo',
  direction: 'outbound',
  status: 'initiated',
  roomName: 'twilio-demo_tw_1',
  fromNumber: '+14155550100',
  toNumber: '+14155550123',
  contactId: null,
  createdBy: 'alice',
  answeredBy: null,
  sipCallId: null,
  startedAt: new Date().toISOString(),
  answeredAt: null,
  endedAt: null,
  durationSeconds: null,
  endReason: null,
  ...over,
})

/** The Ringline routes the Twilio transport calls, served in the page; `/events` is a stream the story pushes to. */
function twilioDemoServer() {
  let stream: ReadableStreamDefaultController<Uint8Array> | null = null
  let seq = 0
  let n = 0
  const leg = (call: CallRecord, action: 'dial' | 'accept') => ({
    call,
    connection: { serverUrl: 'twilio:', token: 'demo', roomName: call.roomName },
    twilio: {
      action,
      callId: call.id,
      params: action === 'dial' ? { To: call.toNumber ?? '', ringlineCallId: call.id } : {},
    },
  })
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const path = new URL(String(input), window.location.href).pathname.replace(/^.*\/api\/ringline/, '')
    const method = init?.method ?? 'GET'
    if (path === '/events') {
      return new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            stream = c
          },
        }),
        {
          headers: { 'content-type': 'text/event-stream' },
        },
      )
    }
    if (method === 'POST' && path === '/token') {
      return Response.json({
        transport: 'twilio',
        token: 'demo',
        identity: 'demo_3Aalice',
        ttl: 3600,
        expiresAt: '2099-01-01T00:00:00Z',
      })
    }
    if (method === 'POST' && path === '/twilio/voice/calls') {
      const body = JSON.parse(String(init?.body ?? '{}')) as { to: string }
      const id = `tw_${++n}`
      return Response.json(leg(record({ id, roomName: `twilio-demo_${id}`, toNumber: body.to }), 'dial'), {
        status: 201,
      })
    }
    const answer = /^\/twilio\/voice\/calls\/([^/]+)\/answer$/.exec(path)
    if (answer) {
      const id = answer[1] ?? ''
      return Response.json(leg(incoming(id, { status: 'in-progress', answeredBy: 'alice' }), 'accept'))
    }
    if (/^\/twilio\/voice\/calls\/[^/]+\/(hangup|decline)$/.test(path)) return Response.json({ ok: true })
    return Response.json({ error: { code: 'NOT_FOUND', message: path, requestId: 'story' } }, { status: 404 })
  }
  const incoming = (id: string, over: Partial<CallRecord> = {}) =>
    record({
      id,
      direction: 'inbound',
      status: 'ringing',
      roomName: `twilio-demo_${id}`,
      fromNumber: '+14155550199',
      toNumber: '+14155550100',
      createdBy: null,
      ...over,
    })
  const push = (type: string, call: CallRecord) => {
    const event = { id: `ev${++seq}`, at: new Date().toISOString(), type, call }
    stream?.enqueue(
      new TextEncoder().encode(`id: ${event.id}\nevent: ${type}\ndata: ${JSON.stringify(event)}\n\n`),
    )
  }
  return { fetch, push, incoming }
}

/** Buttons that play Twilio's side: the dialled phone rings, answers, hangs up; a caller rings the browser. */
function RemoteSide({ server }: { server: ReturnType<typeof twilioDemoServer> }) {
  const call = () => FakeTwilioDevice.latest?.calls.at(-1)
  let inbound = 0
  return (
    <fieldset style={{ marginTop: 16 }}>
      <legend>Twilio (simulated)</legend>
      <button type="button" onClick={() => call()?.remoteRinging()}>
        Phone rings
      </button>{' '}
      <button type="button" onClick={() => call()?.remoteAnswer()}>
        Phone answers
      </button>{' '}
      <button type="button" onClick={() => call()?.remoteHangup()}>
        Phone hangs up
      </button>{' '}
      <button
        type="button"
        onClick={() => {
          const id = `tw_in_${++inbound}_${Date.now()}`
          FakeTwilioDevice.latest?.receive({ customParameters: { ringlineCallId: id } })
          server.push('call.incoming', server.incoming(id))
        }}
      >
        Someone calls in
      </button>
    </fieldset>
  )
}

/** Dialer, CallControls and IncomingCallOverlay, unchanged, on `twilioVoiceTransport()` with a fake Device. */
function TwilioDemo() {
  const [setup] = useState(() => {
    FakeTwilioDevice.reset()
    const server = twilioDemoServer()
    const client: CallClient = createCallClient({
      baseUrl: '/api/ringline',
      fetch: server.fetch,
      transport: twilioVoiceTransport({ Device: FakeTwilioDevice }),
      sounds: false,
      notifications: false,
      tabs: false,
    })
    return { server, client }
  })
  useEffect(() => () => setup.client.destroy(), [setup])
  return (
    <RinglineProvider client={setup.client}>
      <Dialer />
      <CallControls />
      <IncomingCallOverlay />
      <RemoteSide server={setup.server} />
    </RinglineProvider>
  )
}

const meta = {
  title: 'Transports/Twilio Voice',
  component: TwilioDemo,
  parameters: {
    docs: {
      description: {
        component:
          'The same components over Twilio Programmable Voice: `createCallClient({ transport: twilioVoiceTransport() })`. Here the `Device` is `FakeTwilioDevice` from `@ringline/core/testing`; use the buttons to play the phone side.',
      },
    },
  },
} satisfies Meta<typeof TwilioDemo>

export default meta
type Story = StoryObj<typeof meta>

/** Dial, let the phone ring and answer, then hang up. */
export const OutboundCall: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const controls = canvas.getByRole('group', { name: 'Call controls' })
    await userEvent.type(canvas.getByRole('textbox', { name: 'Phone number' }), '4155550123{Enter}')
    await waitFor(() => expect(controls).toHaveAttribute('data-state', 'dialing'))
    await waitFor(() => expect(FakeTwilioDevice.latest?.calls.at(-1)?.listenerCount('ringing')).toBe(1))
    await userEvent.click(canvas.getByRole('button', { name: 'Phone rings' }))
    await waitFor(() => expect(controls).toHaveAttribute('data-state', 'ringing'))
    await userEvent.click(canvas.getByRole('button', { name: 'Phone answers' }))
    await waitFor(() => expect(controls).toHaveAttribute('data-state', 'connected'))
  },
}

/** A call rings the browser (Twilio invite + `call.incoming`); answer it from the overlay. */
export const IncomingCall: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await waitFor(() => expect(FakeTwilioDevice.latest?.state).toBe('registered'))
    await userEvent.click(canvas.getByRole('button', { name: 'Someone calls in' }))
    const dialog = await within(document.body).findByRole('alertdialog')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Answer' }))
    const controls = canvas.getByRole('group', { name: 'Call controls' })
    await waitFor(() => expect(controls).toHaveAttribute('data-state', 'connected'))
  },
}
