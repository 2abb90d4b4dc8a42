// Failure drills on the media processes: livekit-sip and livekit-server killed mid-call. They run on a sandbox of
// their own (own state dir and ports), so killing its processes never disturbs the suites sharing the run's one.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConnectionState, DisconnectReason, Room, RoomEvent } from '@livekit/rtc-node'
import type { RinglineEvent } from '@ringline/core/protocol'
import { type Sandbox, startSandbox } from '@ringline/sandbox'
import { itWithSip } from '@ringline/sandbox/vitest'
import { RoomServiceClient } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './harness'

type Ended = Extract<RinglineEvent, { type: 'call.ended' }>

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `check` until it is truthy (generous: the machine is shared; the bounds are asserted apart). */
async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 90_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

/** This file's own sandbox: ports shifted from the run's (RINGLINE_DRILL_PORT_OFFSET, else the run’s offset + 400). */
function drillPortOffset(): number {
  const given = process.env.RINGLINE_DRILL_PORT_OFFSET
  if (given) return Number(given)
  return Number(process.env.RINGLINE_SANDBOX_PORT_OFFSET || 0) + 400
}

describe('drills: LiveKit processes killed mid-call (own sandbox)', { timeout: 240_000 }, () => {
  let sandbox: Sandbox
  let stateDir: string
  let h: Harness
  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'ringline-drills-sbx-'))
    sandbox = await startSandbox({
      stateDir,
      portOffset: drillPortOffset(),
      egress: false,
      log: (line) => process.stderr.write(`[drills sandbox] ${line}\n`),
    })
    h = await startHarness({}, sandbox.info)
  }, 300_000)
  afterAll(async () => {
    await h?.close()
    await sandbox?.stop()
    if (stateDir) rmSync(stateDir, { recursive: true, force: true })
  })

  const openCalls = async () =>
    (
      await h.ringline.store.query<{ id: string }>(
        'SELECT id FROM ringline_calls WHERE tenant_id = $1 AND ended_at IS NULL',
        [h.tenant],
      )
    ).rows

  /** Alice calls the sandbox's answering phone; resolves once the record is in progress and the phone answered. */
  const answeredPhoneCall = async () => {
    const since = Date.now()
    const dialed = await h.post('alice', '/calls', { to: sandbox.phone.numbers.answer })
    expect(dialed.status, JSON.stringify(dialed.body)).toBe(201)
    const call = dialed.body.call as { id: string; roomName: string }
    await h.waitForEvent(
      (e) => e.type === 'call.updated' && e.call.id === call.id && e.call.status === 'in-progress',
      60_000,
    )
    const answered = await sandbox.phone.waitFor(
      sandbox.phone.numbers.answer,
      (s) => s.calls.some((c) => c.answeredAt !== null),
      { since },
    )
    return { call, since, phoneCallId: answered.calls.find((c) => c.answeredAt !== null)!.callId }
  }
  const roomService = () =>
    new RoomServiceClient(sandbox.livekit.url, sandbox.livekit.apiKey, sandbox.livekit.apiSecret)

  itWithSip(
    'livekit-sip killed: the phone leg leaves the room, the record closes with a reason, no ghost call',
    async () => {
      const { call } = await answeredPhoneCall()

      await sandbox.stopProcess('livekit-sip')
      try {
        // LiveKit loses the phone leg's participant: the record closes, with a reason users can read.
        const ended = (await h.waitForEvent(
          (e): e is Ended => e.type === 'call.ended' && e.call.id === call.id,
          120_000,
        )) as Ended
        // It was talking: completed; lost, not hung up: endReason failed (LiveKit says CONNECTION_TIMEOUT).
        expect(ended.call).toMatchObject({ status: 'completed', endReason: 'failed' })
      } finally {
        await sandbox.startProcess('livekit-sip')
      }
      // No SIP participant is left in the room on LiveKit's side, and reconcile leaves no open record. (The sipp
      // phone itself gets no BYE: the killed livekit-sip cannot send one and the restarted one has no memory of the
      // call; a real carrier ends such a call on its own RTP or session timers, which the sandbox phone lacks.)
      const rooms = roomService()
      await until('no SIP participant left in the room', async () => {
        const participants = await rooms.listParticipants(call.roomName).catch(() => [])
        return participants.every((p) => !p.identity.startsWith('sip'))
      })
      await h.ringline.api.reconcile({ graceSeconds: 0 })
      expect(await openCalls()).toEqual([])
      const detail = await h.ringline.api.getCall(h.users.alice, call.id)
      expect(detail.call.endedAt).not.toBeNull()

      // livekit-sip is back: the next call connects.
      const again = await h.post('alice', '/calls', { to: sandbox.phone.numbers.answer })
      expect(again.status, JSON.stringify(again.body)).toBe(201)
      await h.waitForEvent(
        (e) =>
          e.type === 'call.updated' && e.call.id === again.body.call.id && e.call.status === 'in-progress',
        60_000,
      )
      const hung = await h.post('alice', `/calls/${again.body.call.id}/hangup`)
      expect(hung.body.call).toMatchObject({ status: 'completed', endReason: 'completed' })
    },
  )

  it('livekit-server killed: the client leaves `connected` within 30 s with a reason; reconcile closes the record', async () => {
    const a = await h.post('alice', '/rooms/drill/join')
    const b = await h.post('bob', '/rooms/drill/join')
    expect(a.status).toBe(200)
    const alice = new Room()
    const bob = new Room()
    await alice.connect(sandbox.livekit.wsUrl, a.body.connection.token)
    await bob.connect(sandbox.livekit.wsUrl, b.body.connection.token)
    await h.waitForEvent(
      (e) =>
        e.type === 'room.updated' &&
        e.room?.name === 'drill' &&
        e.room.participants.filter((p) => p.joinedAt !== null).length === 2,
    )
    const callId = a.body.room.callId as string
    const seen: Array<{ at: number; what: string }> = []
    alice.on(RoomEvent.Reconnecting, () => seen.push({ at: Date.now(), what: 'reconnecting' }))
    alice.on(RoomEvent.Disconnected, (reason: DisconnectReason) =>
      seen.push({ at: Date.now(), what: `disconnected: ${DisconnectReason[reason] ?? reason}` }),
    )
    alice.on(RoomEvent.ConnectionStateChanged, (state: ConnectionState) =>
      seen.push({ at: Date.now(), what: `state: ${ConnectionState[state] ?? state}` }),
    )

    const killedAt = Date.now()
    await sandbox.stopProcess('livekit-server')
    try {
      // The bound: out of `connected` within 30 s, with a reason (reconnecting, or disconnected and why).
      const left = await until('Alice out of connected', () =>
        alice.connectionState !== ConnectionState.CONN_CONNECTED ? seen.at(0) : undefined,
      )
      expect(left.at - killedAt).toBeLessThanOrEqual(30_000)
      expect(left.what).toMatch(/reconnecting|disconnected: \w+|state: CONN_(DISCONNECTED|RECONNECTING)/)
      // With no server to come back to, the client gives up (about 20 s here): disconnected, with a reason.
      await until('Alice disconnected for good', () =>
        alice.connectionState === ConnectionState.CONN_DISCONNECTED
          ? seen.find((x) => x.what.startsWith('disconnected: '))
          : undefined,
      )
    } finally {
      await sandbox.startProcess('livekit-server')
    }
    await alice.disconnect().catch(() => {})
    await bob.disconnect().catch(() => {})
    const result = await until('reconcile closed the call', async () => {
      const r = await h.ringline.api.reconcile({ graceSeconds: 0 }).catch(() => undefined)
      return r && (await openCalls()).length === 0 ? r : undefined
    })
    expect(result.checked).toBeGreaterThanOrEqual(0)
    const detail = await h.ringline.api.getCall(h.users.alice, callId)
    expect(detail.call).toMatchObject({ status: 'completed', endReason: 'stale' })
    expect(detail.call.endedAt).not.toBeNull()
    // Its stream heard the end, and the next pass finds nothing open: no ghost, though LiveKit (its rooms in Redis)
    // still lists the orphaned room.
    await h.waitForEvent((e) => e.type === 'room.updated' && e.name === 'drill' && e.room === null)
    expect((await h.ringline.api.reconcile({ graceSeconds: 0 })).closed).toEqual([])
  })

  itWithSip(
    'livekit-server down at hang-up: 503, call.ended goes out at once, and once LiveKit is back the phone is hung up',
    async () => {
      const { call, since, phoneCallId } = await answeredPhoneCall()

      await sandbox.stopProcess('livekit-server')
      try {
        const hung = await h.post('alice', `/calls/${call.id}/hangup`)
        expect(hung.status).toBe(503)
        expect(hung.body.error.code).toBe('LIVEKIT_UNAVAILABLE')
        // The record is closed and every tab hears it now, not once LiveKit is back.
        const ended = (await h.waitForEvent(
          (e): e is Ended => e.type === 'call.ended' && e.call.id === call.id,
          5_000,
        )) as Ended
        expect(ended.call).toMatchObject({ status: 'completed', endReason: 'completed' })
      } finally {
        await sandbox.startProcess('livekit-server')
      }
      // LiveKit is back (its rooms kept in Redis): Ringline's retry ends the room, so the phone gets its BYE.
      const rooms = roomService()
      await until('the phone hung up by LiveKit', async () => {
        const { calls } = await sandbox.phone.received(sandbox.phone.numbers.answer, { since })
        return calls.find((c) => c.callId === phoneCallId)?.endedAt ?? undefined
      })
      const listed = await rooms.listRooms([call.roomName])
      expect(listed.map((r) => r.name)).toEqual([])
      expect(h.logger.lines.some((l) => l.includes('ended the call in LiveKit on a retry'))).toBe(true)
      expect(await openCalls()).toEqual([])
    },
  )
})
