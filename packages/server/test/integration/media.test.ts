import { createHash } from 'node:crypto'
import { Room } from '@livekit/rtc-node'
import { callDetailSchema, type RinglineEvent, TRANSCRIPTION_TOPIC } from '@ringline/core/protocol'
import { itWithSip } from '@ringline/sandbox/vitest'
import { AccessToken, AgentDispatchClient, RoomServiceClient, SipClient } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Harness, joinWithAudio, startHarness } from './harness'

type Incoming = Extract<RinglineEvent, { type: 'call.incoming' }>

// Agents and transcripts on the sandbox's real livekit-server (its agent dispatch API, its data streams). The two
// tests on a real call need livekit-sip (itWithSip: skipped, with the reason, without it).
describe('agents and transcripts on the sandbox', { timeout: 90_000 }, () => {
  let h: Harness
  let agents: AgentDispatchClient
  let rooms: RoomServiceClient
  let number: string
  let provisioned: { trunk: string; rule: string } | undefined

  beforeAll(async () => {
    h = await startHarness({ transcripts: { store: true } })
    const { url, apiKey, apiSecret } = h.sandbox.livekit
    agents = new AgentDispatchClient(url, apiKey, apiSecret)
    rooms = new RoomServiceClient(url, apiKey, apiSecret)
    number = h.sandbox.sip.freeNumbers[2] as string
    const connection = await h.ringline.api.provisionNumber({
      e164: number,
      tenantId: h.tenant,
      policy: { policy: 'ring-all', agent: { mode: 'agent-first', agentName: 'receptionist' } },
    })
    provisioned = {
      trunk: connection.livekitInboundTrunkId ?? '',
      rule: connection.livekitDispatchRuleId ?? '',
    }
  })
  afterAll(async () => {
    await h?.close()
    if (provisioned && h) {
      const sip = new SipClient(h.sandbox.livekit.url, h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret)
      await sip.deleteSipDispatchRule(provisioned.rule).catch(() => undefined)
      await sip.deleteSipTrunk(provisioned.trunk).catch(() => undefined)
    }
  })

  // livekit-server lists a default dispatch with an empty agent name in every room (for unnamed workers).
  const named = async (roomName: string) =>
    (await agents.listDispatch(roomName)).filter((d) => d.agentName !== '')

  /** A participant_joined webhook signed with the sandbox's keys, as livekit-server sends it. */
  async function webhook(id: string, body: Record<string, unknown>): Promise<number> {
    const raw = JSON.stringify({ id, createdAt: String(Math.floor(Date.now() / 1000)), ...body })
    const token = new AccessToken(h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret, { ttl: 300 })
    token.sha256 = createHash('sha256').update(raw).digest('base64')
    const res = await fetch(`${h.baseUrl}/api/ringline/webhooks/livekit`, {
      method: 'POST',
      headers: { 'content-type': 'application/webhook+json', authorization: await token.toJwt() },
      body: raw,
    })
    return res.status
  }

  it('dispatches a routing-policy agent once under replayed webhooks and once under 10 concurrent requests', async () => {
    const roomName = `in-${h.tenant}_+15550001301_${Math.random().toString(36).slice(2, 8)}`
    await rooms.createRoom({ name: roomName, emptyTimeout: 60 })
    const joined = {
      event: 'participant_joined',
      room: { name: roomName },
      participant: {
        identity: 'sip_+15550001301',
        kind: 'SIP',
        attributes: {
          'ringline.tenant': h.tenant,
          'ringline.number': number,
          'sip.phoneNumber': '+15550001301',
        },
      },
    }
    // LiveKit redelivers the same event (same id) — here five times at once — and may send another join later.
    const statuses = await Promise.all(Array.from({ length: 5 }, () => webhook('EV_media_replay_1', joined)))
    expect(statuses.every((s) => s === 200)).toBe(true)
    expect(await webhook('EV_media_replay_2', joined)).toBe(200)
    const incoming = await h.waitForEvent(
      (e): e is Incoming => e.type === 'call.incoming' && e.call.roomName === roomName,
    )
    await h.ringline.settled()
    const policyDispatches = await named(roomName)
    expect(policyDispatches.map((d) => d.agentName)).toEqual(['receptionist'])

    // Ten people pressing "invite agent" at once: one dispatch per agent name, the same answer for all.
    const post = (agentName: string) => h.post('carol', `/calls/${incoming.call.id}/agent`, { agentName })
    const same = await Promise.all(Array.from({ length: 10 }, () => post('receptionist')))
    expect(same.map((r) => r.status)).toEqual(Array(10).fill(200))
    expect(same.every((r) => r.body.created === false)).toBe(true)
    expect(new Set(same.map((r) => r.body.dispatch.dispatchId))).toEqual(new Set([policyDispatches[0]?.id]))

    const fresh = await Promise.all(Array.from({ length: 10 }, () => post('notetaker')))
    expect(fresh.map((r) => r.status)).toEqual(Array(10).fill(200))
    expect(fresh.filter((r) => r.body.created === true)).toHaveLength(1)
    expect(new Set(fresh.map((r) => r.body.dispatch.dispatchId)).size).toBe(1)
    const all = await named(roomName)
    expect(all.map((d) => d.agentName).sort()).toEqual(['notetaker', 'receptionist'])

    const detail = await fetch(`${h.baseUrl}/api/ringline/calls/${incoming.call.id}`, {
      headers: { 'x-user': 'carol' },
    })
    const parsed = callDetailSchema.parse(await detail.json())
    expect(parsed.agents?.map((a) => [a.agentName, a.state])).toEqual([
      ['receptionist', 'dispatched'],
      ['notetaker', 'dispatched'],
    ])
    const bad = await post('not a name!')
    expect(bad.status).toBe(400)
    await h.post('carol', `/calls/${incoming.call.id}/hangup`)
  })

  itWithSip('an agent joining a ringing inbound call answers it; a later human answer gets 409', async () => {
    const from = '+15550001302'
    const phoneCall = h.sandbox.phone.call(number, { from })
    const incoming = await h.waitForEvent(
      (e): e is Incoming => e.type === 'call.incoming' && e.call.fromNumber === from,
    )
    await h.ringline.settled()
    expect((await named(incoming.call.roomName)).map((d) => d.agentName)).toEqual(['receptionist'])
    // What a LiveKit Agents worker does with the job: join as an agent and speak.
    const token = new AccessToken(h.sandbox.livekit.apiKey, h.sandbox.livekit.apiSecret, {
      identity: 'agent-receptionist',
      name: 'Receptionist',
      ttl: 300,
    })
    token.kind = 'agent'
    token.addGrant({ roomJoin: true, room: incoming.call.roomName, agent: true })
    const agent = await joinWithAudio(h.sandbox.livekit.wsUrl, await token.toJwt())
    const answered = await h.waitForEvent(
      (e) => e.type === 'call.updated' && e.call.id === incoming.call.id && e.call.status === 'in-progress',
    )
    if (answered.type !== 'call.updated') throw new Error('unreachable')
    expect(answered.call.answeredBy).toBe('agent:agent-receptionist')
    expect(await phoneCall.answered).toBe(true)

    const late = await h.post('alice', `/calls/${incoming.call.id}/answer`)
    expect(late.status).toBe(409)
    expect(late.body.error.code).toBe('CALL_ALREADY_ANSWERED')
    const detail = await fetch(`${h.baseUrl}/api/ringline/calls/${incoming.call.id}`, {
      headers: { 'x-user': 'carol' },
    })
    const parsed = callDetailSchema.parse(await detail.json())
    expect(parsed.participants.find((p) => p.identity === 'agent-receptionist')?.kind).toBe('agent')
    await h.post('carol', `/calls/${incoming.call.id}/hangup`)
    await agent.stop()
    await phoneCall
  })

  itWithSip(
    'stores the final transcription segments published in the room and returns them with the call',
    async () => {
      const res = await h.post('alice', '/calls', { to: h.sandbox.phone.numbers.answer })
      expect(res.status).toBe(201)
      const callId = res.body.call.id as string
      await h.waitForEvent(
        (e) => e.type === 'call.updated' && e.call.id === callId && e.call.status === 'in-progress',
      )
      // The hidden collector joins on answer (background work).
      await h.ringline.settled()
      const room = new Room()
      await room.connect(res.body.connection.serverUrl, res.body.connection.token, {
        autoSubscribe: false,
        dynacast: false,
      })
      const local = room.localParticipant
      if (!local) throw new Error('not connected')
      await local.sendText('Hello, this is Al', {
        topic: TRANSCRIPTION_TOPIC,
        attributes: { 'lk.segment_id': 'SG_one', 'lk.transcription_final': 'false' },
      })
      await local.sendText('Hello, this is Alice from Acme.', {
        topic: TRANSCRIPTION_TOPIC,
        attributes: { 'lk.segment_id': 'SG_one', 'lk.transcription_final': 'true' },
      })
      await local.sendText('How can I help?', {
        topic: TRANSCRIPTION_TOPIC,
        attributes: { 'lk.segment_id': 'SG_two', 'lk.transcription_final': 'true' },
      })
      let transcript: ReturnType<typeof callDetailSchema.parse>['transcript'] = []
      const deadline = Date.now() + 15_000
      while (Date.now() < deadline) {
        const detail = await fetch(`${h.baseUrl}/api/ringline/calls/${callId}`, {
          headers: { 'x-user': 'alice' },
        })
        transcript = callDetailSchema.parse(await detail.json()).transcript
        if ((transcript?.length ?? 0) >= 2) break
        await new Promise((r) => setTimeout(r, 200))
      }
      expect(transcript?.map((s) => [s.id, s.text, s.final, s.speaker, s.speakerKind])).toEqual([
        ['SG_one', 'Hello, this is Alice from Acme.', true, 'Alice', 'user'],
        ['SG_two', 'How can I help?', true, 'Alice', 'user'],
      ])
      const route = await fetch(`${h.baseUrl}/api/ringline/calls/${callId}/transcript`, {
        headers: { 'x-user': 'alice' },
      })
      expect((await route.json()).segments.map((s: { id: string }) => s.id)).toEqual(['SG_one', 'SG_two'])
      await room.disconnect()
      await h.post('alice', `/calls/${callId}/hangup`)
    },
  )
})
