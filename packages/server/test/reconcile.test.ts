import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getCall, insertCall } from '../src/calls/callRepository'
import { startTestLivekit, type TestLivekit } from '../src/testing/egress/livekitTestServer'
import { testRingline } from './helpers'

// Against a real livekit-server (the sandbox's): none of these rooms exist there.
let livekit: TestLivekit
beforeAll(async () => {
  livekit = await startTestLivekit()
})
afterAll(async () => {
  await livekit?.stop()
})

describe('reconcile', () => {
  it('closes open calls whose LiveKit room is gone, but leaves Twilio Voice calls to their status callbacks', async () => {
    const ringline = testRingline({
      livekit: { url: livekit.url, apiKey: livekit.apiKey, apiSecret: livekit.apiSecret },
    })
    const run = Math.random().toString(36).slice(2, 8)
    const base = { tenantId: 'acme', createdBy: 'alice', toNumber: '+14155550123' }
    await insertCall(ringline.store, {
      ...base,
      id: 'lk1',
      direction: 'outbound',
      status: 'in-progress',
      roomName: `out-acme_gone${run}`,
    })
    await insertCall(ringline.store, {
      ...base,
      id: 'tw1',
      direction: 'outbound',
      status: 'in-progress',
      roomName: `twilio-acme_${run}`,
      internals: { transport: 'twilio' },
    })
    await insertCall(ringline.store, {
      ...base,
      id: 'tw2',
      direction: 'inbound',
      status: 'ringing',
      roomName: `twilio-acme_in${run}`,
    })
    await ringline.store.query("UPDATE ringline_calls SET started_at = now() - interval '10 minutes'")

    const result = await ringline.api.reconcile()
    expect(result.closed).toEqual(['lk1'])
    expect(result.checked).toBe(1)
    expect((await getCall(ringline.store, 'acme', 'lk1'))?.endReason).toBe('stale')
    expect((await getCall(ringline.store, 'acme', 'tw1'))?.endedAt).toBeNull()
    expect((await getCall(ringline.store, 'acme', 'tw2'))?.status).toBe('ringing')
    await ringline.close()
  })
})
