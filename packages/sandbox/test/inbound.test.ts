import { ParticipantInfo_Kind } from '@livekit/protocol'
import { afterEach, expect, test } from 'vitest'
import { describeWithSip } from '../src/vitest'
import { info, joinRoom, rooms, sandbox, type TestParticipant, until, waitForCallStatus } from './helpers'

let joined: TestParticipant[] = []
afterEach(async () => {
  await Promise.all(joined.map((p) => p.leave()))
  joined = []
})

/** A caller number unique to this test, so its room (`sandbox_<caller>_<random>`) is ours alone. */
const uniqueCaller = () => `+1555000${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`

/** The room the dispatch rule created for a call from `caller`, once its SIP participant is there. */
async function roomOf(caller: string) {
  return until(`a room for a call from ${caller}`, async () => {
    const list = await rooms.listRooms()
    const room = list.find((r) => r.name.startsWith(`${info.sip.roomPrefix}_${caller}_`))
    if (!room) return undefined
    const participants = await rooms.listParticipants(room.name)
    const sipP = participants.find((p) => p.kind === ParticipantInfo_Kind.SIP)
    return sipP ? { name: room.name, sip: sipP } : undefined
  })
}

describeWithSip('inbound calls from the phone', () => {
  test('the dispatch rule makes a room with a ringing SIP participant; publishing audio answers; caller hang-up ends it', async () => {
    const caller = uniqueCaller()
    const call = sandbox.phone.call(info.sip.inboundNumber, { from: caller })
    expect(await call.ringing).toBe(true)

    const { name, sip: sipP } = await roomOf(caller)
    expect(sipP.attributes['sip.callStatus']).toBe('ringing')
    expect(sipP.attributes['sip.phoneNumber']).toBe(caller)
    expect(sipP.attributes['sip.trunkPhoneNumber']).toBe(info.sip.inboundNumber)

    // Still ringing: nobody in the room publishes audio yet.
    await new Promise((r) => setTimeout(r, 1500))
    const stillRinging = await rooms.listParticipants(name)
    expect(stillRinging.find((p) => p.identity === sipP.identity)?.attributes['sip.callStatus']).toBe(
      'ringing',
    )
    expect(
      (await sandbox.phone.calls({ number: info.sip.inboundNumber })).find((c) => c.callId === call.callId)
        ?.answeredAt,
    ).toBeNull()

    const agent = await joinRoom(name)
    joined.push(agent)
    await agent.publishTone(440)
    expect(await call.answered).toBe(true)
    await waitForCallStatus(agent, sipP.identity, 'active')

    // The phone echoes: the room hears its own tone back from the caller.
    expect(await agent.measureAudio(sipP.identity, 1500)).toBeGreaterThan(0.02)

    const result = await call.hangup()
    expect(result).toMatchObject({
      answered: true,
      status: 200,
      endedBy: 'phone',
      canceled: false,
      from: caller,
    })
    expect(result.durationMs).toBeGreaterThan(1000)
    expect(result.audio.rms).toBeGreaterThan(0.02)
    await until('the SIP participant to leave', () => !agent.room.remoteParticipants.has(sipP.identity))
  })

  test('DTMF phone → room on an inbound call, and hangupAfterMs', async () => {
    const caller = uniqueCaller()
    const call = sandbox.phone.call(info.sip.inboundNumber, {
      from: caller,
      dtmf: '1234#',
      dtmfDelayMs: 500,
      hangupAfterMs: 4000,
    })
    const { name, sip: sipP } = await roomOf(caller)
    const agent = await joinRoom(name)
    joined.push(agent)
    await agent.publishTone()
    const result = await call
    expect(result.answered).toBe(true)
    expect(result.dtmfSent).toBe('1234#')
    expect(result.endedBy).toBe('phone')
    expect(result.durationMs).toBeGreaterThanOrEqual(3900)
    await until('1234# in the room', () => agent.dtmf.map((d) => d.digit).join('') === '1234#')
    expect(agent.dtmf.every((d) => d.from === sipP.identity)).toBe(true)
  })

  test('the caller cancels while ringing', async () => {
    const caller = uniqueCaller()
    const call = sandbox.phone.call(info.sip.inboundNumber, { from: caller })
    const { name, sip: sipP } = await roomOf(caller)
    const result = await call.hangup()
    expect(result).toMatchObject({ answered: false, canceled: true, endedBy: 'phone' })
    await until('the SIP participant to leave', async () => {
      const ps = await rooms.listParticipants(name).catch(() => [])
      return !ps.some((p) => p.identity === sipP.identity)
    })
  })

  test('a number with no inbound trunk: LiveKit rings but never sends a final response', async () => {
    const free = info.sip.freeNumbers[4]!
    const result = await sandbox.phone.call(free, { timeoutMs: 5000 })
    expect(result.answered).toBe(false)
    expect(result.status).toBeNull() // no final response in 5 s: the phone gave up (CANCEL)
    expect(result.canceled).toBe(true)
    // no room was created for it
    const list = await rooms.listRooms()
    expect(
      list.some(
        (r) =>
          r.name.startsWith(`${info.sip.roomPrefix}_${sandbox.phone.defaultCaller}_`) &&
          Number(r.creationTime) * 1000 >= result.invitedAt - 1000,
      ),
    ).toBe(false)
  })
})
