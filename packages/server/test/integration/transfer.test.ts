import type { RinglineEvent } from '@ringline/core/protocol'
import { itWithSip } from '@ringline/sandbox/vitest'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { type Harness, joinWithAudio, startHarness } from './harness'

type Ended = Extract<RinglineEvent, { type: 'call.ended' }>
type Incoming = Extract<RinglineEvent, { type: 'call.incoming' }>

const unique = (prefix: string) => `${prefix}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`
/** A phone number of its own that accepts transfers (the sandbox phone: every +1555011xxxx, like numbers.transfer). */
const transferNumber = () => unique('+1555011')
/** A phone number of its own that answers (and echoes) after one ring. */
const answeringNumber = () => unique('+1555018')
/**
 * A Ringline number for this file: the sandbox's phone sends calls to +1555000xxxx numbers to livekit-sip (the five
 * `freeNumbers` are taken by other suites).
 */
const COLLEAGUE_NUMBER = '+15550009021'

// Blind transfer end to end: Ringline sends the REFER (LiveKit TransferSIPParticipant), the sandbox phone accepts it
// and calls the target itself; the target is another phone, or a Ringline number a colleague answers.
describe('blind transfer of a phone call (SIP REFER) on the sandbox', { timeout: 90_000 }, () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
    await h.ringline.api.provisionNumber({ e164: COLLEAGUE_NUMBER, tenantId: h.tenant })
  })
  afterAll(() => h.close())

  const connected = async (to: string) => {
    const res = await h.post('alice', '/calls', { to })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const id = res.body.call.id as string
    await h.waitForEvent(
      (e) => e.type === 'call.updated' && e.call.id === id && e.call.status === 'in-progress',
    )
    // Talking: LiveKit's audio reaches the phone (a REFER a few ms after the answer can fail inside livekit-sip).
    await h.sandbox.phone.waitFor(to, (s) =>
      s.calls.some((c) => c.answeredAt !== null && c.audio.packets > 0),
    )
    return { id }
  }
  /** The response, and the server's last logged errors (a 502's cause: what LiveKit said), for a failure message. */
  const why = (res: { body: unknown }) =>
    [
      JSON.stringify(res.body),
      ...h.logger.lines.filter((l) => l.startsWith('{"level":"error"')).slice(-3),
    ].join('\n')
  const ended = (id: string) =>
    h.waitForEvent((e): e is Ended => e.type === 'call.ended' && e.call.id === id, 30_000)

  itWithSip(
    'to another phone: the caller is connected to the target, the record ends as transferred with the transfer on it',
    async () => {
      const since = Date.now()
      const number = transferNumber()
      const target = answeringNumber()
      const call = await connected(number)

      const res = await h.post('alice', `/calls/${call.id}/transfer`, { to: target })
      expect(res.status, why(res)).toBe(200)
      expect(res.body.call.transfer).toMatchObject({ kind: 'blind', to: `tel:${target}`, by: 'alice' })

      // At the phone: the transferee called the target from its own number, referred by Ringline's caller id,
      // and the target hears it (the transferee's audio reaches the target's RTP endpoint).
      const atTarget = await h.sandbox.phone.waitFor(
        target,
        (s) => s.calls.some((c) => c.direction === 'to-phone' && c.from === number && c.audio.rms > 0.05),
        { since, timeoutMs: 20_000 },
      )
      const leg = atTarget.calls.find((c) => c.direction === 'to-phone' && c.from === number)!
      expect(leg).toMatchObject({ status: 200, referredBy: h.sandbox.sip.callerId, endedAt: null })
      const { calls } = await h.sandbox.phone.received(number, { since })
      expect(calls[0]?.transfers).toEqual([
        expect.objectContaining({
          to: `tel:${target}`,
          notified: [100, 200],
          status: 200,
          callId: leg.callId,
        }),
      ])

      // LiveKit leaves the transferred call: the record closes as transferred, the event says so.
      const e = await ended(call.id)
      expect(e.call).toMatchObject({
        status: 'completed',
        endReason: 'transferred',
        transfer: { kind: 'blind', to: `tel:${target}`, by: 'alice' },
      })
      const detail = await h.ringline.api.getCall(h.users.alice, call.id)
      const types = (detail.timeline ?? []).map((t) => t.type)
      expect(types).toContain('transferred.blind')
      expect(types.indexOf('transferred.blind')).toBeLessThan(types.indexOf('ended'))
      expect(detail.timeline?.find((t) => t.type === 'ended')?.detail).toBe('transferred')
    },
  )

  itWithSip(
    'to a Ringline number: the transferred caller rings the team, Bob answers and talks to it; Alice’s call ends as transferred',
    async () => {
      const number = transferNumber()
      const call = await connected(number)

      const res = h.post('alice', `/calls/${call.id}/transfer`, { to: COLLEAGUE_NUMBER })
      // The REFER completes only once the target answers: answer the transferred call while it is pending.
      const incoming = await h.waitForEvent(
        (e): e is Incoming => e.type === 'call.incoming' && e.call.fromNumber === number,
      )
      expect(incoming.call).toMatchObject({ direction: 'inbound', toNumber: COLLEAGUE_NUMBER })
      const answer = await h.post('bob', `/calls/${incoming.call.id}/answer`)
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      const bob = await joinWithAudio(h.sandbox.livekit.wsUrl, answer.body.connection.token)
      try {
        const transferred = await res
        expect(transferred.status, why(transferred)).toBe(200)
        const e = await ended(call.id)
        expect(e.call).toMatchObject({
          endReason: 'transferred',
          transfer: { to: `tel:${COLLEAGUE_NUMBER}` },
        })
        // The transferred caller is in Bob's room: its SIP participant joined and stays while Alice's call is over.
        const bobsCall = await h.ringline.api.getCall(h.users.bob, incoming.call.id)
        expect(bobsCall.call).toMatchObject({ status: 'in-progress', answeredBy: 'bob', endedAt: null })
        expect(bobsCall.participants.some((p) => p.kind === 'sip' && p.joinedAt && !p.leftAt)).toBe(true)
        await h.post('bob', `/calls/${incoming.call.id}/hangup`)
      } finally {
        await bob.stop()
      }
    },
  )

  itWithSip(
    'an inbound call Alice answered: the caller is transferred to another phone and connected to it',
    async () => {
      const since = Date.now()
      const caller = unique('+1555000')
      const target = answeringNumber()
      // The caller's phone takes the REFER (a carrier's would): it calls the target itself.
      const phoneCall = h.sandbox.phone.call(COLLEAGUE_NUMBER, { from: caller, acceptTransfer: true })
      const incoming = await h.waitForEvent(
        (e): e is Incoming => e.type === 'call.incoming' && e.call.fromNumber === caller,
      )
      const answer = await h.post('alice', `/calls/${incoming.call.id}/answer`)
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      const alice = await joinWithAudio(h.sandbox.livekit.wsUrl, answer.body.connection.token)
      try {
        expect(await phoneCall.answered).toBe(true)
        await h.waitForEvent(
          (e) =>
            e.type === 'call.updated' && e.call.id === incoming.call.id && e.call.status === 'in-progress',
        )
        // Talking: Alice's audio reaches the caller's phone (as in `connected` above).
        await h.sandbox.phone.waitFor(COLLEAGUE_NUMBER, (s) =>
          s.calls.some((c) => c.callId === phoneCall.callId && c.audio.packets > 0),
        )
        const res = await h.post('alice', `/calls/${incoming.call.id}/transfer`, { to: target })
        expect(res.status, why(res)).toBe(200)
        const atTarget = await h.sandbox.phone.waitFor(
          target,
          (s) => s.calls.some((c) => c.direction === 'to-phone' && c.from === caller && c.audio.rms > 0.05),
          { since, timeoutMs: 20_000 },
        )
        expect(atTarget.calls.find((c) => c.from === caller)).toMatchObject({
          status: 200,
          referredBy: COLLEAGUE_NUMBER,
        })
        const e = await ended(incoming.call.id)
        expect(e.call).toMatchObject({
          direction: 'inbound',
          endReason: 'transferred',
          answeredBy: 'alice',
          transfer: { kind: 'blind', to: `tel:${target}`, by: 'alice' },
        })
        // LiveKit hung up the caller's first call; the caller's phone went on to the target.
        expect((await phoneCall).endedBy).toBe('remote')
      } finally {
        await alice.stop()
      }
    },
  )

  itWithSip(
    'a refused transfer (the target is busy) is a coded 502 and keeps the call as it was',
    async () => {
      const since = Date.now()
      const number = transferNumber()
      const call = await connected(number)
      const res = await h.post('alice', `/calls/${call.id}/transfer`, { to: h.sandbox.phone.numbers.busy })
      expect(res.status).toBe(502)
      expect(res.body.error).toMatchObject({ code: 'TRANSFER_FAILED', details: { sipStatusCode: 486 } })
      const detail = await h.ringline.api.getCall(h.users.alice, call.id)
      expect(detail.call).toMatchObject({ status: 'in-progress', endedAt: null })
      expect(detail.call.transfer ?? null).toBeNull()
      // The phone reported the target's answer and is still on the call.
      const { calls } = await h.sandbox.phone.received(number, { since })
      expect(calls[0]).toMatchObject({ endedAt: null, transfers: [expect.objectContaining({ status: 486 })] })
      const hung = await h.post('alice', `/calls/${call.id}/hangup`)
      expect(hung.body.call).toMatchObject({ status: 'completed', endReason: 'completed' })
    },
  )
})
