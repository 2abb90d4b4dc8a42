// An answer whose media never connects is released (by its client, or by the instance that took the claim once
// `sip.answerConnectSeconds` passed) and the call rings again, across two instances on one PostgreSQL. LiveKit is
// unreachable here: whether the answerer joined comes from the webhooks' record of the room.
import type { RinglineEvent } from '@ringline/core/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ringline } from '../src/ringline'
import { instancesOnOnePostgres, req, USERS } from './helpers'
import { signedWebhook } from './webhookSigner'

const alice = USERS.alice!
const bob = USERS.bob!

/** An inbound call ringing through instance `on` (its SIP participant's join); its id and room. */
async function ringingCall(
  on: Ringline,
  tag: string,
): Promise<{ id: string; room: { name: string; sid: string } }> {
  const room = { name: `in-acme_+15550001111_${tag}`, sid: `RM_${tag}` }
  const caller = {
    sid: `PA_${tag}`,
    identity: `sip_${tag}`,
    kind: 'SIP',
    joinedAt: String(Math.floor(Date.now() / 1000)),
    attributes: { 'sip.phoneNumber': '+15550001111', 'ringline.tenant': 'acme' },
  }
  const res = await on.handler(
    await signedWebhook({ event: 'participant_joined', room, participant: caller }),
  )
  expect(res.status).toBe(200)
  const { rows } = await on.store.query<{ id: string }>(
    'SELECT id FROM ringline_calls WHERE room_name = $1',
    [room.name],
  )
  return { id: rows[0]!.id, room }
}

/** The answerer's browser joining the room (LiveKit's webhook), delivered to `on`. */
async function joined(on: Ringline, room: { name: string; sid: string }, userId: string, tag: string) {
  const participant = {
    sid: `PA_${userId}_${tag}`,
    identity: `acme:${userId}`,
    kind: 'STANDARD',
    joinedAt: String(Math.floor(Date.now() / 1000)),
  }
  const res = await on.handler(await signedWebhook({ event: 'participant_joined', room, participant }))
  expect(res.status).toBe(200)
}

/** Events `user` receives through instance `on`. */
function stream(on: Ringline, user: typeof alice) {
  const events: RinglineEvent[] = []
  const off = on.api.subscribe(user, (e) => events.push(e))
  const incoming = (id: string) => events.filter((e) => e.type === 'call.incoming' && e.call.id === id)
  return { events, off, incoming }
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  )

describe('releasing an answer that did not connect, across two instances on one PostgreSQL', () => {
  let a: Ringline
  let b: Ringline
  beforeAll(async () => {
    // Automatic release off here: the requests are what is tested.
    ;[a, b] = (await instancesOnOnePostgres(2, { sip: { answerConnectSeconds: 0 } })) as [Ringline, Ringline]
  })
  afterAll(async () => {
    await a.close()
    await b.close()
  })

  it('the claim taken on A is released on B, the call rings again everywhere, idempotent, with stable errors', async () => {
    const bobOnA = stream(a, bob)
    try {
      const { id, room } = await ringingCall(b, 'r1')
      await expect.poll(() => bobOnA.incoming(id).length).toBe(1)
      const answered = await a.api.answerCall(alice, id)
      expect(answered.call).toMatchObject({ status: 'in-progress', answeredBy: 'alice' })
      // Bob cannot answer it while Alice holds it, nor release it.
      expect(await codeOf(b.api.answerCall(bob, id))).toBe('CALL_ALREADY_ANSWERED')
      expect(await codeOf(b.api.releaseAnswer(bob, id))).toBe('CALL_ALREADY_ANSWERED')

      // Alice's browser never got into the room: her client releases the answer through the other instance.
      const released = await b.api.releaseAnswer(alice, id)
      expect(released.call).toMatchObject({ status: 'ringing', answeredBy: null, answeredAt: null })
      // Bob's stream, on A, rings again (a second call.incoming for the same call).
      await expect.poll(() => bobOnA.incoming(id).length).toBe(2)
      // Idempotent: the call is ringing already.
      expect((await a.api.releaseAnswer(alice, id)).call.status).toBe('ringing')

      // Bob answers through B and his browser joins: his answer holds.
      expect((await b.api.answerCall(bob, id)).call).toMatchObject({
        status: 'in-progress',
        answeredBy: 'bob',
      })
      expect(await codeOf(a.api.releaseAnswer(alice, id))).toBe('CALL_ALREADY_ANSWERED')
      await joined(a, room, 'bob', 'r1')
      expect(await codeOf(a.api.releaseAnswer(bob, id))).toBe('CALL_NOT_ACTIVE')
      const record = await b.api.getCall(bob, id)
      expect(record.call).toMatchObject({ status: 'in-progress', answeredBy: 'bob', endedAt: null })

      expect(await codeOf(a.api.releaseAnswer(alice, 'no-such-call'))).toBe('CALL_NOT_FOUND')
      // The room finishes (the call ends): nothing left to release.
      const finished = await a.handler(await signedWebhook({ event: 'room_finished', room }))
      expect(finished.status).toBe(200)
      expect((await a.api.getCall(bob, id)).call.status).toBe('completed')
      expect(await codeOf(b.api.releaseAnswer(bob, id))).toBe('CALL_NOT_ACTIVE')
    } finally {
      bobOnA.off()
    }
  })

  it('the route answers with the stable codes', async () => {
    const { id } = await ringingCall(a, 'r2')
    await a.api.answerCall(alice, id)
    const post = (on: Ringline, user: string) => on.handler(req('POST', `/calls/${id}/release`, { user }))
    const refused = await post(b, 'bob')
    expect(refused.status).toBe(409)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('CALL_ALREADY_ANSWERED')
    const ok = await post(b, 'alice')
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { call: { status: string } }).call.status).toBe('ringing')
    const again = await post(a, 'alice')
    expect(again.status).toBe(200)
  })
})

describe('the automatic release after sip.answerConnectSeconds', () => {
  let a: Ringline
  let b: Ringline
  beforeAll(async () => {
    ;[a, b] = (await instancesOnOnePostgres(2, { sip: { answerConnectSeconds: 3 } })) as [Ringline, Ringline]
  })
  afterAll(async () => {
    await a.close()
    await b.close()
  })

  it('an answerer who never joins loses the claim: the call rings the others again through the other instance', async () => {
    const bobOnB = stream(b, bob)
    try {
      const { id } = await ringingCall(b, 'w1')
      await a.api.answerCall(alice, id)
      await expect.poll(() => bobOnB.incoming(id).length, { timeout: 20_000 }).toBe(2)
      const record = await b.api.getCall(bob, id)
      expect(record.call).toMatchObject({ status: 'ringing', answeredBy: null, endedAt: null })
      // Bob takes it.
      expect((await b.api.answerCall(bob, id)).call.answeredBy).toBe('bob')
    } finally {
      bobOnB.off()
    }
  })

  it('an answerer who joined keeps the call', async () => {
    const { id, room } = await ringingCall(a, 'w2')
    await a.api.answerCall(alice, id)
    await joined(b, room, 'alice', 'w2')
    // Past the bound (3 s) with margin: still Alice's.
    await new Promise((resolve) => setTimeout(resolve, 6_000))
    await a.settled()
    const record = await b.api.getCall(alice, id)
    expect(record.call).toMatchObject({ status: 'in-progress', answeredBy: 'alice', endedAt: null })
  })
})
