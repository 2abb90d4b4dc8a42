import type { RinglineEvent } from '@ringline/core/protocol'
import { audioLevel } from '@ringline/sandbox'
import { itWithSip } from '@ringline/sandbox/vitest'
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { type Harness, joinWithAudio, startHarness } from './harness'

type Updated = Extract<RinglineEvent, { type: 'call.updated' }>
type Incoming = Extract<RinglineEvent, { type: 'call.incoming' }>
/** A Ringline number for this file (the sandbox phone sends +1555000xxxx to livekit-sip; others use theirs). */
const TEAM_NUMBER = '+15550009321'

const unique = (prefix: string) => `${prefix}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`
/** A phone number of its own that answers (and echoes) after one ring. */
const answeringNumber = () => unique('+1555018')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// Warm transfer to a phone number on the real stack: the consulted phone is dialled into the call's room, kept apart
// from the held caller by subscriptions, and joined to it on completion. Both phones are sandbox echo phones: what a
// phone hears is what reaches its RTP endpoint (the hub's audio levels), and each echoes it back into the room.
describe('warm transfer to a phone number (consult in the call room) on the sandbox', {
  timeout: 120_000,
}, () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
    await h.ringline.api.provisionNumber({ e164: TEAM_NUMBER, tenantId: h.tenant })
  })
  afterAll(() => h.close())

  /** Alice calls a phone of its own and joins the room (her track stands for the hold music: 440 Hz). */
  const connected = async () => {
    const caller = answeringNumber()
    const res = await h.post('alice', '/calls', { to: caller })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    const id = res.body.call.id as string
    const roomName = res.body.call.roomName as string
    const alice = await joinWithAudio(h.sandbox.livekit.wsUrl, res.body.connection.token)
    await h.waitForEvent(
      (e) => e.type === 'call.updated' && e.call.id === id && e.call.status === 'in-progress',
      30_000,
    )
    await h.sandbox.phone.waitFor(caller, (s) => s.calls.some((c) => c.audio.rms > 0.05), {
      timeoutMs: 20_000,
    })
    return { id, roomName, caller, alice }
  }
  const consultState = (id: string, state: string) =>
    h.waitForEvent(
      (e): e is Updated => e.type === 'call.updated' && e.call.id === id && e.call.consult?.state === state,
      30_000,
    )
  /** The level a phone heard from `from` to now (its latest call). */
  const heard = async (number: string, from: number) => {
    const { calls } = await h.sandbox.phone.received(number, { since: from - 60_000 })
    const call = calls.at(-1)
    expect(call, `no call reached ${number}`).toBeDefined()
    return audioLevel(call!.audio, from, Date.now())
  }
  /** Lets a window of audio pass and returns when it started (after the sources' ~1 s of queued audio). */
  const window = async (ms = 2500) => {
    await sleep(1500)
    const from = Date.now()
    await sleep(ms)
    return from
  }

  itWithSip(
    'complete: the caller and the consulted phone end in one room and hear each other, Alice leaves, the record shows the warm transfer',
    async () => {
      const { id, roomName, caller, alice } = await connected()
      const target = answeringNumber()
      const res = await h.post('alice', `/calls/${id}/consult`, { to: target })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      expect(res.body.call.consult).toMatchObject({ to: `tel:${target}`, by: 'alice', state: 'ringing' })
      expect(res.body.connection).toMatchObject({ roomName, identity: `${h.tenant}:alice~consult` })
      // Alice's consult voice starts silent: first check what the hold music reaches.
      const voice = await joinWithAudio(h.sandbox.livekit.wsUrl, res.body.connection.token, 0)
      try {
        await consultState(id, 'connected')
        const atPhone = await h.sandbox.phone.waitFor(target, (s) => s.calls.some((c) => c.answeredAt), {
          timeoutMs: 10_000,
        })
        expect(atPhone.calls.at(-1)).toMatchObject({ direction: 'to-phone', endedAt: null })

        // Hold music on, consult voice silent: the caller hears the music, the consulted phone hears neither it
        // nor the caller (who echoes the music).
        let from = await window()
        expect(await heard(caller, from)).toBeGreaterThan(0.05)
        expect(await heard(target, from)).toBeLessThan(0.01)

        // Music off, Alice talks to the consulted phone: it hears her, the caller hears neither her nor the phone
        // (which echoes her).
        alice.setAmplitude(0)
        voice.setAmplitude(8000)
        from = await window()
        expect(await heard(target, from)).toBeGreaterThan(0.05)
        expect(await heard(caller, from)).toBeLessThan(0.01)

        const done = await h.post('alice', `/calls/${id}/consult/complete`)
        expect(done.status, JSON.stringify(done.body)).toBe(200)
        expect(done.body.call).toMatchObject({
          status: 'in-progress',
          transfer: { kind: 'warm', to: `tel:${target}`, by: 'alice' },
        })
        expect(done.body.call.consult ?? null).toBeNull()

        // Alice's leg ends: both of her connections are removed (her client would leave at once); the phones stay.
        const room = new RoomServiceClient(
          h.sandbox.livekit.url,
          h.sandbox.livekit.apiKey,
          h.sandbox.livekit.apiSecret,
        )
        let identities: string[] = []
        for (let i = 0; i < 150; i++) {
          identities = (await room.listParticipants(roomName)).map((p) => p.identity).sort()
          if (identities.length === 2) break
          await sleep(100)
        }
        expect(identities).toEqual([`consult-phone-${id}`, `phone-${id}`].sort())

        // The phones hear each other: a tone only the caller receives reaches the consulted phone through the
        // caller's echo, and one only the consulted phone receives reaches the caller.
        const token = new AccessToken(h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret, {
          identity: 'probe',
        })
        token.addGrant({ roomJoin: true, room: roomName, canPublish: true, canSubscribe: false })
        const probe = await joinWithAudio(h.sandbox.livekit.wsUrl, await token.toJwt())
        try {
          let probeTrack: string | undefined
          for (let i = 0; i < 50 && !probeTrack; i++) {
            probeTrack = (await room.listParticipants(roomName)).find((p) => p.identity === 'probe')
              ?.tracks[0]?.sid
            if (!probeTrack) await sleep(100)
          }
          expect(probeTrack).toBeDefined()
          await room.updateSubscriptions(roomName, `consult-phone-${id}`, [probeTrack!], false)
          from = await window()
          expect(await heard(target, from)).toBeGreaterThan(0.05)

          await room.updateSubscriptions(roomName, `consult-phone-${id}`, [probeTrack!], true)
          await room.updateSubscriptions(roomName, `phone-${id}`, [probeTrack!], false)
          from = await window()
          expect(await heard(caller, from)).toBeGreaterThan(0.05)
        } finally {
          await probe.stop()
        }

        // The call goes on between the phones; the record has the warm transfer and its timeline.
        const detail = await h.ringline.api.getCall(h.users.alice, id)
        expect(detail.call).toMatchObject({
          status: 'in-progress',
          endedAt: null,
          transfer: { kind: 'warm', to: `tel:${target}` },
        })
        const hung = await h.post('alice', `/calls/${id}/hangup`)
        expect(hung.body.call).toMatchObject({ status: 'completed' })
        await h.sandbox.phone.waitFor(target, (s) => s.calls.some((c) => c.endedAt !== null), {
          timeoutMs: 10_000,
        })
      } finally {
        await voice.stop()
        await alice.stop()
      }
    },
  )

  itWithSip('cancel: the consulted phone gets a BYE, the caller hears Alice again', async () => {
    const { id, caller, alice } = await connected()
    const target = answeringNumber()
    const res = await h.post('alice', `/calls/${id}/consult`, { to: target })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const voice = await joinWithAudio(h.sandbox.livekit.wsUrl, res.body.connection.token)
    try {
      await consultState(id, 'connected')
      alice.setAmplitude(0)
      let from = await window()
      expect(await heard(caller, from)).toBeLessThan(0.01)

      const canceled = await h.post('alice', `/calls/${id}/consult/cancel`)
      expect(canceled.status, JSON.stringify(canceled.body)).toBe(200)
      expect(canceled.body.call).toMatchObject({ status: 'in-progress' })
      expect(canceled.body.call.consult ?? null).toBeNull()
      const atPhone = await h.sandbox.phone.waitFor(target, (s) => s.calls.some((c) => c.endedAt !== null), {
        timeoutMs: 10_000,
      })
      expect(atPhone.calls.at(-1)).toMatchObject({ endedBy: 'remote' })

      // Resumed: the caller hears Alice (her call track), the call is still hers.
      alice.setAmplitude(8000)
      from = await window()
      expect(await heard(caller, from)).toBeGreaterThan(0.05)
      const detail = await h.ringline.api.getCall(h.users.alice, id)
      expect(detail.call).toMatchObject({ status: 'in-progress', endedAt: null })
      expect(detail.call.transfer ?? null).toBeNull()
      await h.post('alice', `/calls/${id}/hangup`)
    } finally {
      await voice.stop()
      await alice.stop()
    }
  })

  itWithSip(
    'the consulted phone hangs up during the consult: Alice sees it ended and cancels back to the caller',
    async () => {
      const { id, alice } = await connected()
      const res = await h.post('alice', `/calls/${id}/consult`, { to: h.sandbox.phone.numbers.hangup })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      const voice = await joinWithAudio(h.sandbox.livekit.wsUrl, res.body.connection.token)
      try {
        await consultState(id, 'connected')
        const ended = await consultState(id, 'ended')
        expect(ended.call.consult).toMatchObject({
          endReason: 'hangup',
          to: `tel:${h.sandbox.phone.numbers.hangup}`,
        })
        expect(ended.call).toMatchObject({ status: 'in-progress', endedAt: null })
        expect((await h.post('alice', `/calls/${id}/consult/complete`)).body.error.code).toBe(
          'CALL_NOT_ACTIVE',
        )
        const canceled = await h.post('alice', `/calls/${id}/consult/cancel`)
        expect(canceled.body.call.consult ?? null).toBeNull()
        expect(canceled.body.call).toMatchObject({ status: 'in-progress' })
        await h.post('alice', `/calls/${id}/hangup`)
      } finally {
        await voice.stop()
        await alice.stop()
      }
    },
  )

  itWithSip('a busy consulted phone: the consult is ended (busy), the call goes on', async () => {
    const { id, alice } = await connected()
    const res = await h.post('alice', `/calls/${id}/consult`, { to: h.sandbox.phone.numbers.busy })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    try {
      const ended = await consultState(id, 'ended')
      expect(ended.call.consult).toMatchObject({ endReason: 'busy' })
      expect(ended.call).toMatchObject({ status: 'in-progress', endedAt: null })
      await h.post('alice', `/calls/${id}/consult/cancel`)
      await h.post('alice', `/calls/${id}/hangup`)
    } finally {
      await alice.stop()
    }
  })

  itWithSip(
    'an inbound call Alice answered: her consult voice may join the caller’s room, the phone is handed the caller',
    async () => {
      const since = Date.now()
      const from = unique('+1555000')
      const phoneCall = h.sandbox.phone.call(TEAM_NUMBER, { from })
      const incoming = await h.waitForEvent(
        (e): e is Incoming => e.type === 'call.incoming' && e.call.fromNumber === from,
      )
      const id = incoming.call.id
      const answer = await h.post('alice', `/calls/${id}/answer`)
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      const alice = await joinWithAudio(h.sandbox.livekit.wsUrl, answer.body.connection.token)
      const callerHeard = async (at: number) => {
        const record = (await h.sandbox.phone.calls({ since })).find((c) => c.callId === phoneCall.callId)
        expect(record).toBeDefined()
        return audioLevel(record!.audio, at, Date.now())
      }
      let voice: Awaited<ReturnType<typeof joinWithAudio>> | null = null
      try {
        expect(await phoneCall.answered).toBe(true)
        await h.waitForEvent(
          (e) => e.type === 'call.updated' && e.call.id === id && e.call.status === 'in-progress',
        )
        const target = answeringNumber()
        const res = await h.post('alice', `/calls/${id}/consult`, { to: target })
        expect(res.status, JSON.stringify(res.body)).toBe(200)
        voice = await joinWithAudio(h.sandbox.livekit.wsUrl, res.body.connection.token)
        await consultState(id, 'connected')
        alice.setAmplitude(0)
        const from1 = await window()
        expect(await heard(target, from1)).toBeGreaterThan(0.05)
        expect(await callerHeard(from1)).toBeLessThan(0.01)
        // Not refused as an outsider: the consult voice is still in the room, recorded on the call.
        const detail = await h.ringline.api.getCall(h.users.alice, id)
        expect(detail.participants.map((p) => p.identity)).toContain(`${h.tenant}:alice~consult`)

        const done = await h.post('alice', `/calls/${id}/consult/complete`)
        expect(done.status, JSON.stringify(done.body)).toBe(200)
        expect(done.body.call).toMatchObject({
          direction: 'inbound',
          status: 'in-progress',
          answeredBy: 'alice',
          transfer: { kind: 'warm', to: `tel:${target}`, by: 'alice' },
        })
        // The timeline has the hand-over (the complete test above proves the two phones hear each other).
        const after = await h.ringline.api.getCall(h.users.alice, id)
        expect((after.timeline ?? []).map((t) => t.type)).toContain('transferred.warm')
        // The consulted phone hangs up: the call ends (the caller gets a BYE), completed.
        const room = new RoomServiceClient(
          h.sandbox.livekit.url,
          h.sandbox.livekit.apiKey,
          h.sandbox.livekit.apiSecret,
        )
        await room.removeParticipant(incoming.call.roomName, `consult-phone-${id}`)
        const ended = await h.waitForEvent((e) => e.type === 'call.ended' && e.call.id === id, 20_000)
        expect(ended.type === 'call.ended' && ended.call).toMatchObject({ status: 'completed' })
        expect((await phoneCall).endedBy).toBe('remote')
      } finally {
        await voice?.stop()
        await alice.stop()
      }
    },
  )
})
