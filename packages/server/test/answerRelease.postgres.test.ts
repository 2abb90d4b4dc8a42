// An answer whose media never connects is released (by its client, or by the instance that took the claim once
// `sip.answerConnectSeconds` passed) and the call rings again, across two instances on one PostgreSQL. LiveKit is
// unreachable here: whether the answerer joined comes from the webhooks' record of the room.
import type { RinglineEvent } from '@ringline/core/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ringline } from '../src/ringline'
import { captureLogger, instancesOnOnePostgres, req, USERS } from './helpers'
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

/** A user's browser joining (or leaving) the room (LiveKit's webhook), delivered to `on`. */
async function joined(
  on: Ringline,
  room: { name: string; sid: string },
  userId: string,
  tag: string,
  event: 'participant_joined' | 'participant_left' = 'participant_joined',
) {
  const participant = {
    sid: `PA_${userId}_${tag}`,
    identity: `acme:${userId}`,
    kind: 'STANDARD',
    joinedAt: String(Math.floor(Date.now() / 1000)),
  }
  const res = await on.handler(await signedWebhook({ event, room, participant }))
  expect(res.status).toBe(200)
}

/** The call's participant rows: identity → whether present. */
async function participants(on: Ringline, id: string): Promise<Record<string, boolean>> {
  const { rows } = await on.store.query<{ identity: string; joined_at: unknown; left_at: unknown }>(
    'SELECT identity, joined_at, left_at FROM ringline_call_participants WHERE call_id = $1',
    [id],
  )
  return Object.fromEntries(rows.map((r) => [r.identity, r.joined_at !== null && r.left_at === null]))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

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
    await sleep(6_000)
    await a.settled()
    const record = await b.api.getCall(alice, id)
    expect(record.call).toMatchObject({ status: 'in-progress', answeredBy: 'alice', endedAt: null })
  })
})

describe('reconcile releases an answer that never connected when the instance that took it is gone', () => {
  let a: Ringline
  let b: Ringline
  let c: Ringline
  beforeAll(async () => {
    ;[a, b, c] = (await instancesOnOnePostgres(3, { sip: { answerConnectSeconds: 3 } })) as [
      Ringline,
      Ringline,
      Ringline,
    ]
  })
  afterAll(async () => {
    await b.close()
    await c.close()
  })

  it('A claims and dies; reconcile on B and C at once releases it once; a connected claim is kept', async () => {
    const bobOnC = stream(c, bob)
    try {
      const { id, room } = await ringingCall(b, 'x1')
      await expect.poll(() => bobOnC.incoming(id).length).toBe(1)
      const answered = await a.api.answerCall(alice, id)
      // A closes with its watch pending: nothing on A will ever release the claim.
      await a.close()
      // Within the bound, reconcile leaves the claim alone.
      expect((await b.api.reconcile()).released).toEqual([])
      await sleep(3_500)
      // Both instances reconcile at once: one release, one call.incoming.
      const [onB, onC] = await Promise.all([b.api.reconcile(), c.api.reconcile()])
      expect([...onB.released, ...onC.released]).toEqual([id])
      await expect.poll(() => bobOnC.incoming(id).length).toBe(2)
      const record = await c.api.getCall(bob, id)
      expect(record.call).toMatchObject({ status: 'ringing', answeredBy: null, endedAt: null })
      expect(answered.call.answeredAt).not.toBeNull()
      // A pass later: nothing more to release, no third ring.
      expect((await b.api.reconcile()).released).toEqual([])

      // Bob answers and his browser joins: his claim holds past the bound, through any number of passes.
      await b.api.answerCall(bob, id)
      await joined(c, room, 'bob', 'x1')
      await sleep(3_500)
      expect((await c.api.reconcile()).released).toEqual([])
      await b.settled()
      expect((await c.api.getCall(bob, id)).call).toMatchObject({ status: 'in-progress', answeredBy: 'bob' })
      expect(bobOnC.incoming(id)).toHaveLength(2)
    } finally {
      bobOnC.off()
    }
  })

  it('a call handed on by a warm transfer is not released while the colleague joins', async () => {
    const { id, room } = await ringingCall(b, 'x2')
    await b.api.answerCall(alice, id)
    await joined(b, room, 'alice', 'x2')
    const post = async (user: string, path: string, body?: unknown) => {
      const res = await c.handler(req('POST', `/calls/${id}${path}`, { user, body }))
      expect(res.status, path).toBe(200)
    }
    await post('alice', '/consult', { userId: 'bob' })
    await post('bob', '/consult/answer')
    await post('alice', '/consult/complete')
    // Bob holds the call (answered long ago, by Alice's clock) and has not joined its room yet.
    await sleep(3_500)
    expect((await b.api.reconcile()).released).toEqual([])
    expect((await b.api.getCall(bob, id)).call).toMatchObject({ status: 'in-progress', answeredBy: 'bob' })
  })
})

describe('a user who does not hold an inbound call is taken out of its room', () => {
  let a: Ringline
  let b: Ringline
  const logger = captureLogger()
  /** The refusals of `identity`'s joins of call `id` logged so far. */
  const refusals = (id: string, identity: string) =>
    logger.lines.filter((l) => l.includes('does not hold the call') && l.includes(id) && l.includes(identity))
      .length
  beforeAll(async () => {
    ;[a, b] = (await instancesOnOnePostgres(2, { sip: { answerConnectSeconds: 0 }, logger })) as [
      Ringline,
      Ringline,
    ]
  })
  afterAll(async () => {
    await a.close()
    await b.close()
  })

  it('the released answerer’s late join is refused and not recorded; its leave does not end the call', async () => {
    const { id, room } = await ringingCall(a, 'y1')
    await a.api.answerCall(alice, id)
    await b.api.releaseAnswer(alice, id)
    // Alice's browser gets in with the token of her released answer, while the call rings again.
    await joined(b, room, 'alice', 'y1')
    expect(refusals(id, 'acme:alice')).toBe(1)
    expect(await participants(a, id)).not.toHaveProperty('acme:alice', true)
    // Bob answers; Alice joins again with her old token: refused again.
    await a.api.answerCall(bob, id)
    await joined(a, room, 'alice', 'y1b')
    expect(refusals(id, 'acme:alice')).toBe(2)
    // LiveKit reports her removal: the call, whose answerer has not joined yet, goes on.
    await joined(a, room, 'alice', 'y1b', 'participant_left')
    expect((await b.api.getCall(bob, id)).call).toMatchObject({ status: 'in-progress', endedAt: null })
    // The answerer is not refused, and is recorded.
    await joined(b, room, 'bob', 'y1')
    expect(refusals(id, 'acme:bob')).toBe(0)
    expect(await participants(a, id)).toMatchObject({ 'acme:bob': true })
    expect(await participants(a, id)).not.toHaveProperty('acme:alice', true)
  })

  it('warm transfer: the colleague after consult/join and the first user reconnecting stay; others are refused', async () => {
    const { id, room } = await ringingCall(a, 'y2')
    await a.api.answerCall(alice, id)
    await joined(b, room, 'alice', 'y2')
    const post = async (user: string, path: string, body?: unknown) => {
      const res = await b.handler(req('POST', `/calls/${id}${path}`, { user, body }))
      expect(res.status, path).toBe(200)
    }
    // While the consult is open Bob is in the consult room only; joining the call's room is refused.
    await post('alice', '/consult', { userId: 'bob' })
    await post('bob', '/consult/answer')
    await joined(a, room, 'bob', 'y2early')
    expect(refusals(id, 'acme:bob')).toBe(1)
    await post('alice', '/consult/complete')
    await post('bob', '/consult/join')
    await joined(a, room, 'bob', 'y2')
    // Alice, handing over, reconnects (a new session) before she leaves: she was in the room, she stays.
    await joined(b, room, 'alice', 'y2again')
    expect(refusals(id, 'acme:bob')).toBe(1)
    expect(refusals(id, 'acme:alice')).toBe(0)
    expect(await participants(a, id)).toMatchObject({ 'acme:alice': true, 'acme:bob': true })
    // Someone else with a token for the room (an admin's, say) is refused.
    await joined(a, room, 'root', 'y2')
    expect(refusals(id, 'acme:root')).toBe(1)
    expect(await participants(a, id)).not.toHaveProperty('acme:root', true)
  })
})
