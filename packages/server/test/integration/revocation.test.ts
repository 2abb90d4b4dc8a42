// revokeUser on a real livekit-server: the user's participant is removed (RoomServiceClient.removeParticipant),
// others stay, and the user gets no new token until restoreUser.
import { Room, RoomEvent } from '@livekit/rtc-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, startHarness } from './harness'

describe('revokeUser on a real LiveKit', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness()
  })
  afterAll(() => h.close())

  it('disconnects the revoked user from LiveKit, keeps the others, and refuses new tokens until restored', async () => {
    const a = await h.post('alice', '/rooms/revoke/join')
    const b = await h.post('bob', '/rooms/revoke/join')
    expect(a.status).toBe(200)
    const alice = new Room()
    const bob = new Room()
    await alice.connect(h.sandbox.livekit.wsUrl, a.body.connection.token)
    await bob.connect(h.sandbox.livekit.wsUrl, b.body.connection.token)
    const roomName = `int-${h.tenant}-revoke`
    const disconnected = new Promise<void>((resolve) => alice.once(RoomEvent.Disconnected, () => resolve()))

    const result = await h.ringline.api.revokeUser(h.tenant, 'alice', { reason: 'sign-out' })
    expect(result.participantsRemoved).toEqual([{ room: roomName, identity: `${h.tenant}:alice` }])
    expect(result.failures).toEqual([])
    await disconnected
    expect(alice.isConnected).toBe(false)

    // LiveKit itself no longer lists Alice; Bob is still there and connected.
    const { RoomServiceClient } = await import('livekit-server-sdk')
    const rooms = new RoomServiceClient(
      h.sandbox.livekit.url,
      h.sandbox.livekit.apiKey,
      h.sandbox.livekit.apiSecret,
    )
    const identities = (await rooms.listParticipants(roomName)).map((p) => p.identity)
    expect(identities).toEqual([`${h.tenant}:bob`])
    expect(bob.isConnected).toBe(true)

    // No new token (a refresh is a new join) while revoked.
    const refused = await h.post('alice', '/rooms/revoke/join')
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('ACCESS_REVOKED')

    // Restored: a new token that LiveKit accepts.
    expect(await h.ringline.api.restoreUser(h.tenant, 'alice')).toBe(true)
    const again = await h.post('alice', '/rooms/revoke/join')
    expect(again.status).toBe(200)
    const back = new Room()
    await back.connect(h.sandbox.livekit.wsUrl, again.body.connection.token)
    expect(back.isConnected).toBe(true)
    await back.disconnect()
    await bob.disconnect()
  })
})
