// "Online agents" across instances: presence lives in PostgreSQL (ringline_presence, heartbeat + expiry), so a
// call ringing through one instance counts the agents whose streams are on another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ringline } from '../src/ringline'
import { instancesOnOnePostgres, USERS } from './helpers'
import { signedWebhook } from './webhookSigner'

describe('presence across two instances on one PostgreSQL', () => {
  let a: Ringline
  let b: Ringline
  beforeAll(async () => {
    ;[a, b] = (await instancesOnOnePostgres()) as [Ringline, Ringline]
  })
  afterAll(async () => {
    await a.close()
    await b.close()
  })

  /** An inbound call ringing through instance `on` (its SIP participant's join). */
  async function ringingCall(on: Ringline, tag: string): Promise<string> {
    const room = { name: `in-acme_+15550001111_${tag}`, sid: `RM_${tag}` }
    const caller = {
      sid: `PA_${tag}`,
      identity: 'sip_+15550001111',
      kind: 'SIP',
      joinedAt: String(Math.floor(Date.now() / 1000)),
      attributes: { 'sip.phoneNumber': '+15550001111', 'ringline.tenant': 'acme' },
    }
    const res = await on.handler(
      await signedWebhook({ event: 'participant_joined', room, participant: caller }),
    )
    expect(res.status).toBe(200)
    const { rows } = await on.store.query<{ id: string }>(
      'SELECT id FROM ringline_calls WHERE room_name = $1',
      [room.name],
    )
    return rows[0]!.id
  }

  it('an agent online on A keeps a call ringing on B after the others declined; declines on A and B end it', async () => {
    const offAlice = a.api.subscribe(USERS.alice!, () => undefined)
    const offBob = b.api.subscribe(USERS.bob!, () => undefined)
    try {
      const id = await ringingCall(b, 'x1')
      // Bob (on B) declines: Alice, online on A only, has not — the call keeps ringing.
      expect((await b.api.declineCall(USERS.bob!, id)).call.status).toBe('ringing')
      // Alice declines through A: everyone online, on either instance, declined.
      expect((await a.api.declineCall(USERS.alice!, id)).call.status).toBe('declined')
    } finally {
      offAlice()
      offBob()
    }
  })

  it('a user who closed their last stream is offline everywhere', async () => {
    const offAlice = a.api.subscribe(USERS.alice!, () => undefined)
    offAlice()
    // The going-offline write is A's, in the background: wait until it landed.
    await expect
      .poll(
        async () =>
          (await b.store.query("SELECT 1 FROM ringline_presence WHERE user_id = 'alice'")).rows.length,
      )
      .toBe(0)
    const offBob = b.api.subscribe(USERS.bob!, () => undefined)
    try {
      const id = await ringingCall(b, 'x2')
      expect((await b.api.declineCall(USERS.bob!, id)).call.status).toBe('declined')
    } finally {
      offBob()
    }
  })
})
