import {
  AccessToken,
  EgressClient,
  RoomServiceClient,
  WebhookEvent,
  WebhookReceiver,
} from 'livekit-server-sdk'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Queryable } from '../sql/types'
import { createEgressSimulator, type EgressSimulator } from '../testing/egress/egressSimulator'
import { startTestLivekit, type TestLivekit } from '../testing/egress/livekitTestServer'
import { type S3Fake, startS3Fake } from '../testing/s3/s3Fake'
import { createTestDb, insertTestCall } from '../testing/testDb'
import { createRecordingService, type RecordingService } from './recordingService'
import { sqlRecordingStore } from './sqlRecordingStore'
import type { RecordingState, RecordingStorageConfig } from './types'

// Unique per run: the sandbox's livekit-server outlives test runs.
const RUN = Math.random().toString(36).slice(2, 8)
let livekit: TestLivekit
let s3: S3Fake
let s3Skew = 0
let db: Queryable & { close(): Promise<void> }
let sim: EgressSimulator
let rooms: RoomServiceClient
const server = setupServer()
const S3_SECRET = 'rec-secret-key-abcdef123456'
let webhookStatuses: number[] = []
let service: RecordingService

function storage(overrides: Partial<RecordingStorageConfig> = {}): RecordingStorageConfig {
  return {
    bucket: 'calls',
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    keyPrefix: 'rec/',
    accessKeyId: 'AKREC',
    secretAccessKey: S3_SECRET,
    ...overrides,
  }
}

function makeService(
  overrides: Partial<Parameters<typeof createRecordingService>[0]> = {},
): RecordingService {
  return createRecordingService({
    egress: new EgressClient(livekit.url, livekit.apiKey, livekit.apiSecret),
    store: sqlRecordingStore(db),
    storage: storage(),
    playbackTtlSeconds: 2,
    ...overrides,
  })
}

async function newCall(id: string, status = 'in-progress'): Promise<string> {
  const roomName = `media-test-recording-${id}-${RUN}`
  await rooms.createRoom({ name: roomName, emptyTimeout: 120 })
  await insertTestCall(db, { id, roomName, status })
  return roomName
}

async function row(id: string) {
  const { rows } = await db.query<{
    recording_url: string | null
    egress_id: string | null
    recording: RecordingState
  }>(
    `SELECT recording_url, egress_id, metadata -> 'recording' AS recording FROM ringline_calls WHERE id = $1`,
    [id],
  )
  return rows[0]!
}

beforeAll(async () => {
  livekit = await startTestLivekit()
  s3 = await startS3Fake({
    credentials: { AKREC: S3_SECRET },
    buckets: ['calls'],
    now: () => Date.now() + s3Skew,
  })
  db = await createTestDb()
  rooms = new RoomServiceClient(livekit.url, livekit.apiKey, livekit.apiSecret)
  const receiver = new WebhookReceiver(livekit.apiKey, livekit.apiSecret)
  // What the LiveKit webhook route does for egress events: verify, apply, 5xx only when it could not persist.
  const webhook = async (request: Request): Promise<Response> => {
    const event = await receiver.receive(
      await request.text(),
      request.headers.get('authorization') ?? undefined,
    )
    try {
      await service.handleWebhook(event)
      webhookStatuses.push(200)
      return new Response(null, { status: 200 })
    } catch {
      webhookStatuses.push(503)
      return new Response(null, { status: 503 })
    }
  }
  sim = createEgressSimulator({
    livekitUrl: livekit.url,
    apiKey: livekit.apiKey,
    apiSecret: livekit.apiSecret,
    webhook,
  })
  server.use(...sim.handlers)
  server.listen({ onUnhandledRequest: 'bypass' })
  service = makeService()
})

afterEach(async () => {
  await sim.idle()
  s3Skew = 0
  webhookStatuses = []
})

afterAll(async () => {
  server.close()
  await s3?.close()
  await db?.close()
  await livekit?.stop()
})

describe('recording against the egress simulator, the S3 fake and a real livekit-server', () => {
  it('records a call end to end: start once, webhooks, stop, upload, expiring playback URL', async () => {
    const roomName = await newCall('call-1')
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        service.start({ callId: 'call-1', tenantId: 'tenant-a', requestedBy: 'user:u1' }),
      ),
    )
    expect(results.filter((r) => r.created)).toHaveLength(1)
    const egressId = results.find((r) => r.created)!.recording.egressId
    expect(egressId).toMatch(/^EG_/)
    // Losers of the claim answer with the recording being started (its id may not be known yet).
    for (const r of results) expect([null, egressId]).toContain(r.recording.egressId)
    expect([...sim.egresses.values()].filter((e) => e.info.roomName === roomName)).toHaveLength(1)

    // The request LiveKit got: audio-only room composite, OGG file output to our bucket.
    const request = sim.egresses.get(egressId!)!.info.request
    expect(request.case).toBe('roomComposite')
    if (request.case === 'roomComposite') {
      expect(request.value.audioOnly).toBe(true)
      const file = request.value.fileOutputs[0]!
      expect(file.filepath).toMatch(/^rec\/tenant-a\/call-1\/\d{8}T\d+Z\.ogg$/)
      expect(file.output.case).toBe('s3')
    }

    await sim.idle()
    let stored = await row('call-1')
    expect(stored.egress_id).toBe(egressId)
    expect(stored.recording.status).toBe('active')
    expect(stored.recording.startedAt).not.toBeNull()
    expect(sim.webhooks.map((w) => `${w.event}:${w.status}`)).toEqual(
      expect.arrayContaining(['egress_started:EGRESS_STARTING', 'egress_updated:EGRESS_ACTIVE']),
    )
    await expect(service.playbackUrl({ callId: 'call-1' })).rejects.toMatchObject({ code: 'NOT_FOUND' })

    const stopping = await service.stop({ callId: 'call-1', tenantId: 'tenant-a' })
    expect(stopping.status).toBe('stopping')
    await sim.idle()
    stored = await row('call-1')
    expect(stored.recording.status).toBe('completed')
    expect(stored.recording_url).toBe(stored.recording.objectKey)
    expect(stored.recording.sizeBytes).toBeGreaterThan(0)
    expect(stored.recording.durationSeconds).toBeGreaterThanOrEqual(0)
    const object = s3.getObject('calls', stored.recording_url!)
    expect(object?.body.subarray(0, 4).toString()).toBe('OggS')
    expect(object?.body.length).toBe(stored.recording.sizeBytes)
    expect(webhookStatuses.every((s) => s === 200)).toBe(true)

    const playback = await service.playbackUrl({ callId: 'call-1', tenantId: 'tenant-a' })
    expect(playback.url.startsWith(`${s3.endpoint}/calls/rec/tenant-a/call-1/`)).toBe(true)
    expect(playback.url).not.toContain(S3_SECRET)
    expect(playback.contentType).toBe('audio/ogg')
    const res = await fetch(playback.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('audio/ogg')
    expect(Buffer.from(await res.arrayBuffer()).equals(object!.body)).toBe(true)
    s3Skew = 2_500
    expect((await fetch(playback.url)).status).toBe(403)

    // Another tenant never gets it.
    await expect(service.playbackUrl({ callId: 'call-1', tenantId: 'tenant-b' })).rejects.toMatchObject({
      code: 'CALL_NOT_FOUND',
    })
  })

  it('ignores replayed and stale webhooks once the recording is final', async () => {
    await newCall('call-2')
    const { recording } = await service.start({ callId: 'call-2', requestedBy: 'user:u1' })
    await sim.idle()
    const activeEvent = sim.webhooks.find(
      (w) => w.egressId === recording.egressId && w.status === 'EGRESS_ACTIVE',
    )!
    await sim.complete(recording.egressId!)
    await sim.idle()
    const final = (await row('call-2')).recording
    expect(final.status).toBe('completed')

    await sim.replayLast(recording.egressId!)
    const stale = await service.handleWebhook(WebhookEvent.fromJsonString(activeEvent.body))
    expect(stale).toMatchObject({ handled: true, changed: false, callId: 'call-2' })
    expect((await row('call-2')).recording).toEqual(final)
    expect(sim.webhooks.at(-1)?.attempts).toEqual([200, 200])

    // A new recording may start after the first finished.
    const again = await service.start({ callId: 'call-2', requestedBy: 'user:u1' })
    expect(again.created).toBe(true)
    expect(again.recording.egressId).not.toBe(recording.egressId)
  })

  it('stores the failure reason when the upload is refused, without leaking the secret', async () => {
    await newCall('call-3')
    const badSecret = 'wrong-secret-0000000000'
    const bad = makeService({ storage: storage({ secretAccessKey: badSecret }) })
    const { recording } = await bad.start({ callId: 'call-3', requestedBy: 'policy' })
    await sim.idle()
    await sim.complete(recording.egressId!)
    await sim.idle()
    const stored = await row('call-3')
    expect(stored.recording.status).toBe('failed')
    expect(stored.recording.error).toContain('SignatureDoesNotMatch')
    expect(JSON.stringify(stored)).not.toContain(badSecret)
    expect(stored.recording_url).toBeNull()
    await expect(bad.playbackUrl({ callId: 'call-3' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('maps LiveKit refusals to stable codes and frees the claim', async () => {
    await insertTestCall(db, { id: 'call-4', roomName: 'out-tenant-a_no-such-room' })
    await expect(service.start({ callId: 'call-4', requestedBy: 'user:u1' })).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      details: { livekitCode: 'not_found' },
    })
    expect((await row('call-4')).recording.status).toBe('failed')

    const forged = createRecordingService({
      egress: new EgressClient(livekit.url, livekit.apiKey, 'not-the-secret-not-the-secret-xx'),
      store: sqlRecordingStore(db),
      storage: storage(),
    })
    const refused = await forged.start({ callId: 'call-4', requestedBy: 'user:u1' }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'UPSTREAM_ERROR', details: { livekitStatus: 401 } })
    // livekit-server echoes the token in its 401 text: it must not reach messages or storage.
    expect((refused as Error).message).toContain('invalid token')
    expect((refused as Error).message).not.toMatch(/eyJ[\w-]{5,}\./)
    expect(JSON.stringify((await row('call-4')).recording)).not.toMatch(/eyJ[\w-]{5,}\./)

    await expect(service.start({ callId: 'missing', requestedBy: 'user:u1' })).rejects.toMatchObject({
      code: 'CALL_NOT_FOUND',
    })
    await insertTestCall(db, {
      id: 'call-5',
      roomName: 'r5',
      status: 'completed',
      endedAt: new Date().toISOString(),
    })
    await expect(service.start({ callId: 'call-5', requestedBy: 'user:u1' })).rejects.toMatchObject({
      code: 'CALL_NOT_ACTIVE',
    })
    await expect(service.stop({ callId: 'call-5' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  it('requires the roomRecord grant on the Twirp API, answering like livekit-server', async () => {
    const token = new AccessToken(livekit.apiKey, livekit.apiSecret)
    token.addGrant({ roomAdmin: true, room: 'x' })
    const res = await fetch(`${livekit.url}/twirp/livekit.Egress/ListEgress`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token.toJwt()}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ code: 'unauthenticated', msg: 'permissions denied' })
    const list = await new EgressClient(livekit.url, livekit.apiKey, livekit.apiSecret).listEgress({
      active: true,
    })
    expect(Array.isArray(list)).toBe(true)
  })

  it('applies the policy: never refuses, on-answer starts by itself', async () => {
    await newCall('call-6')
    const never = makeService({ policy: 'never' })
    await expect(never.start({ callId: 'call-6', requestedBy: 'user:u1' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
    expect(await never.onCallAnswered({ callId: 'call-6' })).toBeNull()
    const onDemand = makeService({ policy: () => 'on-demand' })
    expect(await onDemand.onCallAnswered({ callId: 'call-6' })).toBeNull()
    const onAnswer = makeService({ policy: (call) => (call.tenantId === 'tenant-a' ? 'on-answer' : 'never') })
    const started = await onAnswer.onCallAnswered({ callId: 'call-6' })
    expect(started?.egressId).toMatch(/^EG_/)
    expect(started?.requestedBy).toBe('policy')
  })
})
