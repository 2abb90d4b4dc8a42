import { TokenVerifier } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRingline } from '../src/ringline'
import { memoryStore } from '../src/sql/memoryStore'
import { API_KEY, API_SECRET, ORIGIN, req, testAuthorize, testRingline } from './helpers'

const verifier = new TokenVerifier(API_KEY, API_SECRET)

describe('router and security baseline', () => {
  const ringline = testRingline({ allowedOrigins: ['https://partner.example.org'] })
  afterAll(() => ringline.close())

  it('answers every response with an X-Request-Id, echoing a safe incoming one', async () => {
    const a = await ringline.handler(
      req('GET', '/rooms', { user: 'alice', headers: { 'x-request-id': 'abc-123' } }),
    )
    expect(a.headers.get('x-request-id')).toBe('abc-123')
    const b = await ringline.handler(req('GET', '/nope', { headers: { 'x-request-id': 'bad id <script>' } }))
    expect(b.status).toBe(404)
    const body = await b.json()
    expect(body.error.code).toBe('NOT_FOUND')
    expect(body.error.requestId).toBe(b.headers.get('x-request-id'))
    expect(b.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('requires authorize() on every route but webhooks and health', async () => {
    for (const [method, path] of [
      ['GET', '/rooms'],
      ['POST', '/rooms/standup/join'],
      ['POST', '/token'],
      ['GET', '/calls'],
      ['POST', '/calls'],
      ['GET', '/events'],
    ] as const) {
      const res = await ringline.handler(req(method, path))
      expect(res.status, `${method} ${path}`).toBe(401)
      expect((await res.json()).error.code).toBe('UNAUTHENTICATED')
    }
  })

  it('refuses cross-site state changes with 403 before doing anything', async () => {
    const res = await ringline.handler(
      req('POST', '/rooms/standup/join', {
        user: 'alice',
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      }),
    )
    expect(res.status).toBe(403)
    expect((await res.json()).error.code).toBe('FORBIDDEN')
    expect((await ringline.api.listRooms({ userId: 'alice', tenantId: 'acme' })).rooms).toEqual([])
    const noOrigin = await ringline.handler(
      req('POST', '/rooms/standup/join', {
        user: 'alice',
        headers: { origin: '', 'sec-fetch-site': 'cross-site' },
      }),
    )
    expect(noOrigin.status).toBe(403)
  })

  it('accepts configured extra origins and server-to-server requests without Origin', async () => {
    const partner = await ringline.handler(
      req('POST', '/rooms/partner-room/join', {
        user: 'alice',
        headers: { origin: 'https://partner.example.org', 'sec-fetch-site': 'cross-site' },
      }),
    )
    expect(partner.status).toBe(200)
    const server = await ringline.handler(
      new Request(`${ORIGIN}/api/ringline/rooms/server-room/join`, {
        method: 'POST',
        headers: { authorization: 'Bearer alice', 'content-type': 'application/json' },
        body: '{}',
      }),
    )
    expect(server.status).toBe(200)
  })

  it('accepts only application/json on state-changing routes', async () => {
    const res = await ringline.handler(
      req('POST', '/rooms/standup/join', {
        user: 'alice',
        rawBody: 'displayName=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    )
    expect(res.status).toBe(415)
    expect((await res.json()).error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  it('limits body size with 413', async () => {
    const res = await ringline.handler(
      req('POST', '/calls', { user: 'alice', rawBody: JSON.stringify({ to: 'x'.repeat(70_000) }) }),
    )
    expect(res.status).toBe(413)
    expect((await res.json()).error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('answers invalid JSON and schema errors with 400 naming the field', async () => {
    const broken = await ringline.handler(req('POST', '/calls', { user: 'alice', rawBody: '{"to":' }))
    expect(broken.status).toBe(400)
    const wrongType = await ringline.handler(req('POST', '/calls', { user: 'alice', body: { to: 42 } }))
    const body = await wrongType.json()
    expect(wrongType.status).toBe(400)
    expect(body.error).toMatchObject({ code: 'INVALID_REQUEST', field: 'to' })
    expect(body.error.message).toContain('to')
  })

  it('returns 405 for a known path with the wrong method', async () => {
    const res = await ringline.handler(req('DELETE', '/rooms', { user: 'alice' }))
    expect(res.status).toBe(405)
  })

  it('refuses principals whose tenant id cannot go into room names', async () => {
    const weird = createRingline({
      livekit: { url: 'http://127.0.0.1:9', apiKey: API_KEY, apiSecret: API_SECRET },
      store: memoryStore(),
      authorize: () => ({ userId: 'u', tenantId: 'a/b' }),
    })
    const res = await weird.handler(req('GET', '/rooms'))
    expect(res.status).toBe(403)
    await weird.close()
  })
})

describe('configuration', () => {
  it('says which variables to set when LiveKit is not configured', async () => {
    const saved = { ...process.env }
    for (const k of ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET', 'LIVEKIT_SIP_OUTBOUND_TRUNK_ID'])
      delete process.env[k]
    const ringline = createRingline({ store: memoryStore(), authorize: testAuthorize })
    try {
      const res = await ringline.handler(req('POST', '/rooms/standup/join', { user: 'alice' }))
      const body = await res.json()
      expect(res.status).toBe(503)
      expect(body.error.code).toBe('NOT_CONFIGURED')
      expect(body.error.message).toContain('LIVEKIT_URL')
    } finally {
      process.env = saved
      await ringline.close()
    }
  })

  it('reads settings from the environment', async () => {
    const saved = { ...process.env }
    Object.assign(process.env, {
      LIVEKIT_URL: 'https://lk.example.com',
      LIVEKIT_API_KEY: API_KEY,
      LIVEKIT_API_SECRET: API_SECRET,
    })
    const ringline = createRingline({ store: memoryStore(), authorize: testAuthorize })
    try {
      const res = await ringline.handler(req('POST', '/rooms/standup/join', { user: 'alice' }))
      expect(res.status).toBe(200)
      expect((await res.json()).connection.serverUrl).toBe('wss://lk.example.com')
    } finally {
      process.env = saved
      await ringline.close()
    }
  })

  it('says how to get an outbound trunk', async () => {
    const ringline = testRingline({ sip: { callerId: '+14155550100' } })
    delete process.env.LIVEKIT_SIP_OUTBOUND_TRUNK_ID
    const res = await ringline.handler(req('POST', '/calls', { user: 'alice', body: { to: '+14155550123' } }))
    const body = await res.json()
    expect(body.error.code).toBe('NOT_CONFIGURED')
    expect(body.error.message).toContain('ringline sip setup')
    await ringline.close()
  })
})

describe('tokens and internal rooms', () => {
  const ringline = testRingline({ tokenTtl: 5 })
  beforeAll(() => ringline.store.migrate())
  afterAll(() => ringline.close())

  it('mints a one-room, microphone-only token with a tenant-scoped room and identity', async () => {
    const res = await ringline.handler(
      req('POST', '/rooms/standup/join', { user: 'alice', body: { displayName: 'Alice A.' } }),
    )
    expect(res.status).toBe(200)
    const { room, connection } = await res.json()
    expect(room).toMatchObject({ name: 'standup', roomName: 'int-acme-standup', createdBy: 'alice' })
    expect(room.participants).toEqual([
      expect.objectContaining({ identity: 'acme:alice', userId: 'alice', name: 'Alice A.' }),
    ])
    expect(connection.roomName).toBe('int-acme-standup')
    const claims = await verifier.verify(connection.token)
    expect(claims.sub).toBe('acme:alice')
    expect(claims.name).toBe('Alice A.')
    expect(claims.video).toEqual({
      roomJoin: true,
      room: 'int-acme-standup',
      canSubscribe: true,
      canPublish: true,
      canPublishData: true,
      canPublishSources: ['microphone'],
      canUpdateOwnMetadata: false,
    })
    expect(claims.sip).toBeUndefined()
    // TTL clamped to the 60 s minimum.
    expect((claims.exp ?? 0) - (claims.nbf ?? 0)).toBe(60)
  })

  it('POST /token gives the same grant as joining', async () => {
    const res = await ringline.handler(req('POST', '/token', { user: 'bob', body: { room: 'standup' } }))
    const connection = await res.json()
    const claims = await verifier.verify(connection.token)
    expect(claims.video?.room).toBe('int-acme-standup')
    expect(claims.video?.roomAdmin).toBeUndefined()
  })

  it('lists only the tenant’s rooms and keeps tenants apart', async () => {
    await ringline.handler(req('POST', '/rooms/globex-only/join', { user: 'eve' }))
    const acme = await (await ringline.handler(req('GET', '/rooms', { user: 'bob' }))).json()
    expect(acme.rooms.map((r: { name: string }) => r.name)).toContain('standup')
    expect(acme.rooms.map((r: { name: string }) => r.name)).not.toContain('globex-only')
    const globex = await (await ringline.handler(req('GET', '/rooms', { user: 'eve' }))).json()
    expect(globex.rooms.map((r: { roomName: string }) => r.roomName)).toEqual(['int-globex-globex-only'])
  })

  it('refuses a room name another tenant already owns', async () => {
    const owner = createRingline({
      livekit: { url: 'http://127.0.0.1:9', apiKey: API_KEY, apiSecret: API_SECRET },
      store: ringline.store,
      authorize: () => ({ userId: 'x', tenantId: 'acme-team' }),
    })
    // Tenant "acme-team" room "daily" and tenant "acme" room "team-daily" map to the same LiveKit room.
    expect((await owner.handler(req('POST', '/rooms/daily/join'))).status).toBe(200)
    const res = await ringline.handler(req('POST', '/rooms/team-daily/join', { user: 'alice' }))
    expect(res.status).toBe(403)
  })

  it('rejects room names that are not slugs (path traversal, unicode, uppercase)', async () => {
    for (const name of ['..%2F..%2Fetc', 'Standup', 'caf%C3%A9', '-x', 'a'.repeat(49), '%00']) {
      const res = await ringline.handler(req('POST', `/rooms/${name}/join`, { user: 'alice' }))
      expect(res.status, name).toBe(400)
      expect((await res.json()).error.code).toBe('INVALID_REQUEST')
    }
  })

  it('records leaving and only lets the creator or an admin end a room', async () => {
    const left = await ringline.handler(req('POST', '/rooms/standup/leave', { user: 'bob' }))
    expect(left.status).toBe(200)
    const { room } = await left.json()
    expect(room.participants.map((p: { userId: string }) => p.userId)).toEqual(['alice'])
    const forbidden = await ringline.handler(req('POST', '/rooms/standup/end', { user: 'bob' }))
    expect(forbidden.status).toBe(403)
    const missing = await ringline.handler(req('POST', '/rooms/nothing-here/end', { user: 'alice' }))
    expect((await missing.json()).error.code).toBe('ROOM_NOT_FOUND')
  })
})
