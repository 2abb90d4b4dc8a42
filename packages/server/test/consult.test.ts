import type { RinglineEvent } from '@ringline/core/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertCall, openConsult } from '../src/calls/callRepository'
import { req, testRingline, USERS } from './helpers'
import { signedWebhook } from './webhookSigner'

/** `POST path` as `user` on `ringline`: the status and the JSON body. */
const poster =
  (ringline: ReturnType<typeof testRingline>) => async (user: string, path: string, body?: unknown) => {
    const res = await ringline.handler(req('POST', path, { user, body }))
    return { status: res.status, body: await res.json() }
  }

// Warm transfer's routes on the memory store. The media side (the colleague joining the call's room, the caller
// held) is LiveKit's; here: who may do what when, the record, and who is told.
describe('warm transfer: consult, answer, complete, cancel', () => {
  // Many of Alice's calls stay open here: the caps (tested below) out of the way.
  const ringline = testRingline({ calls: { maxConcurrentPerUser: 1000, maxConcurrentPerTenant: 1000 } })
  const events: Record<string, RinglineEvent[]> = { alice: [], bob: [], admin: [] }
  const unsubscribe = Object.keys(events).map((u) =>
    ringline.api.subscribe(USERS[u]!, (e) => events[u]!.push(e)),
  )
  const post = poster(ringline)
  /** An outbound call Alice placed, connected. */
  const connectedCall = async (status: 'in-progress' | 'ringing' = 'in-progress') => {
    const call = await insertCall(ringline.store, {
      id: crypto.randomUUID(),
      tenantId: 'acme',
      direction: 'outbound',
      status,
      roomName: `out-acme_${crypto.randomUUID()}`,
      toNumber: '+14155550123',
      createdBy: 'alice',
      internals: { sipIdentity: 'phone-x' },
    })
    return call!.id
  }
  const lastCallEvent = (user: string, id: string) =>
    events[user]!.filter((e) => 'call' in e && e.call.id === id).at(-1) as
      | Extract<RinglineEvent, { type: 'call.updated' }>
      | undefined
  beforeAll(() => ringline.store.migrate())
  afterAll(async () => {
    for (const off of unsubscribe) off()
    await ringline.close()
  })

  it('hands the call over: ringing → connected (Bob gets a token for the consult room) → Bob answers it, transfer warm', async () => {
    const id = await connectedCall()
    const started = await post('alice', `/calls/${id}/consult`, { userId: 'bob' })
    expect(started.status, JSON.stringify(started.body)).toBe(200)
    expect(started.body.call.consult).toMatchObject({ userId: 'bob', by: 'alice', state: 'ringing' })
    // Alice talks to Bob in a room of its own; the caller stays held in the call's room.
    expect(started.body.connection).toMatchObject({ roomName: `consult-${id}`, identity: 'acme:alice' })
    // Bob is told although the call is Alice's (outbound calls are otherwise their caller's only).
    expect(lastCallEvent('bob', id)?.call.consult).toMatchObject({ state: 'ringing' })

    // Only Alice hands it over, and only once Bob joined.
    expect((await post('bob', `/calls/${id}/consult/complete`)).body.error.code).toBe('FORBIDDEN')
    expect((await post('alice', `/calls/${id}/consult/complete`)).body.error.code).toBe('CALL_NOT_ACTIVE')
    // Only Bob answers.
    expect((await post('alice', `/calls/${id}/consult/answer`)).body.error.code).toBe('FORBIDDEN')
    const answered = await post('bob', `/calls/${id}/consult/answer`)
    expect(answered.status, JSON.stringify(answered.body)).toBe(200)
    expect(answered.body.call.consult.state).toBe('connected')
    expect(answered.body.connection.roomName).toBe(`consult-${id}`)
    // Not the call's room yet: Bob joins it only once the call is his.
    expect((await post('bob', `/calls/${id}/consult/join`)).body.error.code).toBe('FORBIDDEN')
    expect(answered.body.connection.identity).toBe('acme:bob')
    expect((await post('bob', `/calls/${id}/consult/answer`)).body.error.code).toBe('CALL_NOT_ACTIVE')

    const done = await post('alice', `/calls/${id}/consult/complete`)
    expect(done.status, JSON.stringify(done.body)).toBe(200)
    expect(done.body.call).toMatchObject({
      status: 'in-progress',
      answeredBy: 'bob',
      transfer: { kind: 'warm', to: 'user:bob', by: 'alice' },
    })
    expect(done.body.call.consult ?? null).toBeNull()
    const joined = await post('bob', `/calls/${id}/consult/join`)
    expect(joined.status, JSON.stringify(joined.body)).toBe(200)
    expect(joined.body.connection).toMatchObject({
      roomName: answered.body.call.roomName,
      identity: 'acme:bob',
    })
    expect((await post('alice', `/calls/${id}/consult/join`)).body.error.code).toBe('FORBIDDEN')
    for (const user of ['alice', 'bob']) {
      expect(lastCallEvent(user, id)?.call).toMatchObject({ answeredBy: 'bob', transfer: { kind: 'warm' } })
    }
    // The call is Bob's now: he can see it and hang it up; it ends as completed (the talk went on with him).
    const detail = await ringline.handler(req('GET', `/calls/${id}`, { user: 'bob' }))
    const body = await detail.json()
    expect(body.timeline.map((t: { type: string }) => t.type)).toContain('transferred.warm')
  })

  it('the first user leaving the room after the hand-over does not end the call before the colleague’s join arrives', async () => {
    const id = await connectedCall()
    const room = (
      await ringline.store.query<{ room_name: string }>(
        'SELECT room_name FROM ringline_calls WHERE id = $1',
        [id],
      )
    ).rows[0]!.room_name
    const hook = (event: string, identity: string, kind = 'STANDARD') =>
      signedWebhook({
        event,
        room: { name: room, sid: `RM_${id}` },
        participant: { sid: `PA_${identity}`, identity, kind },
      })
    await ringline.handler(await hook('participant_joined', 'acme:alice'))
    await post('alice', `/calls/${id}/consult`, { userId: 'bob' })
    await post('bob', `/calls/${id}/consult/answer`)
    await post('alice', `/calls/${id}/consult/complete`)
    // Alice leaves once LiveKit has Bob in the room; Bob's participant_joined may reach the server after her leave.
    await ringline.handler(await hook('participant_left', 'acme:alice'))
    const status = async () =>
      (
        await ringline.store.query<{ status: string }>('SELECT status FROM ringline_calls WHERE id = $1', [
          id,
        ])
      ).rows[0]!.status
    expect(await status()).toBe('in-progress')
    await ringline.handler(await hook('participant_joined', 'acme:bob'))
    await ringline.handler(await hook('participant_left', 'acme:bob'))
    // Bob was the last user: the call is over (talked → completed).
    expect(await status()).toBe('completed')
  })

  it('cancel (either side) closes the consult and the call stays the first user’s; a second consult can follow', async () => {
    const id = await connectedCall()
    await post('alice', `/calls/${id}/consult`, { userId: 'bob' })
    // One consult at a time.
    const again = await post('alice', `/calls/${id}/consult`, { userId: 'admin' })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('CALL_NOT_ACTIVE')
    await post('bob', `/calls/${id}/consult/answer`)
    const canceled = await post('bob', `/calls/${id}/consult/cancel`)
    expect(canceled.status, JSON.stringify(canceled.body)).toBe(200)
    expect(canceled.body.call).toMatchObject({ answeredBy: null, createdBy: 'alice' })
    expect(canceled.body.call.consult ?? null).toBeNull()
    expect(canceled.body.call.transfer ?? null).toBeNull()
    // Bob hears that it is over although he is no longer on the record.
    expect(lastCallEvent('bob', id)?.call.consult ?? null).toBeNull()
    // Closing the consult room failed here (no LiveKit): logged, not thrown.
    expect(ringline.logger.lines.some((l) => l.includes('consult room could not be closed'))).toBe(true)
    // Bob no longer sees the call.
    expect((await post('bob', `/calls/${id}/consult/cancel`)).body.error.code).toBe('CALL_NOT_FOUND')
    const second = await post('alice', `/calls/${id}/consult`, { userId: 'admin' })
    expect(second.body.call.consult).toMatchObject({ userId: 'admin', state: 'ringing' })
  })

  it('refuses what makes no sense, with stable codes', async () => {
    const ringing = await connectedCall('ringing')
    expect((await post('alice', `/calls/${ringing}/consult`, { userId: 'bob' })).body.error.code).toBe(
      'CALL_NOT_ACTIVE',
    )
    const id = await connectedCall()
    const self = await post('alice', `/calls/${id}/consult`, { userId: 'alice' })
    expect(self.body.error).toMatchObject({ code: 'INVALID_REQUEST', field: 'userId' })
    const empty = await post('alice', `/calls/${id}/consult`, {})
    expect(empty.body.error).toMatchObject({ code: 'INVALID_REQUEST', field: 'userId' })
    // Bob cannot see Alice's call at all until consulted.
    expect((await post('bob', `/calls/${id}/consult`, { userId: 'admin' })).body.error.code).toBe(
      'CALL_NOT_FOUND',
    )
    // An admin sees every call but is not on this one.
    expect((await post('admin', `/calls/${id}/consult`, { userId: 'bob' })).body.error.code).toBe('FORBIDDEN')
    expect((await post('alice', `/calls/${id}/consult/cancel`)).body.error.code).toBe('CALL_NOT_ACTIVE')
    // Another tenant's user: not found.
    expect((await post('eve', `/calls/${id}/consult/answer`)).body.error.code).toBe('CALL_NOT_FOUND')
  })

  it('a phone number: checked like POST /calls before anything is dialled, with stable codes', async () => {
    const id = await connectedCall()
    const both = await post('alice', `/calls/${id}/consult`, { userId: 'bob', to: '+14155550124' })
    expect(both.body.error).toMatchObject({ code: 'INVALID_REQUEST', field: 'userId' })
    const bad = await post('alice', `/calls/${id}/consult`, { to: 'not a number' })
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({ code: 'INVALID_PHONE_NUMBER', field: 'to' })
    // The toll-fraud guard: a premium-rate number, and a country the caller id does not allow; both audited.
    const premium = await post('alice', `/calls/${id}/consult`, { to: '+19005550123' })
    expect(premium.body.error).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', field: 'to' })
    const abroad = await post('alice', `/calls/${id}/consult`, { to: '+442071838750' })
    expect(abroad.body.error).toMatchObject({
      code: 'DESTINATION_NOT_ALLOWED',
      details: { reason: 'COUNTRY_NOT_ALLOWED' },
    })
    const refusals = await ringline.store.query<{ target: string }>(
      `SELECT target FROM ringline_audit_log WHERE action = 'call.refused' AND target IN ('+19005550123', '+442071838750')`,
    )
    expect(refusals.rows).toHaveLength(2)
    // Not the user on the call; a call not connected.
    expect((await post('admin', `/calls/${id}/consult`, { to: '+14155550124' })).body.error.code).toBe(
      'FORBIDDEN',
    )
    const ringing = await connectedCall('ringing')
    expect((await post('alice', `/calls/${ringing}/consult`, { to: '+14155550124' })).body.error.code).toBe(
      'CALL_NOT_ACTIVE',
    )
    // Nothing was opened by the refusals: the record has no consult.
    const detail = await ringline.api.getCall(USERS.alice!, id)
    expect(detail.call.consult ?? null).toBeNull()
    // LiveKit unreachable here: the consult is rolled back, not left open.
    const down = await post('alice', `/calls/${id}/consult`, { to: '+14155550124' })
    expect(down.status).toBeGreaterThanOrEqual(500)
    expect((await ringline.api.getCall(USERS.alice!, id)).call.consult ?? null).toBeNull()
  })
})

// A consulted phone is one more outbound leg on the trunk: the call caps count it, and it counts for the next call.
describe('warm transfer to a phone number: under the call caps', () => {
  const ringline = testRingline({
    calls: { maxConcurrentPerUser: 2, maxPerUserPerHour: 3, allowUnassignedNumbers: true },
  })
  const post = poster(ringline)
  const openCall = async (direction: 'outbound' | 'inbound' = 'outbound') => {
    const call = await insertCall(ringline.store, {
      id: crypto.randomUUID(),
      tenantId: 'acme',
      direction,
      status: 'in-progress',
      roomName: `out-acme_${crypto.randomUUID()}`,
      toNumber: '+14155550123',
      createdBy: direction === 'outbound' ? 'alice' : null,
      answeredBy: 'alice',
      internals: { sipIdentity: 'phone-x' },
    })
    return call!.id
  }
  beforeAll(() => ringline.store.migrate())
  afterAll(() => ringline.close())

  it('a consult that would be the user’s third open leg is refused before anything is dialled', async () => {
    const first = await openCall()
    const second = await openCall()
    const refused = await post('alice', `/calls/${first}/consult`, { to: '+14155550124' })
    expect(refused.status).toBe(429)
    expect(refused.body.error).toMatchObject({ code: 'CALL_LIMIT_REACHED', details: { limit: 2 } })
    expect((await ringline.api.getCall(USERS.alice!, first)).call.consult ?? null).toBeNull()
    await ringline.store.query('UPDATE ringline_calls SET ended_at = now() WHERE id = ANY($1)', [
      [first, second],
    ])
  })

  it('an open phone consult (on an inbound call too) counts as an open call, and each one started counts per hour', async () => {
    const inbound = await openCall('inbound')
    await openConsult(ringline.store, inbound, {
      to: 'tel:+14155550124',
      by: 'alice',
      state: 'connected',
      startedAt: new Date().toISOString(),
    })
    const outbound = await openCall()
    const refused = await post('alice', '/calls', { to: '+14155550125' })
    expect(refused.body.error).toMatchObject({ code: 'CALL_LIMIT_REACHED', details: { limit: 2 } })
    // Once the consult ended, its leg no longer counts as open…
    await ringline.store.query(
      `UPDATE ringline_calls SET metadata = jsonb_set(metadata, '{consult}', 'null'::jsonb) WHERE id = $1`,
      [inbound],
    )
    await ringline.store.query('UPDATE ringline_calls SET ended_at = now() WHERE id = $1', [outbound])
    // …but the phone consults Alice started this hour do: two of them and one call make the hourly three.
    for (const target of ['+14155550124', '+14155550126']) {
      await ringline.store.query(
        `INSERT INTO ringline_audit_log (id, tenant_id, user_id, action, target) VALUES ($1, 'acme', 'alice', 'call.consult', $2)`,
        [crypto.randomUUID(), target],
      )
    }
    const hourly = await post('alice', '/calls', { to: '+14155550125' })
    expect(hourly.body.error).toMatchObject({ code: 'CALL_LIMIT_REACHED', details: { limit: 3 } })
    expect(hourly.body.error.message).toBe('You reached the hourly call limit.')
  })
})
