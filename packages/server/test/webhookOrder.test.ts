// Model-based check that call records do not depend on the order LiveKit's webhooks arrive in: each scenario's
// realistic event stream is delivered in random orders, with random duplicates (LiveKit retries), and the final
// record, the participants' presence and what a client was told must equal the record of the in-order delivery.
import type { RinglineEvent } from '@ringline/core/protocol'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testRingline, USERS } from './helpers'
import { signedWebhook } from './webhookSigner'

const ringline = testRingline()
const events: RinglineEvent[] = []
beforeAll(async () => {
  await ringline.store.migrate()
  ringline.api.subscribe(USERS.alice!, (e) => events.push(e))
})
afterAll(() => ringline.close())

let runs = 0
const T0 = 1_800_000_000
type Hook = { id: string; body: Record<string, unknown> }

/** A caller rings the company number and hangs up before anyone answers. */
function inboundMissed(run: number): Hook[] {
  const room = { name: `in-acme_+15550001111_m${run}`, sid: `RM_m${run}` }
  const caller = {
    sid: `PA_c${run}`,
    identity: 'sip_+15550001111',
    name: 'Phone +15550001111',
    kind: 'SIP',
    joinedAt: String(T0 + 1),
    attributes: {
      'sip.phoneNumber': '+15550001111',
      'ringline.tenant': 'acme',
      'ringline.number': '+15550002222',
    },
  }
  return [
    { id: `EV_m${run}_1`, body: { event: 'room_started', room, createdAt: String(T0) } },
    {
      id: `EV_m${run}_2`,
      body: { event: 'participant_joined', room, participant: caller, createdAt: String(T0 + 1) },
    },
    {
      id: `EV_m${run}_3`,
      body: { event: 'participant_left', room, participant: caller, createdAt: String(T0 + 9) },
    },
    { id: `EV_m${run}_4`, body: { event: 'room_finished', room, createdAt: String(T0 + 10) } },
  ]
}

/** A team room: Bob joins, reconnects (a new session), and leaves; the room finishes. Alice joined through Ringline. */
function internalRoom(run: number, name: string): Hook[] {
  const room = { name: `int-acme-${name}`, sid: `RM_i${run}` }
  const bob = (sid: string, at: number) => ({
    sid,
    identity: 'acme:bob',
    name: 'Bob',
    kind: 'STANDARD',
    joinedAt: String(at),
  })
  const alice = {
    sid: `PA_a${run}`,
    identity: 'acme:alice',
    name: 'Alice',
    kind: 'STANDARD',
    joinedAt: String(T0 + 1),
  }
  return [
    {
      id: `EV_i${run}_1`,
      body: { event: 'participant_joined', room, participant: alice, createdAt: String(T0 + 1) },
    },
    {
      id: `EV_i${run}_2`,
      body: {
        event: 'participant_joined',
        room,
        participant: bob(`PA_b1${run}`, T0 + 2),
        createdAt: String(T0 + 2),
      },
    },
    {
      id: `EV_i${run}_3`,
      body: {
        event: 'participant_joined',
        room,
        participant: bob(`PA_b2${run}`, T0 + 5),
        createdAt: String(T0 + 5),
      },
    },
    {
      id: `EV_i${run}_4`,
      body: {
        event: 'participant_left',
        room,
        participant: bob(`PA_b1${run}`, T0 + 2),
        createdAt: String(T0 + 5),
      },
    },
  ]
}

/** A delivery schedule: every event at least once, some twice (retries), in any order. */
const schedule = (n: number) =>
  fc.tuple(fc.array(fc.nat({ max: n - 1 }), { maxLength: n }), fc.func(fc.integer())).map(([dupes, key]) => {
    const deliveries = [...Array.from({ length: n }, (_, i) => i), ...dupes]
    return deliveries
      .map((i, k) => ({ i, k: key(k) }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.i)
  })

async function deliver(hooks: Hook[], order: number[]) {
  for (const i of order) {
    const hook = hooks[i]!
    const res = await ringline.handler(await signedWebhook(hook.body, { id: hook.id }))
    expect(res.status).toBe(200)
  }
}

async function callsOf(room: string) {
  const { rows } = await ringline.store.query<{
    id: string
    status: string
    end_reason: string | null
    ended: boolean
  }>(
    'SELECT id, status, end_reason, ended_at IS NOT NULL AS ended FROM ringline_calls WHERE room_name = $1 ORDER BY started_at',
    [room],
  )
  return rows
}

async function presence(callId: string) {
  const { rows } = await ringline.store.query<{ identity: string; present: boolean }>(
    'SELECT identity, left_at IS NULL AS present FROM ringline_call_participants WHERE call_id = $1 ORDER BY identity',
    [callId],
  )
  return rows
}

describe('webhook order does not change the call record', () => {
  const numRuns = Number(process.env.RINGLINE_ORDER_RUNS) || 150

  it('an inbound call the caller hung up on is one missed call, whatever the order; nobody is rung after it ended', async () => {
    await fc.assert(
      fc.asyncProperty(schedule(4), async (order) => {
        const run = ++runs
        const hooks = inboundMissed(run)
        const room = (hooks[0]!.body.room as { name: string }).name
        const from = events.length
        await deliver(hooks, order)
        const calls = await callsOf(room)
        expect(calls).toEqual([{ id: calls[0]?.id, status: 'missed', end_reason: 'missed', ended: true }])
        expect(await presence(calls[0]!.id)).toEqual([{ identity: 'sip_+15550001111', present: false }])
        const seen = events.slice(from).filter((e) => e.type !== 'room.updated' && e.call.id === calls[0]!.id)
        // The client's last word on the call is that it ended; it was only rung while it was ringing.
        expect(seen.at(-1)).toMatchObject({ type: 'call.ended', call: { status: 'missed' } })
        const incoming = seen.findIndex((e) => e.type === 'call.incoming')
        const ended = seen.findIndex((e) => e.type === 'call.ended')
        expect(incoming === -1 || incoming < ended).toBe(true)
        // The leave delivered before the join: recorded as missed without ringing anyone.
        if (order.indexOf(2) < order.indexOf(1) || order.indexOf(3) < order.indexOf(1))
          expect(incoming).toBe(-1)
      }),
      { numRuns },
    )
  })

  it('presence in a team room follows the set of joins and leaves, not their order', async () => {
    await fc.assert(
      fc.asyncProperty(schedule(4), async (order) => {
        const run = ++runs
        const name = `order-${run}`
        await ringline.api.joinRoom(USERS.alice!, name)
        const hooks = internalRoom(run, name)
        await deliver(hooks, order)
        const [call] = await callsOf(`int-acme-${name}`)
        expect(call?.ended).toBe(false)
        // Bob's first session left, his second did not: he is present; Alice joined and never left.
        expect(await presence(call!.id)).toEqual([
          { identity: 'acme:alice', present: true },
          { identity: 'acme:bob', present: true },
        ])
        await ringline.api.leaveRoom(USERS.alice!, name).catch(() => undefined)
      }),
      { numRuns },
    )
  })
})
