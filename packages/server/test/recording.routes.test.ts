import {
  callDetailSchema,
  errorBodySchema,
  recordingPlaybackSchema,
  recordingResponseSchema,
} from '@ringline/core/protocol'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { insertCall } from '../src/calls/callRepository'
import { memoryStore } from '../src/sql/memoryStore'
import { createEgressSimulator, type EgressSimulator, type S3Fake, startS3Fake } from '../src/testing'
import type { RinglineConfig } from '../src/types'
import { API_KEY, API_SECRET, ORIGIN, req, testRingline } from './helpers'

// The egress service cannot run here: its Twirp API is the MSW simulator, the bucket an in-process S3 fake,
// and the simulator signs its egress webhooks like livekit-server and posts them to the Ringline handler.
const LIVEKIT_URL = 'http://127.0.0.1:9'
const S3_SECRET = 'route-test-s3-secret-0123456789'
const server = setupServer()
let s3: S3Fake
let sim: EgressSimulator
let target: ((request: Request) => Promise<Response>) | undefined
let ringline: ReturnType<typeof testRingline>
let webhookOutcomes: number[] = []

function withRecording(overrides: Partial<RinglineConfig> = {}) {
  return testRingline({
    livekit: { url: LIVEKIT_URL, apiKey: API_KEY, apiSecret: API_SECRET },
    store: memoryStore(),
    recording: {
      storage: {
        bucket: 'calls',
        region: 'us-east-1',
        endpoint: s3.endpoint,
        accessKeyId: 'AKROUTES',
        secretAccessKey: S3_SECRET,
      },
      playbackTtlSeconds: 60,
    },
    ...overrides,
  })
}

async function openCall(
  r: ReturnType<typeof testRingline>,
  id: string,
  extra: Partial<Parameters<typeof insertCall>[1]> = {},
) {
  await insertCall(r.store, {
    id,
    tenantId: 'acme',
    direction: 'outbound',
    status: 'in-progress',
    roomName: `out-acme_${id}`,
    createdBy: 'alice',
    toNumber: '+14155550123',
    ...extra,
  })
}

async function json(res: Response) {
  return (await res.json()) as Record<string, unknown>
}

beforeAll(async () => {
  s3 = await startS3Fake({ credentials: { AKROUTES: S3_SECRET }, buckets: ['calls'] })
  sim = createEgressSimulator({
    livekitUrl: LIVEKIT_URL,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    verifyRoom: false,
    retryDelayMs: 5,
    // Delivered to whichever Ringline the test is using, at its real webhook path.
    webhook: async (request) => {
      if (!target) return new Response(null, { status: 404 })
      const res = await target(
        new Request(`${ORIGIN}/api/ringline/webhooks/livekit`, {
          method: 'POST',
          headers: request.headers,
          body: await request.text(),
        }),
      )
      webhookOutcomes.push(res.status)
      return res
    },
  })
  server.use(...sim.handlers)
  server.listen({ onUnhandledRequest: 'bypass' })
})

afterEach(async () => {
  await sim.idle()
  await ringline?.settled()
  await ringline?.close()
  target = undefined
  webhookOutcomes = []
})

afterAll(async () => {
  server.close()
  await s3?.close()
})

describe('recording routes', () => {
  it('records on request: start, egress webhooks, stop, upload, then a 302 to the stored file', async () => {
    ringline = withRecording()
    target = ringline.handler
    await openCall(ringline, 'rec1')

    const started = await ringline.handler(req('POST', '/calls/rec1/recording', { user: 'alice' }))
    expect(started.status).toBe(200)
    const { recording } = recordingResponseSchema.parse(await started.json())
    expect(['starting', 'active']).toContain(recording.status)
    // Asking again while it runs starts nothing new.
    const again = await ringline.handler(req('POST', '/calls/rec1/recording', { user: 'alice' }))
    expect(again.status).toBe(200)
    await sim.idle()
    expect([...sim.egresses.values()].filter((e) => e.info.roomName === 'out-acme_rec1')).toHaveLength(1)
    const [egress] = [...sim.egresses.values()].filter((e) => e.info.roomName === 'out-acme_rec1')
    expect(egress?.filepath).toMatch(/^ringline\/recordings\/acme\/rec1\/.+\.ogg$/)

    const active = callDetailSchema.parse(
      await json(await ringline.handler(req('GET', '/calls/rec1', { user: 'alice' }))),
    )
    expect(active.recording?.status).toBe('active')
    expect(active.call.recordingUrl).toBeNull()

    const stopped = await ringline.handler(req('DELETE', '/calls/rec1/recording', { user: 'alice' }))
    expect(stopped.status).toBe(200)
    expect(['stopping', 'completed']).toContain(
      recordingResponseSchema.parse(await stopped.json()).recording.status,
    )
    await sim.idle()
    expect(webhookOutcomes.length).toBeGreaterThanOrEqual(3)
    expect(webhookOutcomes.every((s) => s === 200)).toBe(true)

    const detail = callDetailSchema.parse(
      await json(await ringline.handler(req('GET', '/calls/rec1', { user: 'alice' }))),
    )
    expect(detail.recording).toMatchObject({ status: 'completed', error: null })
    expect(detail.recording?.sizeBytes).toBeGreaterThan(0)
    expect(detail.call.recordingUrl).toBe('/api/ringline/calls/rec1/recording')
    expect(detail.timeline?.map((t) => t.type)).toEqual(
      expect.arrayContaining(['started', 'recording.started', 'recording.ended']),
    )
    expect(JSON.stringify(detail)).not.toContain('ringline/recordings/')

    const redirect = await ringline.handler(req('GET', '/calls/rec1/recording', { user: 'alice' }))
    expect(redirect.status).toBe(302)
    const location = redirect.headers.get('location') ?? ''
    expect(location.startsWith(`${s3.endpoint}/calls/`)).toBe(true)
    expect(location).toContain('X-Amz-Signature=')
    const file = await fetch(location)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('audio/ogg')
    const bytes = Buffer.from(await file.arrayBuffer())
    expect(bytes.equals(s3.getObject('calls', egress!.filepath)!.body)).toBe(true)
    expect(bytes.subarray(0, 4).toString()).toBe('OggS')

    const link = await ringline.handler(req('GET', '/calls/rec1/recording?format=json', { user: 'alice' }))
    const playback = recordingPlaybackSchema.parse(await link.json())
    expect(playback.contentType).toBe('audio/ogg')
    expect(Date.parse(playback.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000)

    // LiveKit redelivers: the replay changes nothing and is answered 200.
    webhookOutcomes = []
    await sim.replayLast(egress!.info.egressId)
    await sim.idle()
    expect(webhookOutcomes).toEqual([200])
    const after = callDetailSchema.parse(
      await json(await ringline.handler(req('GET', '/calls/rec1', { user: 'alice' }))),
    )
    expect(after.recording).toEqual(detail.recording)

    // Another member of the tenant does not see alice's call; its S3 secret never shows in logs.
    const bob = await ringline.handler(req('GET', '/calls/rec1/recording', { user: 'bob' }))
    expect(bob.status).toBe(404)
    expect(errorBodySchema.parse(await bob.json()).error.code).toBe('CALL_NOT_FOUND')
    expect(ringline.logger.lines.join('\n')).not.toContain(S3_SECRET)
  })

  it('starts recording by itself on answer when the policy is on-answer', async () => {
    ringline = withRecording({
      recording: {
        storage: {
          bucket: 'calls',
          region: 'us-east-1',
          endpoint: s3.endpoint,
          accessKeyId: 'AKROUTES',
          secretAccessKey: S3_SECRET,
        },
        policy: (call) => (call.direction === 'inbound' ? 'on-answer' : 'on-demand'),
      },
    })
    target = ringline.handler
    await openCall(ringline, 'in1', {
      direction: 'inbound',
      status: 'ringing',
      roomName: 'in-acme_+14155550123_x1',
      createdBy: null,
      fromNumber: '+14155550123',
      toNumber: '+14155550100',
    })
    const answered = await ringline.handler(req('POST', '/calls/in1/answer', { user: 'bob' }))
    expect(answered.status).toBe(200)
    await ringline.settled()
    await sim.idle()
    const egresses = [...sim.egresses.values()].filter((e) => e.info.roomName === 'in-acme_+14155550123_x1')
    expect(egresses).toHaveLength(1)
    const detail = callDetailSchema.parse(
      await json(await ringline.handler(req('GET', '/calls/in1', { user: 'bob' }))),
    )
    expect(detail.recording?.status).toBe('active')
    // Room closed: the egress uploads and ends; the call's recording is then playable.
    await sim.roomFinished('in-acme_+14155550123_x1')
    await sim.idle()
    const done = await ringline.handler(req('GET', '/calls/in1/recording', { user: 'bob' }))
    expect(done.status).toBe(302)
  })

  it('refuses clearly: not configured, policy never, call not connected, nothing to play', async () => {
    ringline = testRingline({ livekit: { url: LIVEKIT_URL, apiKey: API_KEY, apiSecret: API_SECRET } })
    await openCall(ringline, 'nc1')
    const off = await ringline.handler(req('POST', '/calls/nc1/recording', { user: 'alice' }))
    expect(off.status).toBe(503)
    const body = errorBodySchema.parse(await off.json())
    expect(body.error.code).toBe('NOT_CONFIGURED')
    expect(body.error.message).toContain('RINGLINE_RECORDING_BUCKET')
    await ringline.close()

    ringline = withRecording({
      recording: {
        storage: {
          bucket: 'calls',
          region: 'us-east-1',
          endpoint: s3.endpoint,
          accessKeyId: 'AKROUTES',
          secretAccessKey: S3_SECRET,
        },
        policy: 'never',
      },
    })
    await openCall(ringline, 'nv1')
    await openCall(ringline, 'ring1', { status: 'initiated', roomName: 'out-acme_ring1' })
    const never = await ringline.handler(req('POST', '/calls/nv1/recording', { user: 'alice' }))
    expect(errorBodySchema.parse(await never.json()).error.code).toBe('FORBIDDEN')
    const ringing = await ringline.handler(req('POST', '/calls/ring1/recording', { user: 'alice' }))
    expect(ringing.status).toBe(409)
    expect(errorBodySchema.parse(await ringing.json()).error.code).toBe('CALL_NOT_ACTIVE')
    const none = await ringline.handler(req('GET', '/calls/nv1/recording', { user: 'alice' }))
    expect(none.status).toBe(404)
    const stop = await ringline.handler(req('DELETE', '/calls/nv1/recording', { user: 'alice' }))
    expect(stop.status).toBe(404)
  })

  it('never returns the token a refusing livekit-server echoes', async () => {
    // Signed with a secret the (simulated) server does not know: it answers 401 with the JWT in the text.
    ringline = withRecording({
      livekit: { url: LIVEKIT_URL, apiKey: API_KEY, apiSecret: `${API_SECRET}-wrong` },
    })
    await openCall(ringline, 'bad1')
    const res = await ringline.handler(req('POST', '/calls/bad1/recording', { user: 'alice' }))
    expect(res.status).toBe(502)
    const text = await res.text()
    expect(errorBodySchema.parse(JSON.parse(text)).error.code).toBe('UPSTREAM_ERROR')
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\./)
    expect(ringline.logger.lines.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./)
    const detail = callDetailSchema.parse(
      await json(await ringline.handler(req('GET', '/calls/bad1', { user: 'alice' }))),
    )
    expect(detail.recording?.status).toBe('failed')
    expect(detail.recording?.error ?? '').not.toMatch(/eyJ/)
  })
})
