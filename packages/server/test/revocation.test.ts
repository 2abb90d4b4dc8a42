// revokeUser / restoreUser, GET /calls/by-room/:roomName and GET /webhooks/health on an in-memory store.
// (Removing LiveKit participants is tested on the real sandbox: test/integration/revocation.integration.test.ts.)
import { afterAll, describe, expect, it } from 'vitest'
import { insertCall } from '../src/calls/callRepository'
import { req, testRingline, USERS } from './helpers'
import { SseReader } from './sse'
import { signedWebhook } from './webhookSigner'

const SECRET_KEY = `base64:${Buffer.alloc(32, 5).toString('base64')}`
const ringline = testRingline({ secretKey: SECRET_KEY })
afterAll(() => ringline.close())

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = Record<string, any>
const call = (user: string, method: string, path: string, body?: unknown) =>
  ringline.handler(req(method, path, { user, ...(body === undefined ? {} : { body }) }))
const code = async (res: Response) => ((await res.json()) as Json).error?.code

describe('revokeUser', () => {
  it('closes the user’s /events streams and refuses tokens, refreshes, streams and routes until restoreUser', async () => {
    const stream = await call('alice', 'GET', '/events')
    expect(stream.status).toBe(200)
    const reader = new SseReader(stream)
    await reader.until((frames) => frames.some((f) => f.comment === 'connected'))
    const bobStream = new SseReader(await call('bob', 'GET', '/events'))
    await bobStream.until((frames) => frames.some((f) => f.comment === 'connected'))
    // An open room: POST /token's fast join (one read that also asks about revocation) must refuse too.
    expect((await call('bob', 'POST', '/token', { room: 'open-room' })).status).toBe(200)

    const result = await ringline.api.revokeUser('acme', 'alice', { reason: 'sign-out' })
    expect(result).toMatchObject({
      tenantId: 'acme',
      userId: 'alice',
      streamsClosed: 1,
      participantsRemoved: [],
    })
    // LiveKit does not listen in this test: the failure is reported, the refusal holds anyway.
    expect(result.failures.length).toBeGreaterThan(0)
    await reader.until(() => false).catch((error: Error) => expect(error.message).toBe('stream ended'))
    expect(reader.done).toBe(true)

    for (const [method, path, body] of [
      ['POST', '/token', { room: 'standup' }],
      ['POST', '/token', { room: 'open-room' }],
      ['POST', '/token', { transport: 'twilio' }],
      ['POST', '/rooms/standup/join', {}],
      ['GET', '/events', undefined],
      ['GET', '/calls', undefined],
      ['POST', '/calls', { to: '+14155550123' }],
    ] as const) {
      const res = await call('alice', method, path, body)
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(await code(res), `${method} ${path}`).toBe('ACCESS_REVOKED')
    }
    await expect(ringline.api.createToken(USERS.alice!, { room: 'standup' })).rejects.toMatchObject({
      code: 'ACCESS_REVOKED',
    })
    await expect(
      ringline.api.createTwilioVoiceToken(USERS.alice!, { transport: 'twilio' }),
    ).rejects.toMatchObject({ code: 'ACCESS_REVOKED' })
    // Nobody else is affected: Bob (same tenant) keeps his stream and his routes.
    expect(bobStream.done).toBe(false)
    expect((await call('bob', 'GET', '/calls')).status).toBe(200)

    // Idempotent, and audited.
    await ringline.api.revokeUser('acme', 'alice')
    const audit = await ringline.store.query<{ action: string; target: string }>(
      "SELECT action, target FROM ringline_audit_log WHERE action LIKE 'user.%' ORDER BY created_at",
    )
    expect(audit.rows.map((r) => `${r.action} ${r.target}`)).toEqual([
      'user.revoke alice',
      'user.revoke alice',
    ])

    expect(await ringline.api.restoreUser('acme', 'alice')).toBe(true)
    expect(await ringline.api.restoreUser('acme', 'alice')).toBe(false)
    expect((await call('alice', 'GET', '/calls')).status).toBe(200)
    const again = await call('alice', 'GET', '/events')
    expect(again.status).toBe(200)
    await again.body?.cancel()
  })

  it('is per tenant: revoking acme:alice leaves a user with the same id in another tenant alone', async () => {
    await ringline.api.revokeUser('globex', 'alice')
    expect((await call('alice', 'GET', '/calls')).status).toBe(200)
    await ringline.api.restoreUser('globex', 'alice')
  })

  it('refuses ids that cannot be a principal', async () => {
    await expect(ringline.api.revokeUser('bad tenant!', 'alice')).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(ringline.api.revokeUser('acme', '')).rejects.toMatchObject({ code: 'FORBIDDEN' })
  })
})

describe('GET /calls/by-room/:roomName', () => {
  it('answers the same shape as GET /calls/:id, tenant-scoped and with the same visibility', async () => {
    const id = crypto.randomUUID()
    const roomName = `out-acme_${id}`
    await insertCall(ringline.store, {
      id,
      tenantId: 'acme',
      direction: 'outbound',
      status: 'in-progress',
      roomName,
      toNumber: '+14155550123',
      createdBy: 'alice',
    })
    const byId = (await (await call('alice', 'GET', `/calls/${id}`)).json()) as Json
    const byRoomRes = await call('alice', 'GET', `/calls/by-room/${encodeURIComponent(roomName)}`)
    expect(byRoomRes.status).toBe(200)
    expect(await byRoomRes.json()).toEqual(byId)
    expect(byId.call.id).toBe(id)
    expect((await ringline.api.getCallByRoom(USERS.admin!, roomName)).call.id).toBe(id)
    // Another member of the tenant does not see Alice's call; another tenant does not find the room at all.
    expect(await code(await call('bob', 'GET', `/calls/by-room/${roomName}`))).toBe('CALL_NOT_FOUND')
    expect(await code(await call('eve', 'GET', `/calls/by-room/${roomName}`))).toBe('CALL_NOT_FOUND')
    expect((await call('alice', 'GET', '/calls/by-room/no-such-room')).status).toBe(404)
  })

  it('prefers the open call of a reused room name, and a room named like a sub-route still resolves', async () => {
    const old = crypto.randomUUID()
    const current = crypto.randomUUID()
    await insertCall(ringline.store, {
      id: old,
      tenantId: 'acme',
      direction: 'internal',
      status: 'completed',
      roomName: 'int-acme-recording',
      createdBy: 'alice',
    })
    await ringline.store.query('UPDATE ringline_calls SET ended_at = now() WHERE id = $1', [old])
    await insertCall(ringline.store, {
      id: current,
      tenantId: 'acme',
      direction: 'internal',
      status: 'in-progress',
      roomName: 'int-acme-recording',
      createdBy: 'alice',
    })
    const res = await call('alice', 'GET', '/calls/by-room/int-acme-recording')
    expect(res.status).toBe(200)
    expect(((await res.json()) as Json).call.id).toBe(current)
    expect(((await (await call('alice', 'GET', '/calls/by-room/recording')).json()) as Json).error.code).toBe(
      'CALL_NOT_FOUND',
    )
  })
})

describe('GET /webhooks/health', () => {
  it('shows admins the tenant’s last LiveKit event; members are refused', async () => {
    const empty = (await (await call('admin', 'GET', '/webhooks/health')).json()) as Json
    expect(empty.livekit).toMatchObject({ tenantId: 'acme', lastEvent: null, lastEventAt: null })
    expect(empty.retentionHours).toBeGreaterThan(0)

    const id = crypto.randomUUID()
    await insertCall(ringline.store, {
      id,
      tenantId: 'acme',
      direction: 'internal',
      status: 'in-progress',
      roomName: 'int-acme-health',
      createdBy: 'alice',
    })
    const hook = await ringline.handler(
      await signedWebhook({
        event: 'participant_joined',
        room: { name: 'int-acme-health', sid: 'RM_h' },
        participant: { identity: 'acme:alice', sid: 'PA_h', name: 'Alice' },
      }),
    )
    expect(hook.status).toBe(200)
    const res = await call('admin', 'GET', '/webhooks/health')
    expect(res.status).toBe(200)
    const body = (await res.json()) as Json
    expect(body.livekit).toMatchObject({
      tenantId: 'acme',
      lastEvent: 'participant_joined',
      lastRoom: 'int-acme-health',
    })
    expect(Date.parse(body.livekit.lastEventAt)).toBeGreaterThan(Date.now() - 60_000)
    expect(body.livekit.anyTenantLastEventAt).toBe(body.livekit.lastEventAt)
    expect(await code(await call('alice', 'GET', '/webhooks/health'))).toBe('FORBIDDEN')
  })
})
