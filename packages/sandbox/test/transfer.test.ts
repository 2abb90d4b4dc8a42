import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ParticipantInfo_Kind } from '@livekit/protocol'
import { SipCallError } from 'livekit-server-sdk'
import { afterEach, expect, test } from 'vitest'
import type { PhoneCallRecord } from '../src/types'
import { describeWithSip } from '../src/vitest'
import {
  info,
  joinRoom,
  rooms,
  sandbox,
  sip,
  type TestParticipant,
  unique,
  uniqueAnsweringNumber,
  until,
  waitForCallStatus,
} from './helpers'

let joined: TestParticipant[] = []
afterEach(async () => {
  await Promise.all(joined.map((p) => p.leave()))
  joined = []
})

/** A number of its own that accepts transfers (every +1555011xxxx does, like numbers.transfer). */
const uniqueTransferNumber = () => `+1555011${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`

/** Dials `number` into a fresh room with an agent in it; resolves once the call is active. */
async function callInRoom(number: string) {
  const roomName = unique('t-xfer')
  const agent = await joinRoom(roomName)
  joined.push(agent)
  await agent.publishTone(440)
  await sip.createSipParticipant(info.sip.outboundTrunkId, number, roomName, {
    participantIdentity: 'callee',
    waitUntilAnswered: true,
    ringingTimeout: 15,
  })
  await waitForCallStatus(agent, 'callee', 'active')
  const sipCallId = agent.room.remoteParticipants.get('callee')!.attributes['sip.callIDFull']
  expect(sipCallId).toBeTruthy()
  // Talking: the phone hears the room (a REFER a few ms after the answer can fail inside livekit-sip; see README).
  await sandbox.phone.waitFor(number, (s) =>
    s.calls.some((c) => c.callId === sipCallId && c.audio.packets > 0),
  )
  return { roomName, agent, sipCallId: sipCallId! }
}

/** The phone's record of the call with SIP Call-ID `callId` on `number`. */
async function phoneCall(number: string, callId: string, since: number): Promise<PhoneCallRecord> {
  const { calls } = await sandbox.phone.received(number, { since })
  const call = calls.find((c) => c.callId === callId)
  if (!call) throw new Error(`the phone has no call ${callId} on ${number}`)
  return call
}

/** The room the dispatch rule made for a call from `caller`, once its SIP participant is there. */
async function inboundRoom(caller: string) {
  return until(`a room for a call from ${caller}`, async () => {
    const room = (await rooms.listRooms()).find((r) => r.name.startsWith(`${info.sip.roomPrefix}_${caller}_`))
    if (!room) return undefined
    const sipP = (await rooms.listParticipants(room.name)).find((p) => p.kind === ParticipantInfo_Kind.SIP)
    return sipP ? { name: room.name, identity: sipP.identity } : undefined
  })
}

/**
 * `transferSipParticipant`; on failure it prints what livekit-sip and the phone saw first. (The REFERs the phone
 * accepted but livekit-sip reported as "transaction failed to complete (0 intermediate responses)" were a race in
 * sipgo, fixed in the sandbox's livekit-sip build: see patch_sipgo in scripts/build-binaries.sh.)
 */
async function transfer(room: string, identity: string, to: string) {
  try {
    await sip.transferSipParticipant(room, identity, to, { ringingTimeout: 15 })
  } catch (error) {
    console.warn(transferDiagnostics(room, error))
    throw error
  }
}

/**
 * What livekit-sip logged for the room's calls, and the SIP messages of the phone's calls in it: printed when a
 * transfer fails, so a failure in CI (where the sandbox's logs are gone afterwards) says where the REFER went.
 */
function transferDiagnostics(room: string, error: unknown): string {
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '')
  const sipLog = read(join(info.stateDir, 'logs', 'livekit-sip.log'))
    .split('\n')
    .filter((l) => l.includes(room))
  const callIds = new Set(sipLog.flatMap((l) => [...l.matchAll(/"sipCallID": "([^"]+)"/g)].map((m) => m[1]!)))
  const phone = [...callIds]
    .map((id) => /^ringline-([0-9a-f-]{36})@/.exec(id)?.[1])
    .filter((id): id is string => id !== undefined)
    .map((id) => {
      const dir = join(info.stateDir, 'phone', 'calls', id)
      return `--- phone call ${id}: messages\n${read(join(dir, 'messages.log')).slice(-6000)}\n--- errors\n${read(join(dir, 'errors.log')).slice(-2000)}`
    })
  return [
    `[transfer test] transfer in ${room} failed: ${String(error)}`,
    `--- livekit-sip (${sipLog.length} lines for the room)`,
    ...sipLog.slice(-40),
    ...phone,
  ].join('\n')
}

describeWithSip('transfers (SIP REFER) at the phone', () => {
  test('the documented numbers', () => {
    expect(info.phone.numbers.transfer).toBe('+15550100008')
    expect(info.phone.numbers.transferTarget).toBe('+15550100009')
  })

  test('accepted: 202 + NOTIFY 100/200, the phone calls the target (Referred-By, its audio heard), LiveKit hangs up', async () => {
    const since = Date.now()
    const number = uniqueTransferNumber()
    const target = uniqueAnsweringNumber()
    const { roomName, agent, sipCallId } = await callInRoom(number)

    await transfer(roomName, 'callee', `tel:${target}`)

    // The phone's side of the original call: the REFER, what it reported, and the call it placed.
    const original = await until('the transfer to be reported', async () => {
      const c = await phoneCall(number, sipCallId, since)
      return c.transfers[0]?.status !== null && c.transfers[0]?.callId ? c : null
    })
    expect(original.transfers).toHaveLength(1)
    expect(original.transfers[0]).toMatchObject({
      to: `tel:${target}`,
      accepted: true,
      notified: [100, 200],
      status: 200,
      reason: 'OK',
    })
    const legCallId = original.transfers[0]!.callId!

    // The target's side: a call from the transferee's number, referred by LiveKit's caller id, answered,
    // carrying the transferee's audio (the leg plays a tone at the target).
    const leg = await sandbox.phone.waitFor(
      target,
      (s) => s.calls.some((c) => c.callId === legCallId && c.direction === 'to-phone' && c.audio.rms > 0.05),
      { since, timeoutMs: 20_000 },
    )
    const atTarget = leg.calls.find((c) => c.callId === legCallId && c.direction === 'to-phone')!
    expect(atTarget).toMatchObject({
      number: target,
      from: number,
      referredBy: info.sip.callerId,
      status: 200,
      endedAt: null,
    })

    // LiveKit leaves the transferred call: BYE to the phone, the SIP participant leaves the room.
    const ended = await until('the original call to end', async () => {
      const c = await phoneCall(number, sipCallId, since)
      return c.endedAt !== null ? c : null
    })
    expect(ended.endedBy).toBe('remote')
    await until('the SIP participant to leave', () => !agent.room.remoteParticipants.has('callee'))
    // …while the transferred call goes on between the transferee and the target.
    expect((await phoneCall(target, legCallId, since)).endedAt).toBeNull()
    await rooms.deleteRoom(roomName).catch(() => undefined)
  })

  test('a call the phone placed (phone.call, acceptTransfer) takes a REFER too: the caller is connected to the target', async () => {
    const since = Date.now()
    const caller = `+1555000${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`
    const target = uniqueAnsweringNumber()
    const call = sandbox.phone.call(info.sip.inboundNumber, { from: caller, acceptTransfer: true })
    const { name, identity } = await inboundRoom(caller)
    const agent = await joinRoom(name)
    joined.push(agent)
    await agent.publishTone(440)
    expect(await call.answered).toBe(true)
    await waitForCallStatus(agent, identity, 'active')
    // Talking: the room's audio reaches the phone (as in callInRoom; every failed REFER in CI came right after
    // the answer, before media flowed).
    await sandbox.phone.waitFor(info.sip.inboundNumber, (s) =>
      s.calls.some((c) => c.callId === call.callId && c.audio.packets > 0),
    )

    await transfer(name, identity, `tel:${target}`)
    const atTarget = await sandbox.phone.waitFor(
      target,
      (s) => s.calls.some((c) => c.direction === 'to-phone' && c.from === caller && c.audio.rms > 0.05),
      { since, timeoutMs: 20_000 },
    )
    expect(atTarget.calls.find((c) => c.direction === 'to-phone')).toMatchObject({
      referredBy: info.sip.inboundNumber,
      status: 200,
    })
    // LiveKit hangs the transferred call up; the phone's record of it shows the REFER and its outcome.
    const result = await call
    expect(result.endedBy).toBe('remote')
    const mine = (await sandbox.phone.calls({ since })).find((c) => c.callId === call.callId)!
    expect(mine.transfers[0]).toMatchObject({ to: `tel:${target}`, notified: [100, 200], status: 200 })
    await rooms.deleteRoom(name).catch(() => undefined)
  })

  test('the target is busy: NOTIFY 486, transferSipParticipant fails with 486, the call stays up and can transfer again', async () => {
    const since = Date.now()
    const number = uniqueTransferNumber()
    const { roomName, agent, sipCallId } = await callInRoom(number)

    const error = await sip
      .transferSipParticipant(roomName, 'callee', `tel:${info.phone.numbers.busy}`, { ringingTimeout: 15 })
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(error).toBeInstanceOf(SipCallError)
    expect((error as SipCallError).sipStatusCode).toBe(486)

    const failed = await phoneCall(number, sipCallId, since)
    expect(failed.transfers[0]).toMatchObject({ accepted: true, notified: [100, 486], status: 486 })
    expect(failed.endedAt).toBeNull()
    expect(agent.room.remoteParticipants.get('callee')?.attributes['sip.callStatus']).toBe('active')
    // Still connected: the agent's tone comes back from the phone.
    expect(await agent.measureAudio('callee', 1500)).toBeGreaterThan(0.02)

    // A second REFER on the same call works.
    const target = uniqueAnsweringNumber()
    await sip.transferSipParticipant(roomName, 'callee', `tel:${target}`, { ringingTimeout: 15 })
    const after = await phoneCall(number, sipCallId, since)
    expect(after.transfers.map((t) => t.status)).toEqual([486, 200])
    expect((await sandbox.phone.received(target, { since })).calls.some((c) => c.from === number)).toBe(true)
    await rooms.deleteRoom(roomName).catch(() => undefined)
  })
})
