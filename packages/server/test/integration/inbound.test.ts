import { SIPDispatchRuleInfo } from '@livekit/protocol'
import type { RinglineEvent } from '@ringline/core/protocol'
import { itWithSip } from '@ringline/sandbox/vitest'
import { SipClient } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getLatestCallByRoom } from '../../src/calls/callRepository'
import { INBOUND_ROOM_EMPTY_TIMEOUT_SECONDS } from '../../src/calls/inbound'
import { inboundRoomMetadata } from '../../src/tokens'
import { type Harness, joinWithAudio, startHarness } from './harness'

type Incoming = Extract<RinglineEvent, { type: 'call.incoming' }>
type Ended = Extract<RinglineEvent, { type: 'call.ended' }>

// Provisioning needs only livekit-server; every test where the phone calls in needs livekit-sip (itWithSip).
describe('inbound calls from the sipp phone', { timeout: 90_000 }, () => {
  let h: Harness
  let number: string
  let cleanup: { trunk: string; rule: string } | undefined
  beforeAll(async () => {
    h = await startHarness()
    number = h.sandbox.sip.freeNumbers[0] as string
    const connection = await h.ringline.api.provisionNumber({ e164: number, tenantId: h.tenant })
    cleanup = { trunk: connection.livekitInboundTrunkId ?? '', rule: connection.livekitDispatchRuleId ?? '' }
  })
  afterAll(async () => {
    await h.close()
  })

  const incomingFrom = (from: string) =>
    h.waitForEvent((e): e is Incoming => e.type === 'call.incoming' && e.call.fromNumber === from)

  it('provisionNumber is idempotent', async () => {
    const again = await h.ringline.api.provisionNumber({ e164: number, tenantId: h.tenant })
    expect(again.livekitInboundTrunkId).toBe(cleanup?.trunk)
    expect(again.livekitDispatchRuleId).toBe(cleanup?.rule)
    const rooms = (await h.ringline.store.query('SELECT * FROM ringline_number_connections')).rows
    expect(rooms).toHaveLength(1)
  })

  itWithSip(
    'records the call, announces it, lets exactly one of two agents claim it, and the answer connects the phone',
    async () => {
      const from = '+15550001201'
      const phoneCall = h.sandbox.phone.call(number, { from })
      const incoming = await incomingFrom(from)
      expect(incoming.call).toMatchObject({ direction: 'inbound', status: 'ringing', toNumber: number })
      expect(incoming.call.roomName.startsWith(`in-${h.tenant}_`)).toBe(true)

      const [a, b] = await Promise.all([
        h.post('alice', `/calls/${incoming.call.id}/answer`),
        h.post('bob', `/calls/${incoming.call.id}/answer`),
      ])
      const statuses = [a.status, b.status].sort()
      expect(statuses).toEqual([200, 409])
      const winner = a.status === 200 ? a : b
      const loser = a.status === 200 ? b : a
      expect(loser.body.error.code).toBe('CALL_ALREADY_ANSWERED')
      expect(winner.body.connection.roomName).toBe(incoming.call.roomName)
      await h.waitForEvent(
        (e) => e.type === 'call.updated' && e.call.id === incoming.call.id && e.call.status === 'in-progress',
      )

      // Publishing audio is what makes livekit-sip send 200 OK to the caller.
      const agent = await joinWithAudio(h.sandbox.livekit.wsUrl, winner.body.connection.token)
      expect(await phoneCall.answered).toBe(true)
      const winnerUser = a.status === 200 ? 'alice' : 'bob'
      const hung = await h.post(winnerUser, `/calls/${incoming.call.id}/hangup`)
      expect(hung.body.call).toMatchObject({ status: 'completed', answeredBy: winnerUser })
      const result = await phoneCall
      expect(result.answered).toBe(true)
      expect(result.endedBy).toBe('remote')
      await agent.stop()
    },
  )

  itWithSip('a caller hanging up while it rings makes the call missed', async () => {
    const from = '+15550001202'
    const phoneCall = h.sandbox.phone.call(number, { from })
    const incoming = await incomingFrom(from)
    await phoneCall.hangup()
    const ended = await h.waitForEvent(
      (e): e is Ended => e.type === 'call.ended' && e.call.id === incoming.call.id,
    )
    expect(ended.call).toMatchObject({ status: 'missed', endReason: 'missed' })
    const late = await h.post('alice', `/calls/${incoming.call.id}/answer`)
    expect(late.status).toBe(409)
    expect(late.body.error.code).toBe('CALL_NOT_ACTIVE')
  })

  it('the dispatch rule gives each call’s room metadata naming the workspace and number; an older rule gets it', async () => {
    const sip = new SipClient(h.sandbox.livekit.url, h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret)
    const metadata = inboundRoomMetadata(h.tenant, number)
    const ruleOf = async () =>
      (await sip.listSipDispatchRule({ trunkIds: [cleanup?.trunk ?? ''] })).find(
        (r) => r.sipDispatchRuleId === cleanup?.rule,
      )
    expect((await ruleOf())?.roomConfig?.metadata).toBe(metadata)
    expect((await ruleOf())?.roomConfig?.emptyTimeout).toBe(INBOUND_ROOM_EMPTY_TIMEOUT_SECONDS)
    // A rule as Ringline made it before rooms had metadata: provisioning again adds it, keeping the rule.
    const rule = await ruleOf()
    if (!rule) throw new Error('no rule')
    await sip.updateSipDispatchRule(
      rule.sipDispatchRuleId,
      new SIPDispatchRuleInfo({ ...rule, roomConfig: undefined }),
    )
    expect((await ruleOf())?.roomConfig?.metadata ?? '').toBe('')
    const again = await h.ringline.api.provisionNumber({ e164: number, tenantId: h.tenant })
    expect(again.livekitDispatchRuleId).toBe(rule.sipDispatchRuleId)
    expect((await ruleOf())?.roomConfig?.metadata).toBe(metadata)
    expect((await ruleOf())?.roomConfig?.emptyTimeout).toBe(INBOUND_ROOM_EMPTY_TIMEOUT_SECONDS)
  })

  itWithSip(
    'LiveKit’s room_started names the number; the call rings from it and the caller’s join fills in its leg',
    async () => {
      const hooks = await h.sandbox.webhooks.subscribe(undefined, { roomPrefix: `in-${h.tenant}_` })
      try {
        const from = '+15550001204'
        const phoneCall = h.sandbox.phone.call(number, { from })
        const incoming = await incomingFrom(from)
        expect(incoming.call).toMatchObject({ direction: 'inbound', status: 'ringing', toNumber: number })
        const room = incoming.call.roomName
        const started = await hooks.waitFor((d) => d.event === 'room_started' && d.room === room)
        expect(JSON.parse(started.body).room.metadata).toBe(inboundRoomMetadata(h.tenant, number))
        // A caller who never joins (hung up while LiveKit SIP joined) leaves a room that closes soon, not in 5 min.
        expect(JSON.parse(started.body).room.emptyTimeout).toBe(INBOUND_ROOM_EMPTY_TIMEOUT_SECONDS)
        const joined = await hooks.waitFor((d) => d.event === 'participant_joined' && d.room === room)
        const caller = JSON.parse(joined.body).participant as {
          identity: string
          attributes: Record<string, string>
        }
        // Whichever of the two was delivered first rang it, once; the record has the leg as the join names it. Rung
        // on the join, the ring names the SIP call id; rung on room_started, the join's `call.updated` does (the
        // relay may show the join before the app has applied it).
        if (!incoming.call.sipCallId)
          await h.waitForEvent(
            (e) => e.type === 'call.updated' && e.call.id === incoming.call.id && e.call.sipCallId !== null,
          )
        const call = await getLatestCallByRoom(h.ringline.store, room)
        expect(call?.id).toBe(incoming.call.id)
        expect(call?.internals.sipIdentity).toBe(caller.identity)
        expect(call?.internals.legPending).toBeUndefined()
        expect(call?.sipCallId).toBe(caller.attributes['sip.callID'])
        expect(call?.fromNumber).toBe(from)
        await phoneCall.hangup()
        await h.waitForEvent((e): e is Ended => e.type === 'call.ended' && e.call.id === incoming.call.id)
      } finally {
        hooks.close()
      }
    },
  )

  itWithSip('declining: one agent’s decline keeps it ringing, a reject hangs the phone up', async () => {
    const from = '+15550001203'
    const phoneCall = h.sandbox.phone.call(number, { from })
    const incoming = await incomingFrom(from)
    const first = await h.post('alice', `/calls/${incoming.call.id}/decline`)
    expect(first.body.call.status).toBe('ringing')
    const reject = await h.post('bob', `/calls/${incoming.call.id}/decline`, { reject: true })
    expect(reject.body.call).toMatchObject({ status: 'declined', endReason: 'rejected' })
    const result = await phoneCall
    expect(result.answered).toBe(false)
  })
})
