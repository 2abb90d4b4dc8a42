// An answer whose media never connects, on the real stack: the sipp phone calls in, the winner of the claim never
// gets into the room, and the call rings the others again; a second agent answers and the phone gets its 200 OK.
import { Room, RoomEvent } from '@livekit/rtc-node'
import type { RinglineEvent } from '@ringline/core/protocol'
import { itWithSip } from '@ringline/sandbox/vitest'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { type Harness, joinWithAudio, startHarness } from './harness'

type Incoming = Extract<RinglineEvent, { type: 'call.incoming' }>

describe('an answer that fails to connect rings the others again (sipp phone)', { timeout: 180_000 }, () => {
  let h: Harness
  let number: string
  beforeAll(async () => {
    // A short bound, so the automatic release is seen within the test.
    h = await startHarness({ sip: { answerConnectSeconds: 5 } })
    // Its own number (the inbound suite provisions freeNumbers[0] for another tenant).
    number = h.sandbox.sip.freeNumbers[5] as string
    await h.ringline.api.provisionNumber({ e164: number, tenantId: h.tenant })
  })
  afterAll(async () => {
    await h?.close()
  })

  /** Every `call.incoming` of the call from `from` seen so far. */
  const incomings = (from: string) =>
    h.events.filter((e): e is Incoming => e.type === 'call.incoming' && e.call.fromNumber === from)

  /** Waits for the `n`-th `call.incoming` of the call from `from`. */
  async function ringsTimes(from: string, n: number, timeoutMs = 60_000): Promise<Incoming> {
    const deadline = Date.now() + timeoutMs
    while (incomings(from).length < n) {
      if (Date.now() > deadline)
        throw new Error(`call from ${from} rang ${incomings(from).length} times, not ${n}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    return incomings(from)[n - 1] as Incoming
  }

  itWithSip(
    'the winner’s client cannot reach LiveKit and releases; the call rings again, Bob answers, the phone connects',
    async () => {
      const from = '+15550001301'
      const phoneCall = h.sandbox.phone.call(number, { from, timeoutMs: 90_000 })
      const first = await ringsTimes(from, 1)
      const won = await h.post('alice', `/calls/${first.call.id}/answer`)
      expect(won.status).toBe(200)
      // Alice's client is given a LiveKit it cannot reach: the connect fails...
      const room = new Room()
      const failed = await room.connect('ws://127.0.0.1:9', won.body.connection.token).then(
        () => false,
        () => true,
      )
      expect(failed).toBe(true)
      // ...so it releases the claim (what core does), and the call rings everyone again.
      const released = await h.post('alice', `/calls/${first.call.id}/release`)
      expect(released.status, JSON.stringify(released.body)).toBe(200)
      expect(released.body.call).toMatchObject({ status: 'ringing', answeredBy: null })
      const again = await ringsTimes(from, 2)
      expect(again.call).toMatchObject({ id: first.call.id, status: 'ringing' })

      const bob = await h.post('bob', `/calls/${first.call.id}/answer`)
      expect(bob.status, JSON.stringify(bob.body)).toBe(200)
      const agent = await joinWithAudio(h.sandbox.livekit.wsUrl, bob.body.connection.token)
      try {
        // The phone gets its 200 OK only now: it kept ringing through the failed answer.
        expect(await phoneCall.answered).toBe(true)
        const detail = await h.ringline.api.getCall(h.users.bob, first.call.id)
        expect(detail.call).toMatchObject({ status: 'in-progress', answeredBy: 'bob', endedAt: null })
        const hung = await h.post('bob', `/calls/${first.call.id}/hangup`)
        expect(hung.body.call).toMatchObject({ status: 'completed', answeredBy: 'bob' })
        const result = await phoneCall
        expect(result.answered).toBe(true)
        expect(result.audio.packets).toBeGreaterThan(0)
      } finally {
        await agent.stop()
      }
    },
  )

  itWithSip(
    'the winner never joins at all: after sip.answerConnectSeconds the claim is released, Bob answers, the phone connects',
    async () => {
      const from = '+15550001302'
      const phoneCall = h.sandbox.phone.call(number, { from, timeoutMs: 90_000 })
      const first = await ringsTimes(from, 1)
      const won = await h.post('alice', `/calls/${first.call.id}/answer`)
      expect(won.status).toBe(200)
      // Alice's browser is gone (closed tab, dead network): nothing of hers joins. The server releases her claim.
      const again = await ringsTimes(from, 2)
      expect(again.call).toMatchObject({ id: first.call.id, status: 'ringing', answeredBy: null })

      const bob = await h.post('bob', `/calls/${first.call.id}/answer`)
      expect(bob.status, JSON.stringify(bob.body)).toBe(200)
      const agent = await joinWithAudio(h.sandbox.livekit.wsUrl, bob.body.connection.token)
      try {
        expect(await phoneCall.answered).toBe(true)
        const hung = await h.post('bob', `/calls/${first.call.id}/hangup`)
        expect(hung.body.call).toMatchObject({ status: 'completed', answeredBy: 'bob' })
        expect((await phoneCall).answered).toBe(true)
      } finally {
        await agent.stop()
      }
    },
  )

  itWithSip(
    'the released answerer joins later with her old token: LiveKit removes her, Bob keeps the call',
    async () => {
      const from = '+15550001303'
      const phoneCall = h.sandbox.phone.call(number, { from, timeoutMs: 90_000 })
      const first = await ringsTimes(from, 1)
      const won = await h.post('alice', `/calls/${first.call.id}/answer`)
      expect(won.status).toBe(200)
      expect((await h.post('alice', `/calls/${first.call.id}/release`)).status).toBe(200)
      await ringsTimes(from, 2)
      const bob = await h.post('bob', `/calls/${first.call.id}/answer`)
      expect(bob.status, JSON.stringify(bob.body)).toBe(200)
      const agent = await joinWithAudio(h.sandbox.livekit.wsUrl, bob.body.connection.token)
      const late = new Room()
      try {
        expect(await phoneCall.answered).toBe(true)
        // Alice's browser finally gets through, with the token of the answer she gave back.
        const removed = new Promise<void>((resolve) => late.once(RoomEvent.Disconnected, () => resolve()))
        await late.connect(h.sandbox.livekit.wsUrl, won.body.connection.token)
        await removed
        expect(late.isConnected).toBe(false)
        const { RoomServiceClient } = await import('livekit-server-sdk')
        const rooms = new RoomServiceClient(
          h.sandbox.livekit.url,
          h.sandbox.livekit.apiKey,
          h.sandbox.livekit.apiSecret,
        )
        const identities = (await rooms.listParticipants(first.call.roomName)).map((p) => p.identity)
        expect(identities).not.toContain(`${h.tenant}:alice`)
        expect(identities).toContain(`${h.tenant}:bob`)
        await h.ringline.settled()
        const detail = await h.ringline.api.getCall(h.users.bob, first.call.id)
        expect(detail.call).toMatchObject({ status: 'in-progress', answeredBy: 'bob', endedAt: null })
        const hung = await h.post('bob', `/calls/${first.call.id}/hangup`)
        expect(hung.body.call).toMatchObject({ status: 'completed', answeredBy: 'bob' })
        expect((await phoneCall).answered).toBe(true)
      } finally {
        await late.disconnect().catch(() => undefined)
        await agent.stop()
      }
    },
  )
})
