import { ParticipantKind, RoomEvent } from '@livekit/rtc-node'
import { ServerError, SipCallError } from 'livekit-server-sdk'
import { afterEach, expect, test } from 'vitest'
import { audioLevel } from '../src/phone'
import { describeWithSip } from '../src/vitest'
import {
  info,
  joinRoom,
  rooms,
  sandbox,
  sip,
  sleep,
  type TestParticipant,
  unique,
  uniqueAnsweringNumber,
  until,
  waitForCallStatus,
} from './helpers'

const numbers = info.phone.numbers
let joined: TestParticipant[] = []

async function room(name: string): Promise<TestParticipant> {
  const p = await joinRoom(name)
  joined.push(p)
  return p
}

afterEach(async () => {
  await Promise.all(joined.map((p) => p.leave()))
  joined = []
})

async function dialError(number: string, roomName: string, ringingTimeout = 15): Promise<unknown> {
  try {
    await sip.createSipParticipant(info.sip.outboundTrunkId, number, roomName, {
      participantIdentity: 'callee',
      waitUntilAnswered: true,
      ringingTimeout,
    })
  } catch (e) {
    return e
  }
  throw new Error(`call to ${number} was answered`)
}

describeWithSip('outbound calls to the phone', () => {
  test('answered: dialing → ringing → active, audio comes back, removeParticipant ends it with BYE', async () => {
    const roomName = unique('t-out')
    const number = uniqueAnsweringNumber()
    const agent = await room(roomName)
    await agent.publishTone(440)
    const since = Date.now()

    const t0 = Date.now()
    const created = await sip.createSipParticipant(info.sip.outboundTrunkId, number, roomName, {
      participantIdentity: 'callee',
      waitUntilAnswered: true,
      ringingTimeout: 15,
    })
    expect(created.participantIdentity).toBe('callee')
    // the phone rings for a second before it answers
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900)

    await waitForCallStatus(agent, 'callee', 'active')
    expect(agent.callStatuses.get('callee')).toEqual(['dialing', 'ringing', 'active'])
    const callee = agent.room.remoteParticipants.get('callee')!
    expect(callee.kind).toBe(ParticipantKind.SIP)
    expect(callee.attributes['sip.phoneNumber']).toBe(number)

    // Our tone goes to the phone and comes back (echo): the SIP participant's track carries it.
    const level = await agent.measureAudio('callee', 2000)
    expect(level).toBeGreaterThan(0.02)
    const heard = await sandbox.phone.waitFor(number, (s) => (s.calls[0]?.audio.rms ?? 0) > 0.02, { since })
    expect(heard.calls[0]!.status).toBe(200)

    // The phone's level timeline: the tone while it plays, silence once it stops (what mute/hold tests measure).
    const toneUntil = Date.now()
    agent.stopTone()
    await sleep(1500)
    const quietFrom = toneUntil + 500
    const quietTo = Date.now()
    const timeline = (await sandbox.phone.received(number, { since })).calls[0]!.audio
    expect(timeline.levels.length).toBeGreaterThan(10)
    expect(audioLevel(timeline, toneUntil - 1000, toneUntil)).toBeGreaterThan(0.02)
    expect(audioLevel(timeline, quietFrom, quietTo)).toBeLessThan(0.005)

    await rooms.removeParticipant(roomName, 'callee')
    const ended = await sandbox.phone.waitFor(number, (s) => s.calls[0]?.endedAt != null, { since })
    expect(ended.invites).toBe(1)
    expect(ended.calls[0]!.endedBy).toBe('remote') // the phone received a BYE
    expect(ended.calls[0]!.direction).toBe('to-phone')
  })

  test('busy: SipCallError with SIP status 486', async () => {
    const roomName = unique('t-busy')
    await room(roomName)
    const e = await dialError(numbers.busy, roomName)
    expect(e).toBeInstanceOf(SipCallError)
    const err = e as SipCallError
    expect(err.sipStatusCode).toBe(486)
    expect(err.code).toBe('resource_exhausted')
    expect(err.status).toBe(429)
  })

  test('declined: SipCallError with SIP status 603', async () => {
    const roomName = unique('t-decline')
    await room(roomName)
    const e = await dialError(numbers.decline, roomName)
    expect(e).toBeInstanceOf(SipCallError)
    expect((e as SipCallError).sipStatusCode).toBe(603)
    expect((e as SipCallError).code).toBe('permission_denied')
  })

  test('no answer within ringingTimeout: a timeout error, and LiveKit cancels the INVITE', async () => {
    const roomName = unique('t-noanswer')
    const agent = await room(roomName)
    const since = Date.now()
    const t0 = Date.now()
    const e = await dialError(numbers.noAnswer, roomName, 3)
    const elapsed = Date.now() - t0
    expect(e).toBeInstanceOf(ServerError)
    expect(e).not.toBeInstanceOf(SipCallError)
    expect((e as ServerError).code).toBe('canceled')
    expect((e as ServerError).status).toBe(408)
    expect(elapsed).toBeGreaterThanOrEqual(2900)
    // the callee was ringing in the room before it gave up
    expect(agent.callStatuses.get('callee') ?? []).toContain('ringing')
    const log = await sandbox.phone.waitFor(numbers.noAnswer, (s) => s.calls.some((c) => c.canceled), {
      since,
    })
    const call = log.calls.find((c) => c.canceled)!
    expect(call.endedBy).toBe('remote')
    expect(call.status).toBe(487)
  })

  test('the phone hangs up 3 s after answering: the SIP participant leaves the room', async () => {
    const roomName = unique('t-hangup')
    const agent = await room(roomName)
    await agent.publishTone()
    const left = new Promise<number>((resolve) =>
      agent.room.on(RoomEvent.ParticipantDisconnected, (p) => {
        if (p.identity === 'callee') resolve(Date.now())
      }),
    )
    await sip.createSipParticipant(info.sip.outboundTrunkId, numbers.hangup, roomName, {
      participantIdentity: 'callee',
      waitUntilAnswered: true,
    })
    const answeredAt = Date.now()
    const leftAt = await left
    expect(leftAt - answeredAt).toBeGreaterThan(2000)
    expect(leftAt - answeredAt).toBeLessThan(15_000)
  })

  test('DTMF phone → room: the phone at …06 sends 1234# and rtc-node receives it', async () => {
    const roomName = unique('t-dtmf-in')
    const agent = await room(roomName)
    await agent.publishTone()
    await sip.createSipParticipant(info.sip.outboundTrunkId, numbers.dtmf, roomName, {
      participantIdentity: 'callee',
      waitUntilAnswered: true,
    })
    await until('DTMF 1234# in the room', () => agent.dtmf.map((d) => d.digit).join('') === '1234#', 20_000)
    expect(agent.dtmf.every((d) => d.from === 'callee')).toBe(true)
    await rooms.removeParticipant(roomName, 'callee')
  })

  test('DTMF room → phone: publishDtmf reaches the phone as RFC 4733 and is not echoed back', async () => {
    const roomName = unique('t-dtmf-out')
    const number = uniqueAnsweringNumber()
    const agent = await room(roomName)
    await agent.publishTone()
    const since = Date.now()
    await sip.createSipParticipant(info.sip.outboundTrunkId, number, roomName, {
      participantIdentity: 'callee',
      waitUntilAnswered: true,
    })
    await waitForCallStatus(agent, 'callee', 'active')
    const digits = ['1', '2', '3', '#']
    const codes: Record<string, number> = { '1': 1, '2': 2, '3': 3, '#': 11 }
    for (const d of digits) {
      await agent.room.localParticipant!.publishDtmf(codes[d]!, d)
      await new Promise((r) => setTimeout(r, 300))
    }
    const got = await sandbox.phone.waitFor(number, (s) => s.dtmf === '123#', { since, timeoutMs: 15_000 })
    expect(got.calls).toHaveLength(1)
    expect(agent.dtmf).toEqual([])
    await rooms.removeParticipant(roomName, 'callee')
  })
})
