import { beforeEach, describe, expect, it } from 'vitest'
import { createTestClient } from '../../test/callClientHarness'
import { createFakeServer, makeEvent, makeRecord, settle } from '../testing/fakeServer'
import type { Call } from '../types'
import { FakeTwilioDevice, FakeTwilioError } from './testing/fakeDevice'
import { twilioErrorToRinglineError } from './twilioErrors'
import { twilioVoiceTransport } from './twilioVoiceTransport'

const outbound = makeRecord({ id: 'tw_1', roomName: 'twilio-t1_tw_1' })
const inbound = makeRecord({
  id: 'tw_in',
  direction: 'inbound',
  status: 'ringing',
  roomName: 'twilio-t1_tw_in',
  fromNumber: '+14155550123',
  toNumber: '+14155550100',
  createdBy: null,
})
const connection = (roomName: string) => ({ serverUrl: 'twilio:', token: 'jwt', roomName })

function setup(options: { events?: boolean } = {}) {
  const server = createFakeServer()
  let tokens = 0
  server.on('POST /token', (r) => {
    expect(r.body).toEqual({ transport: 'twilio' })
    tokens++
    return {
      body: {
        transport: 'twilio',
        token: `jwt-${tokens}`,
        identity: 't1_3Au1',
        ttl: 3600,
        expiresAt: '2030-01-01T00:00:00Z',
      },
    }
  })
  server.on('POST /twilio/voice/calls', () => ({
    status: 201,
    body: {
      call: outbound,
      connection: connection(outbound.roomName),
      twilio: {
        action: 'dial',
        callId: outbound.id,
        params: { To: '+14155550123', ringlineCallId: outbound.id },
      },
    },
  }))
  server.on(`POST /twilio/voice/calls/${inbound.id}/answer`, () => ({
    body: {
      call: { ...inbound, status: 'in-progress', answeredBy: 'u1' },
      connection: connection(inbound.roomName),
      twilio: { action: 'accept', callId: inbound.id, params: {} },
    },
  }))
  server.on(`POST /twilio/voice/calls/${outbound.id}/hangup`, () => ({ body: { call: outbound } }))
  server.on(`POST /twilio/voice/calls/${inbound.id}/decline`, () => ({ body: { call: inbound } }))
  const transport = twilioVoiceTransport({ Device: FakeTwilioDevice, inviteTimeoutMs: 200 })
  const client = createTestClient(server, transport, { events: options.events ?? true })
  const errors: string[] = []
  client.on((e) => {
    if (e.type === 'error') errors.push(e.error.code)
  })
  return {
    server,
    client,
    transport,
    errors,
    tokens: () => tokens,
    call: () => client.getSnapshot().activeCall as Call,
    device: () => {
      const d = FakeTwilioDevice.latest
      if (!d) throw new Error('no Device yet')
      return d
    },
  }
}

beforeEach(() => FakeTwilioDevice.reset())

describe('twilioVoiceTransport: outbound', () => {
  it('dials through /twilio/voice/calls and Device.connect, mapping connecting → ringing → open → closed onto phases', async () => {
    const t = setup({ events: false })
    const dialing = t.client.dial('+14155550123')
    expect(t.call().phase).toBe('requesting')
    await dialing
    await settle()
    expect(t.server.calls('POST /calls')).toHaveLength(0)
    expect(t.server.calls('POST /twilio/voice/calls')[0]?.body).toEqual({ to: '+14155550123' })
    const d = t.device()
    expect(d.token).toBe('jwt-1')
    expect(d.options.codecPreferences).toEqual(['opus', 'pcmu'])
    const call = d.calls[0]!
    expect(Object.fromEntries(call.customParameters)).toEqual({ To: '+14155550123', ringlineCallId: 'tw_1' })
    expect(t.call().phase).toBe('dialing')
    call.remoteRinging()
    expect(t.call().phase).toBe('ringing')
    call.remoteAnswer()
    await settle()
    expect(t.call()).toMatchObject({ phase: 'connected', id: 'tw_1' })
    expect(t.call().participants.find((p) => p.kind === 'sip')?.sipStatus).toBe('active')
    call.remoteHangup()
    expect(t.call()).toMatchObject({ phase: 'ended', endReason: 'remote-hangup' })
    // The Device outlives no call and no subscriber.
    expect(d.state).toBe('destroyed')
  })

  it('mutes, sends DTMF with sendDigits, holds by silencing remote audio, picks devices', async () => {
    const t = setup({ events: false })
    await t.client.dial('+14155550123')
    await settle()
    const call = t.device().calls[0]!
    call.remoteAnswer()
    await settle()
    await t.client.setMuted(true)
    expect(call.isMuted()).toBe(true)
    expect(t.call().participants.find((p) => p.isLocal)?.muted).toBe(true)
    await t.client.setMuted(false)
    expect(call.isMuted()).toBe(false)
    await t.client.sendDtmf('12#')
    expect(call.digits).toBe('12#')
    expect(t.call().dtmf.sent).toBe('12#')
    await t.client.hold()
    expect(call.remoteTrack.enabled).toBe(false)
    expect(call.isMuted()).toBe(true)
    await t.client.resume()
    expect(call.remoteTrack.enabled).toBe(true)
    expect(call.isMuted()).toBe(false)
    await t.client.devices.select('audioinput', 'mic-2')
    await t.client.devices.select('audiooutput', 'spk-2')
    expect(t.device().inputDevice).toBe('mic-2')
    expect(t.device().speakerDevices).toEqual(['spk-2'])
  })

  it('hangs up locally with disconnect() and tells the server once', async () => {
    const t = setup({ events: false })
    await t.client.dial('+14155550123')
    await settle()
    const call = t.device().calls[0]!
    call.remoteRinging()
    await t.client.hangup()
    expect(call.status()).toBe('closed')
    expect(t.call()).toMatchObject({ phase: 'ended', endReason: 'canceled' })
    expect(t.server.calls(`POST /twilio/voice/calls/${outbound.id}/hangup`)).toHaveLength(1)
  })

  it('maps SDK errors to RinglineError codes and phases', async () => {
    const t = setup({ events: false })
    FakeTwilioDevice.nextConnectError = new FakeTwilioError(31401, 'Permission denied')
    await t.client.dial('+14155550123')
    await settle()
    expect(t.call()).toMatchObject({ phase: 'failed', error: { code: 'MICROPHONE_PERMISSION_DENIED' } })
    expect(t.client.getSnapshot().permission).toBe('denied')

    t.client.dismiss()
    await t.client.dial('+14155550123')
    await settle()
    t.device().calls.at(-1)!.fail(31486, 'Busy Here')
    // Inferred from the SDK (busy → rejected); the server's status callback can still correct the reason.
    expect(t.call()).toMatchObject({ phase: 'ended', endReason: 'declined' })

    expect(twilioErrorToRinglineError(new FakeTwilioError(20104, 'expired')).code).toBe('AUTH_INVALID')
    expect(twilioErrorToRinglineError(new FakeTwilioError(31480, 'x')).code).toBe('SIP_NO_ANSWER')
    expect(twilioErrorToRinglineError(new FakeTwilioError(53405, 'x')).code).toBe('CONNECTION_FAILED')
    expect(twilioErrorToRinglineError({ name: 'NotFoundError' }).code).toBe('MICROPHONE_NOT_FOUND')
    expect(twilioErrorToRinglineError(new FakeTwilioError(99999, 'odd')).message).toContain('Twilio 99999')
  })

  it('reports reconnecting and back', async () => {
    const t = setup({ events: false })
    await t.client.dial('+14155550123')
    await settle()
    const call = t.device().calls[0]!
    call.remoteAnswer()
    await settle()
    call.networkDrop()
    expect(t.call().phase).toBe('reconnecting')
    call.networkRestore()
    expect(t.call().phase).toBe('connected')
  })
})

describe('twilioVoiceTransport: incoming', () => {
  it('registers the Device while subscribed, and answering accepts the invite with the call id', async () => {
    const t = setup()
    const unsubscribe = t.client.subscribe(() => {})
    await settle()
    const d = t.device()
    expect(d.state).toBe('registered')
    t.server.push(makeEvent('call.incoming', inbound))
    const invite = d.receive({ customParameters: { ringlineCallId: inbound.id } })
    await settle()
    expect(t.client.getSnapshot().incoming[0]).toMatchObject({ id: inbound.id, phase: 'ringing' })
    await t.client.answer(inbound.id)
    await settle()
    expect(invite.status()).toBe('open')
    expect(t.call()).toMatchObject({ phase: 'connected', direction: 'inbound', id: inbound.id })
    invite.remoteHangup()
    expect(t.call()).toMatchObject({ phase: 'ended', endReason: 'remote-hangup' })
    unsubscribe()
    await settle()
    expect(d.state).toBe('destroyed')
  })

  it('waits for an invite that arrives after the answer click', async () => {
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    t.server.push(makeEvent('call.incoming', inbound))
    await settle()
    const answering = t.client.answer(inbound.id)
    await settle()
    expect(t.call().phase).toBe('connecting')
    const invite = t.device().receive({ customParameters: { ringlineCallId: inbound.id } })
    await answering
    await settle()
    expect(invite.status()).toBe('open')
    expect(t.call().phase).toBe('connected')
  })

  it('fails clearly when the invite never reaches this browser, and ignores a declined invite', async () => {
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    await t.client.answer(inbound.id)
    await new Promise((r) => setTimeout(r, 250))
    expect(t.call()).toMatchObject({ phase: 'failed', error: { code: 'CALL_NOT_ACTIVE' } })
    t.client.dismiss()
    const invite = t.device().receive({ customParameters: { ringlineCallId: inbound.id } })
    await t.client.decline(inbound.id)
    expect(invite.status()).toBe('closed')
    expect(t.server.calls(`POST /twilio/voice/calls/${inbound.id}/decline`)).toHaveLength(1)
  })

  it('fails with CALL_NOT_ACTIVE when the caller cancels before this browser accepts', async () => {
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    const invite = t.device().receive({ customParameters: { ringlineCallId: inbound.id } })
    const answering = t.client.answer(inbound.id)
    invite.remoteCancel()
    await answering.catch(() => {})
    await new Promise((r) => setTimeout(r, 250))
    expect(t.call()).toMatchObject({ phase: 'failed', error: { code: 'CALL_NOT_ACTIVE' } })
    expect(invite.status()).toBe('closed')
  })

  it('refreshes the token on tokenWillExpire', async () => {
    const t = setup()
    t.client.subscribe(() => {})
    await settle()
    t.device().tokenWillExpire()
    await settle()
    expect(t.tokens()).toBe(2)
    expect(t.device().token).toBe('jwt-2')
  })
})
