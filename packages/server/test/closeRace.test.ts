import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ringline } from '../src/ringline'
import { fakeLivekitApi } from './fakeLivekit'
import { API_KEY, API_SECRET, req, testRingline } from './helpers'
import { signedWebhook } from './webhookSigner'

/**
 * LiveKit sends `room_finished` as soon as a room is deleted, so its webhook can close the call record before the
 * request that deleted the room gets its own turn. The request must then answer with the record as the webhook
 * left it, not the copy it read before.
 */
describe('a close that loses the race to room_finished', () => {
  let ringline: Ringline
  let livekit: Awaited<ReturnType<typeof fakeLivekitApi>>

  beforeAll(async () => {
    // DeleteRoom delivers room_finished to Ringline, and only then answers.
    livekit = await fakeLivekitApi({
      'RoomService/DeleteRoom': async ({ room }) => {
        const hook = await ringline.handler(
          await signedWebhook({ event: 'room_finished', room: { name: room, sid: 'RM_race' } }),
        )
        if (hook.status !== 200) throw new Error(`room_finished answered ${hook.status}`)
      },
    })
    ringline = testRingline({ livekit: { url: livekit.url, apiKey: API_KEY, apiSecret: API_SECRET } })
  })
  afterAll(async () => {
    await ringline.close()
    await livekit.close()
  })

  it('ending a room answers with the closed record when the webhook closed it first', async () => {
    expect((await ringline.handler(req('POST', '/rooms/standup/join', { user: 'alice' }))).status).toBe(200)
    const ended = await ringline.handler(req('POST', '/rooms/standup/end', { user: 'alice' }))
    expect(ended.status).toBe(200)
    expect(livekit.calls).toEqual([{ method: 'RoomService/DeleteRoom', body: { room: 'int-acme-standup' } }])
    const { call } = await ended.json()
    expect(call).toMatchObject({ status: 'completed', endReason: 'completed' })
    expect(call.endedAt).not.toBeNull()
    expect((await ringline.api.listRooms({ userId: 'alice', tenantId: 'acme' })).rooms).toEqual([])
  })
})
