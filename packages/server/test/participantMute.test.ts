// Participants' last microphone mute state: from LiveKit's microphone track events (`track.muted` at publish and at
// unpublish, which a leave causes) and from the participant's own client (`POST /calls/:id/mute`), in any delivery
// order and with duplicates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MuteFact, muteKey } from '../src/calls/participantRepository'
import { req, testRingline, USERS } from './helpers'
import { signedWebhook } from './webhookSigner'

const T0 = 1_800_000_000

/** Every ordering of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]]
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  )
}

describe('participant mute state', () => {
  const ringline = testRingline()
  beforeAll(() => ringline.store.migrate())
  afterAll(() => ringline.close())

  /** Alice's room `name` (its call id) and the webhooks of one session of `identity` in it. */
  async function room(name: string, sid = `RM_${name}`, t0 = T0) {
    const joined = await ringline.api.joinRoom(USERS.alice!, name)
    const lkRoom = { name: `int-acme-${name}`, sid }
    const hooks = (identity: string, psid: string) => {
      const participant = { sid: psid, identity, name: identity, state: 'ACTIVE', joinedAt: String(t0) }
      const trackOf = (muted: boolean, source = 'MICROPHONE') => ({
        sid: `TR_${psid}`,
        type: source === 'CAMERA' ? 'VIDEO' : 'AUDIO',
        source,
        muted,
      })
      return {
        joined: { event: 'participant_joined', room: lkRoom, participant, createdAt: String(t0) },
        published: (muted: boolean, at = t0, source?: string) => ({
          event: 'track_published',
          room: lkRoom,
          // Track events name the participant only, as LiveKit sends them.
          participant: { sid: psid, identity },
          track: trackOf(muted, source),
          createdAt: String(at),
        }),
        unpublished: (muted: boolean, at: number, source?: string) => ({
          event: 'track_unpublished',
          room: lkRoom,
          participant: { sid: psid, identity },
          track: trackOf(muted, source),
          createdAt: String(at),
        }),
        left: (at: number) => ({
          event: 'participant_left',
          room: lkRoom,
          participant: { ...participant, state: 'DISCONNECTED' },
          createdAt: String(at),
        }),
      }
    }
    return { callId: joined.room.callId, hooks }
  }

  const send = async (event: Record<string, unknown>, id?: string) => {
    const res = await ringline.handler(await signedWebhook(event, id ? { id } : {}))
    expect(res.status).toBe(200)
    return (await res.json()).outcome as string
  }
  const mutedOf = async (callId: string, identity: string) =>
    (await ringline.api.getCall(USERS.alice!, callId)).participants.find((p) => p.identity === identity)
      ?.muted

  it('records the microphone state LiveKit reports at publish and at leave; null while unknown', async () => {
    const { callId, hooks } = await room('mute-basic')
    const bob = hooks('acme:bob', 'PA_b1')
    // Alice joined through Ringline and published nothing yet: unknown.
    expect(await mutedOf(callId, 'acme:alice')).toBeNull()
    await send(bob.joined)
    expect(await mutedOf(callId, 'acme:bob')).toBeNull()
    await send(bob.published(false))
    expect(await mutedOf(callId, 'acme:bob')).toBe(false)
    // A camera says nothing about the microphone, and is not even processed.
    expect(await send(bob.published(true, T0 + 1, 'CAMERA'))).toBe('ignored')
    expect(await mutedOf(callId, 'acme:bob')).toBe(false)
    // Bob muted during the call and left: the leave unpublishes the track, muted.
    await send(bob.unpublished(true, T0 + 30))
    await send(bob.left(T0 + 30))
    const detail = await ringline.api.getCall(USERS.alice!, callId)
    expect(detail.participants.find((p) => p.identity === 'acme:bob')).toMatchObject({
      kind: 'user',
      name: 'acme:bob',
      muted: true,
      leftAt: new Date((T0 + 30) * 1000).toISOString(),
    })
    // The route shows the same (and `GET /calls/:id` carries it on the wire).
    const res = await ringline.handler(req('GET', `/calls/${callId}`, { user: 'alice' }))
    const body = await res.json()
    expect(body.participants.find((p: { identity: string }) => p.identity === 'acme:bob').muted).toBe(true)
  })

  it('any order and duplicates of the events give the same final state', async () => {
    let n = 0
    for (const [final, during] of [
      [true, false],
      [false, true],
    ] as const) {
      for (const order of permutations([0, 1, 2, 3])) {
        n += 1
        const { callId, hooks } = await room(`mute-order-${n}`)
        const bob = hooks('acme:bob', `PA_o${n}`)
        // Published in one state, toggled during the call (no event), left in the final state.
        const events = [
          bob.joined,
          bob.published(during, T0 + 1),
          bob.unpublished(final, T0 + 20),
          bob.left(T0 + 20),
        ]
        // Each event twice (LiveKit's retries): the second is a duplicate.
        for (const i of [...order, ...order.slice().reverse()]) await send(events[i]!, `EV_mo${n}_${i}`)
        expect(await mutedOf(callId, 'acme:bob'), `order ${order.join('')}`).toBe(final)
      }
    }
  })

  it('a track event delivered before the join is kept, and the participant shows up only once joined', async () => {
    const { callId, hooks } = await room('mute-early')
    const carol = hooks('acme:carol', 'PA_c1')
    await send(carol.unpublished(true, T0 + 9))
    expect(
      (await ringline.api.getCall(USERS.alice!, callId)).participants.map((p) => p.identity),
    ).not.toContain('acme:carol')
    // Not present either: the room lists only alice.
    const rooms = await ringline.api.listRooms(USERS.alice!)
    expect(rooms.rooms.find((r) => r.name === 'mute-early')?.participants.map((p) => p.identity)).toEqual([
      'acme:alice',
    ])
    await send(carol.joined)
    expect(await ringline.api.getCall(USERS.alice!, callId)).toMatchObject({
      participants: expect.arrayContaining([
        expect.objectContaining({ identity: 'acme:carol', kind: 'user', muted: true }),
      ]),
    })
  })

  it("ignores another room instance's track events (a reused room name)", async () => {
    const { callId, hooks } = await room('mute-instance', 'RM_first')
    const bob = hooks('acme:bob', 'PA_i1')
    await send(bob.joined)
    await send(bob.published(false))
    const other = { name: 'int-acme-mute-instance', sid: 'RM_other' }
    await send({ ...bob.unpublished(true, T0 + 5), room: other })
    expect(await mutedOf(callId, 'acme:bob')).toBe(false)
  })

  it('POST /calls/:id/mute: the participant reports its own state; idempotent; stable errors', async () => {
    // Reports carry the server's time: this call's LiveKit events are of a minute ago.
    const { callId, hooks } = await room('mute-report', 'RM_report', Math.floor(Date.now() / 1000) - 60)
    const alice = hooks('acme:alice', 'PA_a1')
    await send(alice.joined)
    await send(alice.published(false))
    const mute = (muted: unknown, user = 'alice', id = callId) =>
      ringline.handler(req('POST', `/calls/${id}/mute`, { user, body: { muted } }))

    const first = await mute(true)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ muted: true })
    expect(await mutedOf(callId, 'acme:alice')).toBe(true)
    // The same report again: same answer, same record.
    expect(await (await mute(true)).json()).toEqual({ muted: true })
    expect(await (await mute(false)).json()).toEqual({ muted: false })
    expect(await mutedOf(callId, 'acme:alice')).toBe(false)
    // Through the server API too.
    expect(await ringline.api.reportMute(USERS.alice!, callId, { muted: true })).toEqual({ muted: true })

    // Bad body, unknown call, a call of another tenant, a user not in the call.
    const bad = await mute('yes')
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.code).toBe('INVALID_REQUEST')
    const unknown = await mute(true, 'alice', 'no-such-call')
    expect(unknown.status).toBe(404)
    expect((await unknown.json()).error.code).toBe('CALL_NOT_FOUND')
    expect((await mute(true, 'eve')).status).toBe(404)
    const outsider = await mute(true, 'bob')
    expect(outsider.status).toBe(403)
    expect((await outsider.json()).error).toMatchObject({
      code: 'FORBIDDEN',
      details: { reason: 'NOT_IN_CALL' },
    })
    expect(await mutedOf(callId, 'acme:bob')).toBeUndefined()

    // Once the participant left, it cannot report any more; its state at leaving stays.
    await send(alice.unpublished(true, Math.floor(Date.now() / 1000)))
    await send(alice.left(Math.floor(Date.now() / 1000)))
    await ringline.api.leaveRoom(USERS.alice!, 'mute-report').catch(() => undefined)
    const gone = await mute(false)
    expect([403, 409]).toContain(gone.status)
    expect(await mutedOf(callId, 'acme:alice')).toBe(true)
  })

  it('POST /calls/:id/mute is rate-limited per user and call (429 RATE_LIMITED with Retry-After)', async () => {
    const { callId } = await room('mute-flood')
    let last: Response | undefined
    for (let i = 0; i < 61; i++)
      last = await ringline.handler(
        req('POST', `/calls/${callId}/mute`, { user: 'alice', body: { muted: i % 2 === 0 } }),
      )
    expect(last!.status).toBe(429)
    expect(last!.headers.get('retry-after')).toMatch(/^\d+$/)
    expect((await last!.json()).error.code).toBe('RATE_LIMITED')
  })

  it('orders facts by second, then publish < report < unpublish within a second', () => {
    const at = (s: number, ms = 0) => new Date((T0 + s) * 1000 + ms).toISOString()
    const key = (source: MuteFact['source'], s: number, ms = 0, muted = true) =>
      muteKey({ source, at: at(s, ms), muted })
    // A report late in the second LiveKit's unpublish was stamped with does not beat it…
    expect(key('report', 5, 900) < key('unpublished', 5)).toBe(true)
    // …a report in a later second does, and a report beats a publish of its own second.
    expect(key('report', 6, 100) > key('unpublished', 5)).toBe(true)
    expect(key('report', 5, 0) > key('published', 5)).toBe(true)
    expect(key('report', 5, 2) > key('report', 5, 1)).toBe(true)
    // Two facts never tie with different states.
    expect(key('published', 5, 0, true)).not.toBe(key('published', 5, 0, false))
  })
})
