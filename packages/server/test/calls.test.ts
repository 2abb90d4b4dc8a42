import type { RinglineEvent } from '@ringline/core/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { insertCall } from '../src/calls/callRepository'
import { req, testRingline, USERS } from './helpers'

describe('POST /calls guards (checked before anything is dialled)', () => {
  const ringline = testRingline({ calls: { maxConcurrentPerUser: 2, requestsPerTenantPerMinute: 1000 } })
  const post = async (body: unknown, user = 'alice') => {
    const res = await ringline.handler(req('POST', '/calls', { user, body }))
    return { status: res.status, body: await res.json() }
  }
  const audits = async () =>
    (
      await ringline.store.query<{ action: string; detail: { code: string } }>(
        "SELECT action, detail FROM ringline_audit_log WHERE action = 'call.refused'",
      )
    ).rows
  beforeAll(() => ringline.store.migrate())
  afterAll(() => ringline.close())

  it('explains why a number is invalid', async () => {
    const short = await post({ to: '12' })
    expect(short.status).toBe(400)
    expect(short.body.error).toMatchObject({ code: 'INVALID_PHONE_NUMBER', field: 'to' })
    expect(short.body.error.message).toMatch(/length|short/)
    const words = await post({ to: 'call mom' })
    expect(words.body.error.code).toBe('INVALID_PHONE_NUMBER')
    const unassigned = await post({ to: '+15550002000' })
    expect(unassigned.body.error.message).toContain('not assigned')
    // The message itself says how to let the sandbox's test numbers through (it is what a developer sees first).
    expect(unassigned.body.error.message).toContain('`calls: { allowUnassignedNumbers: true }`')
    expect(unassigned.body.error.details).toMatchObject({ reason: 'NOT_ASSIGNED' })
    expect(unassigned.body.error.details.hint).toContain('allowUnassignedNumbers')
  })

  it('refuses other countries by default and premium-rate numbers, with an audit row', async () => {
    const uk = await post({ to: '+442079460123' })
    expect(uk.status).toBe(403)
    expect(uk.body.error).toMatchObject({
      code: 'DESTINATION_NOT_ALLOWED',
      details: { reason: 'COUNTRY_NOT_ALLOWED' },
    })
    const premium = await post({ to: '+1 900 555 1234' })
    expect(premium.body.error).toMatchObject({
      code: 'DESTINATION_NOT_ALLOWED',
      details: { reason: 'PREMIUM_RATE' },
    })
    expect((await audits()).map((a) => a.detail.code)).toEqual([
      'DESTINATION_NOT_ALLOWED',
      'DESTINATION_NOT_ALLOWED',
    ])
    const { rows } = await ringline.store.query("SELECT * FROM ringline_calls WHERE direction = 'outbound'")
    expect(rows).toEqual([])
  })

  it('refuses a caller id the tenant does not own', async () => {
    const res = await post({ to: '+14155550123', callerId: '+14155550999' })
    expect(res.status).toBe(403)
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', field: 'callerId' })
  })

  it('starts a call, returns its room token at once and records the dial failure', async () => {
    const events: RinglineEvent[] = []
    ringline.api.subscribe(USERS.alice!, (e) => events.push(e))
    const res = await post({ to: '(415) 555-0123', contactId: 'contact-1' })
    expect(res.status).toBe(201)
    expect(res.body.call).toMatchObject({
      direction: 'outbound',
      status: 'initiated',
      toNumber: '+14155550123',
      fromNumber: '+14155550100',
      contactId: 'contact-1',
      createdBy: 'alice',
    })
    expect(res.body.call.roomName).toBe(`out-acme_${res.body.call.id}`)
    expect(res.body.connection.roomName).toBe(res.body.call.roomName)
    await ringline.settled()
    // LiveKit is unreachable here: the call fails, visibly.
    expect(events.find((e) => e.type === 'call.ended')).toMatchObject({
      call: { id: res.body.call.id, status: 'failed' },
    })
    // Bob (same tenant, member) does not see Alice's call; an admin does.
    expect((await ringline.handler(req('GET', `/calls/${res.body.call.id}`, { user: 'bob' }))).status).toBe(
      404,
    )
    expect((await ringline.handler(req('GET', `/calls/${res.body.call.id}`, { user: 'admin' }))).status).toBe(
      200,
    )
    expect((await ringline.handler(req('GET', `/calls/${res.body.call.id}`, { user: 'eve' }))).status).toBe(
      404,
    )
  })

  it('caps open calls per user with CALL_LIMIT_REACHED and an audit row', async () => {
    for (const id of ['open-1', 'open-2']) {
      await insertCall(ringline.store, {
        id,
        tenantId: 'acme',
        direction: 'outbound',
        status: 'in-progress',
        roomName: `out-acme_${id}`,
        createdBy: 'bob',
      })
    }
    const res = await post({ to: '+14155550123' }, 'bob')
    expect(res.status).toBe(429)
    expect(res.body.error.code).toBe('CALL_LIMIT_REACHED')
    expect((await audits()).map((a) => a.detail.code)).toContain('CALL_LIMIT_REACHED')
  })

  it('lists history with filters, cursor and stats', async () => {
    const res = await ringline.handler(req('GET', '/calls?limit=1&stats=1', { user: 'admin' }))
    const body = await res.json()
    expect(body.calls).toHaveLength(1)
    expect(body.nextCursor).toEqual(expect.any(String))
    expect(body.stats.total).toBe(3)
    const next = await (
      await ringline.handler(req('GET', `/calls?limit=5&cursor=${body.nextCursor}`, { user: 'admin' }))
    ).json()
    expect(next.calls.map((c: { id: string }) => c.id)).not.toContain(body.calls[0].id)
    const bobs = await (await ringline.handler(req('GET', '/calls', { user: 'bob' }))).json()
    expect(bobs.calls.every((c: { createdBy: string }) => c.createdBy === 'bob')).toBe(true)
    const bad = await ringline.handler(req('GET', '/calls?cursor=nope', { user: 'bob' }))
    expect((await bad.json()).error).toMatchObject({ code: 'INVALID_REQUEST', field: 'cursor' })
  })
})

describe('rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the per-tenant rate', async () => {
    const ringline = testRingline({ calls: { requestsPerTenantPerMinute: 1, maxConcurrentPerUser: 10 } })
    const first = await ringline.handler(
      req('POST', '/calls', { user: 'alice', body: { to: '+14155550123' } }),
    )
    expect(first.status).toBe(201)
    const second = await ringline.handler(
      req('POST', '/calls', { user: 'alice', body: { to: '+14155550124' } }),
    )
    expect(second.status).toBe(429)
    expect((await second.json()).error.code).toBe('RATE_LIMITED')
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0)
    await ringline.close()
  })
})

describe('POST /calls into a room of the app’s own (`room`)', () => {
  const post = async (ringline: ReturnType<typeof testRingline>, body: unknown, user = 'alice') => {
    const res = await ringline.handler(req('POST', '/calls', { user, body }))
    return { status: res.status, body: await res.json() }
  }

  it('refuses without `calls.roomAccess`, when it says no, and for Ringline’s own rooms; nothing is recorded', async () => {
    const bare = testRingline()
    const none = await post(bare, { to: '+14155550123', room: 'support-1' })
    expect(none.status).toBe(403)
    expect(none.body.error).toMatchObject({ code: 'FORBIDDEN', field: 'room' })
    expect(none.body.error.message).toContain('calls.roomAccess')
    await bare.close()

    const asked: Array<[string, string]> = []
    const ringline = testRingline({
      calls: {
        roomAccess: (principal, room) => {
          asked.push([principal.userId, room])
          return room.startsWith(`lk-${principal.tenantId}-`)
        },
      },
    })
    const other = await post(ringline, { to: '+14155550123', room: 'lk-globex-1' })
    expect(other.status).toBe(403)
    expect(other.body.error).toMatchObject({ code: 'FORBIDDEN', field: 'room' })
    expect(asked).toEqual([['alice', 'lk-globex-1']])
    // Ringline's own rooms have their own records: never a second call there, whatever the hook says.
    for (const room of ['int-acme-team', 'out-acme_x', 'in-acme_x']) {
      const own = await post(ringline, { to: '+14155550123', room })
      expect(own.status, room).toBe(403)
    }
    expect(asked).toHaveLength(1)
    const tooLong = await post(ringline, { to: '+14155550123', room: 'x'.repeat(129) })
    expect(tooLong.body.error).toMatchObject({ code: 'INVALID_REQUEST', field: 'room' })
    // Allowed, but LiveKit cannot be asked whether the room exists (unreachable here): not dialled either.
    const allowed = await post(ringline, { to: '+14155550123', room: 'lk-acme-1' })
    expect(allowed.status).toBeGreaterThanOrEqual(500)
    const { rows } = await ringline.store.query("SELECT * FROM ringline_calls WHERE direction = 'outbound'")
    expect(rows).toEqual([])
    await ringline.close()
  })
})
