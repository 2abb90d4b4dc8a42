import type { RinglineEvent } from '@ringline/core/protocol'
import { connectSandbox } from '@ringline/sandbox'
import { itWithSip } from '@ringline/sandbox/vitest'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type Harness, joinWithAudio, startHarness } from './harness'

type Ended = Extract<RinglineEvent, { type: 'call.ended' }>

// Every test that places a call needs livekit-sip (itWithSip: skipped, with the reason, without it); the
// toll-fraud refusals send no INVITE and run everywhere.
// Calls take seconds and the machine is shared with other suites: generous per-test time.
describe('outbound calls through livekit-sip to the sipp phone', { timeout: 90_000 }, () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h.close())

  const dial = async (to: string) => {
    const res = await h.post('alice', '/calls', { to })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body.call as { id: string; roomName: string }
  }
  const ended = (id: string, timeoutMs = 30_000) =>
    h.waitForEvent((e): e is Ended => e.type === 'call.ended' && e.call.id === id, timeoutMs)

  itWithSip('answered: in-progress, then hang-up completes it and the phone sees the BYE', async () => {
    const since = Date.now()
    const call = await dial(h.sandbox.phone.numbers.answer)
    const updated = await h.waitForEvent(
      (e) => e.type === 'call.updated' && e.call.id === call.id && e.call.status === 'in-progress',
    )
    if (updated.type !== 'call.updated') throw new Error('unreachable')
    expect(updated.call.sipCallId).toMatch(/^SCL_/)
    expect(updated.call.answeredAt).not.toBeNull()
    const hung = await h.post('alice', `/calls/${call.id}/hangup`)
    expect(hung.body.call).toMatchObject({ status: 'completed', endReason: 'completed' })
    const seen = await h.sandbox.phone.waitFor(
      h.sandbox.phone.numbers.answer,
      (s) => s.calls.some((c) => c.answeredAt !== null && c.endedBy === 'remote'),
      { since },
    )
    expect(seen.invites).toBeGreaterThanOrEqual(1)
  })

  itWithSip('busy: 486 ends the call as busy with the SIP code kept', async () => {
    const call = await dial(h.sandbox.phone.numbers.busy)
    const e = await ended(call.id)
    expect(e.call).toMatchObject({ status: 'busy', endReason: 'busy', sipStatusCode: 486 })
  })

  itWithSip('declined: 603 ends the call as declined', async () => {
    const call = await dial(h.sandbox.phone.numbers.decline)
    const e = await ended(call.id)
    expect(e.call).toMatchObject({ status: 'declined', endReason: 'declined', sipStatusCode: 603 })
  })

  itWithSip('no answer: the ringing timeout ends the call as no-answer', async () => {
    const call = await dial(h.sandbox.phone.numbers.noAnswer)
    const e = await ended(call.id, 40_000)
    expect(e.call).toMatchObject({ status: 'no-answer', endReason: 'no-answer' })
  })

  itWithSip(
    'cancel: hanging up while it rings makes it canceled, and the dial result does not overwrite it',
    async () => {
      const call = await dial(h.sandbox.phone.numbers.noAnswer)
      await new Promise((r) => setTimeout(r, 1500))
      const hung = await h.post('alice', `/calls/${call.id}/hangup`)
      expect(hung.body.call).toMatchObject({ status: 'canceled', endReason: 'canceled' })
      await h.ringline.settled()
      const detail = await h.ringline.api.getCall(h.users.alice, call.id)
      expect(detail.call.status).toBe('canceled')
    },
  )

  itWithSip('far-end hang-up: the phone’s BYE completes the call through the webhook', async () => {
    const call = await dial(h.sandbox.phone.numbers.hangup)
    await h.waitForEvent(
      (e) => e.type === 'call.updated' && e.call.id === call.id && e.call.status === 'in-progress',
    )
    const e = await ended(call.id)
    expect(e.call).toMatchObject({ status: 'completed', endReason: 'completed' })
    expect(e.call.durationSeconds).toBeGreaterThanOrEqual(2)
  })

  it('toll fraud: refused destinations never reach the phone', async () => {
    const since = Date.now()
    for (const to of ['+442079460123', '+19005551234']) {
      const res = await h.post('alice', '/calls', { to })
      expect(res.status).toBe(403)
      expect(res.body.error.code).toBe('DESTINATION_NOT_ALLOWED')
    }
    await new Promise((r) => setTimeout(r, 1000))
    const all = await h.sandbox.phone.calls({ since })
    expect(all.filter((c) => c.number.includes('442079460123') || c.number.includes('9005551234'))).toEqual(
      [],
    )
    expect((await h.sandbox.phone.received('+442079460123', { since })).invites).toBe(0)
  })

  itWithSip(
    'transfer: refused targets are not sent; an allowed one is REFERred (and its failure reported)',
    async () => {
      const call = await dial(h.sandbox.phone.numbers.answer)
      await h.waitForEvent(
        (e) => e.type === 'call.updated' && e.call.id === call.id && e.call.status === 'in-progress',
      )
      const refused = await h.post('alice', `/calls/${call.id}/transfer`, { to: 'sip:anyone@evil.example' })
      expect(refused.body.error.code).toBe('DESTINATION_NOT_ALLOWED')
      const abroad = await h.post('alice', `/calls/${call.id}/transfer`, { to: '+442079460123' })
      expect(abroad.body.error.code).toBe('DESTINATION_NOT_ALLOWED')
      const res = await h.post('alice', `/calls/${call.id}/transfer`, {
        to: `tel:${h.sandbox.phone.numbers.answer}`,
      })
      // The sandbox phone (sipp) does not answer REFER: LiveKit reports the failed transfer, which must
      // surface as a coded 502 while the call stays up.
      expect(res.status).toBe(502)
      expect(res.body.error.code).toBe('TRANSFER_FAILED')
      expect((await h.ringline.api.getCall(h.users.alice, call.id)).call.status).toBe('in-progress')
      await h.post('alice', `/calls/${call.id}/hangup`)
    },
    60_000,
  )
})

describe('an outbound call waits for its caller before it dials', { timeout: 90_000 }, () => {
  let h: Harness
  beforeAll(async () => {
    const { sip } = connectSandbox(inject('ringlineSandbox'))
    h = await startHarness({
      sip: {
        outboundTrunkId: sip.outboundTrunkId,
        callerId: sip.callerId,
        ringingTimeout: 8,
        waitForCallerSeconds: 30,
      },
    })
  })
  afterAll(() => h.close())

  itWithSip(
    'the phone gets no INVITE until the caller has joined the room, then rings and connects',
    async () => {
      // A number of its own (the sandbox phone answers any unlisted number), so calls of suites running
      // alongside on the shared phone cannot be mistaken for this one.
      const number = `+1555010${String(9000 + Math.floor(Math.random() * 999))}`
      const since = Date.now()
      const res = await h.post('alice', '/calls', { to: number })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      const callId = res.body.call.id as string
      await new Promise((r) => setTimeout(r, 2500))
      expect((await h.sandbox.phone.received(number, { since })).invites).toBe(0)
      expect((await h.ringline.api.getCall(h.users.alice, callId)).call.status).toBe('initiated')

      const joinedAt = Date.now()
      const caller = await joinWithAudio(res.body.connection.serverUrl, res.body.connection.token)
      try {
        await h.waitForEvent(
          (e) => e.type === 'call.updated' && e.call.id === callId && e.call.status === 'in-progress',
          30_000,
        )
        const [phoneCall] = await h.sandbox.phone.calls({ number, since })
        expect(phoneCall?.invitedAt).toBeGreaterThanOrEqual(joinedAt)
        expect(phoneCall?.answeredAt).not.toBeNull()
      } finally {
        await h.post('alice', `/calls/${callId}/hangup`)
        await caller.stop()
      }
    },
  )

  itWithSip('a call hung up while it waits for its caller never reaches the phone', async () => {
    const number = `+1555010${String(8000 + Math.floor(Math.random() * 999))}`
    const since = Date.now()
    const res = await h.post('alice', '/calls', { to: number })
    expect(res.status).toBe(201)
    const callId = res.body.call.id as string
    await new Promise((r) => setTimeout(r, 500))
    const hung = await h.post('alice', `/calls/${callId}/hangup`)
    expect(hung.body.call).toMatchObject({ status: 'canceled' })
    // The wait notices the hang-up within one poll; settled() returns once the dial task has finished.
    await h.ringline.settled()
    expect((await h.sandbox.phone.received(number, { since })).invites).toBe(0)
    expect((await h.ringline.api.getCall(h.users.alice, callId)).call.status).toBe('canceled')
  })
})
