// The model behind the webhook-order property tests: realistic LiveKit event streams for each kind of call, the
// record each must end as (whatever order, duplicates and delays its webhooks arrive in), delivery schedules, and
// the check of what a client was told. Shared by the PGlite (one instance) and PostgreSQL (two instances) runs.
import type { RinglineEvent } from '@ringline/core/protocol'
import fc from 'fast-check'
import { expect } from 'vitest'
import { insertCall } from '../src/calls/callRepository'
import { upsertNumberConnection } from '../src/numbers/numberRepository'
import type { Ringline } from '../src/ringline'
import { inboundRoomMetadata } from '../src/tokens'
import { USERS } from './helpers'
import { signedWebhook } from './webhookSigner'

/** The fixed seed of every run (change it, or set RINGLINE_ORDER_SEED, to explore other schedules). */
export const SEED = Number(process.env.RINGLINE_ORDER_SEED) || 20_261_206
/** LiveKit's delivery delay bound (its webhook retries give up after about 30 s). */
export const MAX_DELAY_MS = 30_000

const T0 = 1_800_000_000
export type Kind = 'outbound' | 'inbound-answered' | 'inbound-missed' | 'internal' | 'internal-ended'
export const KINDS: Kind[] = ['outbound', 'inbound-answered', 'inbound-missed', 'internal', 'internal-ended']

export interface Hook {
  id: string
  /** When LiveKit created the event (Unix seconds). */
  at: number
  body: Record<string, unknown>
}

/** What the call's record must be once every event arrived. */
export interface Expected {
  room: string
  status: string
  endReason: string | null
  ended: boolean
  answeredBy: string | null
  /** Participants (humans and the caller) and whether each is present at the end. */
  presence: Record<string, boolean>
  /** Their microphone's last mute state (null: never published). */
  muted: Record<string, boolean | null>
}

export interface Scenario {
  kind: Kind
  hooks: Hook[]
  expected: Expected
  /** What has to exist before the webhooks (an outbound call is created by `createCall`, an internal room by a join). */
  setup?: (ringline: Ringline) => Promise<void>
  teardown?: (ringline: Ringline) => Promise<void>
}

/** Free parameters of a stream: how long the caller rang, talked, when people left. */
export interface Timing {
  ring: number
  talk: number
}
export const timing: fc.Arbitrary<Timing> = fc.record({
  ring: fc.integer({ min: 1, max: 25 }),
  talk: fc.integer({ min: 1, max: 45 }),
})

const participant = (sid: string, identity: string, kind: string, joinedAt: number, extra = {}) => ({
  sid,
  identity,
  name: identity,
  kind,
  joinedAt: String(joinedAt),
  ...extra,
})

/** Builds the stream of one call of `kind`; `tag` keeps its room, sids and event ids unique in the database. */
export function scenario(kind: Kind, tag: string, t: Timing): Scenario {
  const hooks: Hook[] = []
  const ev = (at: number, body: Record<string, unknown>) =>
    hooks.push({ id: `EV_${tag}_${hooks.length}`, at, body: { ...body, createdAt: String(at) } })
  const join = (room: object, p: { joinedAt: string }, at: number) =>
    ev(at, { event: 'participant_joined', room, participant: p })
  const left = (room: object, p: object, at: number) =>
    ev(at, { event: 'participant_left', room, participant: p })
  // A microphone published or unpublished (a leave unpublishes): LiveKit sends `track.muted` as it is then, and
  // names the participant only. Mute toggles in between raise no event.
  const mic =
    (room: object, p: { sid: string; identity: string }, type: 'published' | 'unpublished') =>
    (muted: boolean, at: number) =>
      ev(at, {
        event: `track_${type}`,
        room,
        participant: { sid: p.sid, identity: p.identity },
        track: { sid: `TR_${p.sid}`, type: 'AUDIO', source: 'MICROPHONE', muted },
      })

  if (kind === 'inbound-missed' || kind === 'inbound-answered') {
    // Every other run, the number's dispatch rule gives the room metadata (as `provisionNumber` does): the call
    // rings as the room starts when that is delivered first; otherwise (older rules) on the caller's join.
    const early = /[13579]$/.test(tag)
    const room = {
      name: `in-acme_+15550001111_${tag}`,
      sid: `RM_${tag}`,
      ...(early ? { metadata: inboundRoomMetadata('acme', '+15550002222') } : {}),
    }
    const setup = early
      ? async (ringline: Ringline) => {
          await upsertNumberConnection(ringline.store, {
            tenantId: 'acme',
            e164: '+15550002222',
            livekitInboundTrunkId: 'ST_model',
            livekitDispatchRuleId: 'SDR_model',
            routingPolicy: { policy: 'ring-all' },
          })
        }
      : undefined
    const caller = participant(`PA_c${tag}`, 'sip_+15550001111', 'SIP', T0 + 1, {
      attributes: {
        'sip.phoneNumber': '+15550001111',
        'ringline.tenant': 'acme',
        'ringline.number': '+15550002222',
      },
    })
    ev(T0, { event: 'room_started', room })
    join(room, caller, T0 + 1)
    mic(room, caller, 'published')(false, T0 + 1)
    if (kind === 'inbound-missed') {
      const end = T0 + 1 + t.ring
      mic(room, caller, 'unpublished')(false, end)
      left(room, caller, end)
      ev(end + 1, { event: 'room_finished', room })
      return {
        kind,
        hooks,
        expected: {
          room: room.name,
          status: 'missed',
          endReason: 'missed',
          ended: true,
          answeredBy: null,
          presence: { 'sip_+15550001111': false },
          muted: { 'sip_+15550001111': false },
        },
        ...(setup ? { setup } : {}),
      }
    }
    // An agent dispatched to the ringing call answers it; the caller talks to it and hangs up.
    const answer = T0 + 1 + t.ring
    const agent = participant(`PA_a${tag}`, `agent-${tag}`, 'AGENT', answer)
    join(room, agent, answer)
    mic(room, agent, 'published')(false, answer)
    const end = answer + t.talk
    mic(room, caller, 'unpublished')(false, end)
    left(room, caller, end)
    mic(room, agent, 'unpublished')(false, end + 1)
    left(room, agent, end + 1)
    ev(end + 2, { event: 'room_finished', room })
    return {
      kind,
      hooks,
      expected: {
        room: room.name,
        status: 'completed',
        endReason: 'completed',
        ended: true,
        answeredBy: `agent:agent-${tag}`,
        presence: { 'sip_+15550001111': false },
        muted: { 'sip_+15550001111': false },
      },
      ...(setup ? { setup } : {}),
    }
  }

  if (kind === 'outbound') {
    // Alice dialed (`createCall` made the record; its dial result marked it answered), talked, the callee hung up.
    const room = { name: `out-acme-${tag}`, sid: `RM_${tag}` }
    const alice = participant(`PA_u${tag}`, 'acme:alice', 'STANDARD', T0 + 1)
    const callee = participant(`PA_s${tag}`, 'sip_+15550003333', 'SIP', T0 + 2)
    ev(T0, { event: 'room_started', room })
    join(room, alice, T0 + 1)
    mic(room, alice, 'published')(false, T0 + 1)
    join(room, callee, T0 + 2)
    const end = T0 + 2 + t.ring + t.talk
    mic(room, callee, 'published')(false, T0 + 2 + t.ring)
    mic(room, callee, 'unpublished')(false, end)
    left(room, callee, end)
    // Alice muted during the call: her leave unpublishes the microphone muted.
    mic(room, alice, 'unpublished')(true, end + 1)
    left(room, alice, end + 1)
    ev(end + 2, { event: 'room_finished', room })
    return {
      kind,
      hooks,
      expected: {
        room: room.name,
        status: 'completed',
        endReason: 'completed',
        ended: true,
        answeredBy: null,
        presence: { 'acme:alice': false, 'sip_+15550003333': false },
        muted: { 'acme:alice': true, 'sip_+15550003333': false },
      },
      setup: async (ringline) => {
        await insertCall(ringline.store, {
          id: `call-${tag}`,
          tenantId: 'acme',
          direction: 'outbound',
          status: 'in-progress',
          answeredAt: 'now',
          roomName: room.name,
          toNumber: '+15550003333',
          createdBy: 'alice',
          internals: { sipIdentity: 'sip_+15550003333' },
        })
      },
    }
  }

  // A team room Alice opened through Ringline: Bob joins, reconnects (a new session), and (when it ends) everyone
  // leaves and the room finishes.
  const name = `order-${tag}`
  const room = { name: `int-acme-${name}`, sid: `RM_${tag}` }
  const alice = participant(`PA_u${tag}`, 'acme:alice', 'STANDARD', T0 + 1)
  const bob1 = participant(`PA_b1${tag}`, 'acme:bob', 'STANDARD', T0 + 2)
  const bob2 = participant(`PA_b2${tag}`, 'acme:bob', 'STANDARD', T0 + 2 + t.ring)
  join(room, alice, T0 + 1)
  mic(room, alice, 'published')(false, T0 + 1)
  join(room, bob1, T0 + 2)
  mic(room, bob1, 'published')(false, T0 + 2)
  // Bob muted, lost his connection and came back muted (a new session publishes its microphone muted).
  join(room, bob2, T0 + 2 + t.ring)
  mic(room, bob1, 'unpublished')(true, T0 + 2 + t.ring)
  left(room, bob1, T0 + 2 + t.ring)
  mic(room, bob2, 'published')(true, T0 + 2 + t.ring)
  const ends = kind === 'internal-ended'
  if (ends) {
    // Bob unmuted and left; Alice muted and left.
    const end = T0 + 2 + t.ring + t.talk
    mic(room, bob2, 'unpublished')(false, end)
    left(room, bob2, end)
    mic(room, alice, 'unpublished')(true, end + 1)
    left(room, alice, end + 1)
    ev(end + 2, { event: 'room_finished', room })
  }
  return {
    kind,
    hooks,
    expected: {
      room: room.name,
      status: ends ? 'completed' : 'in-progress',
      endReason: ends ? 'completed' : null,
      ended: ends,
      answeredBy: null,
      presence: { 'acme:alice': !ends, 'acme:bob': !ends },
      muted: { 'acme:alice': ends, 'acme:bob': !ends },
    },
    setup: async (ringline) => {
      await ringline.api.joinRoom({ userId: 'alice', tenantId: 'acme', name: 'Alice', role: 'member' }, name)
    },
  }
}

/** One delivery of a hook, to one of the instances. */
export interface Delivery {
  hook: number
  instance: number
}

/**
 * A delivery schedule for `hooks`: every event once, some again (LiveKit's retries), each delivered up to 30 s
 * after LiveKit created it, to either instance; deliveries happen in the order of those times.
 */
export function schedule(hooks: readonly Hook[], instances = 1): fc.Arbitrary<Delivery[]> {
  const n = hooks.length
  const delay = fc.integer({ min: 0, max: MAX_DELAY_MS })
  const instance = fc.integer({ min: 0, max: instances - 1 })
  return fc
    .record({
      first: fc.array(fc.tuple(delay, instance), { minLength: n, maxLength: n }),
      retries: fc.array(fc.tuple(fc.nat({ max: n - 1 }), delay, instance), { maxLength: n }),
    })
    .map(({ first, retries }) =>
      [
        ...first.map(([d, i], hook) => ({ hook, instance: i, time: hooks[hook]!.at * 1000 + d })),
        ...retries.map(([hook, d, i]) => ({ hook, instance: i, time: hooks[hook]!.at * 1000 + d })),
      ]
        .sort((a, b) => a.time - b.time || a.hook - b.hook)
        .map(({ hook, instance: i }) => ({ hook, instance: i })),
    )
}

/** Signs and posts one hook; LiveKit retries a 5xx, so does this (a conflict between instances is a 503). */
export async function deliver(ringline: Ringline, hook: Hook): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await ringline.handler(await signedWebhook(hook.body, { id: hook.id }))
    if (res.status === 200) return
    if (res.status < 500 || attempt >= 5) throw new Error(`webhook ${hook.id}: HTTP ${res.status}`)
  }
}

/**
 * The record of the scenario's room as stored, in the shape of `Expected`: its participants as `GET /calls/:id`
 * lists them (a row that only a mute fact made, of someone whose join and leave this call never saw, is none).
 */
export async function actual(ringline: Ringline, room: string): Promise<Expected[]> {
  const { rows } = await ringline.store.query<{
    id: string
    status: string
    end_reason: string | null
    ended: boolean
    answered_by: string | null
  }>(
    `SELECT id, status, end_reason, ended_at IS NOT NULL AS ended, answered_by FROM ringline_calls
     WHERE room_name = $1 ORDER BY started_at`,
    [room],
  )
  const out: Expected[] = []
  for (const row of rows) {
    const parts = await ringline.store.query<{ identity: string; present: boolean; muted: boolean | null }>(
      `SELECT identity, left_at IS NULL AS present, muted FROM ringline_call_participants
       WHERE call_id = $1 AND kind <> 'agent' AND (joined_at IS NOT NULL OR sessions <> '{}'::jsonb)
       ORDER BY identity`,
      [row.id],
    )
    out.push({
      room,
      status: row.status,
      endReason: row.end_reason,
      ended: row.ended,
      answeredBy: row.answered_by,
      presence: Object.fromEntries(parts.rows.map((p) => [p.identity, p.present])),
      muted: Object.fromEntries(parts.rows.map((p) => [p.identity, p.muted])),
    })
  }
  return out
}

/**
 * What a client (Alice's `/events` stream) was told about the scenario's call must agree with the record: its
 * last word on a call is the final status; it was never rung for a call after it ended; a team room's last
 * update says whether it is open.
 */
export function checkSeen(
  scenario: Scenario,
  seen: RinglineEvent[],
  callIds: string[],
  options: { lastWord?: boolean } = {},
): void {
  const { expected } = scenario
  // Across instances, events of two instances about one call can reach a stream out of commit order (see the
  // server README, "Storage"): there the client must have been told the final state, not last.
  const lastWord = options.lastWord !== false
  if (scenario.kind === 'internal' || scenario.kind === 'internal-ended') {
    const name = expected.room.slice('int-acme-'.length)
    const updates = seen.filter(
      (e): e is Extract<RinglineEvent, { type: 'room.updated' }> =>
        e.type === 'room.updated' && e.name === name,
    )
    expect(updates.length).toBeGreaterThan(0)
    if (lastWord) expect(updates.at(-1)!.room === null).toBe(expected.ended)
    else expect(updates.some((u) => (u.room === null) === expected.ended)).toBe(true)
    return
  }
  const about = seen.filter(
    (e): e is Extract<RinglineEvent, { call: { id: string } }> =>
      'call' in e && callIds.includes((e as { call: { id: string } }).call.id),
  )
  const final = { type: 'call.ended', call: { status: expected.status } }
  if (!lastWord) {
    expect(about).toContainEqual(
      expect.objectContaining({ type: 'call.ended', call: expect.objectContaining(final.call) }),
    )
    return
  }
  expect(about.at(-1)).toMatchObject(final)
  if (scenario.kind === 'outbound') return
  const ended = about.findIndex((e) => e.type === 'call.ended')
  const rungAfter = about.slice(ended + 1).some((e) => e.type === 'call.incoming')
  expect(rungAfter).toBe(false)
}

/**
 * After a scenario's deliveries to several instances: the record (read through the last instance) is the model's,
 * and each instance's stream of Alice (`seen[i]` from `from[i]`) was told what `checkSeen` asks, events of the
 * other instance arriving through LISTEN/NOTIFY meanwhile; then Alice leaves a room that is still open.
 */
export async function checkAcrossInstances(
  instances: Ringline[],
  s: Scenario,
  seen: RinglineEvent[][],
  from: number[],
  options: { lastWord: boolean },
): Promise<void> {
  const reader = instances.at(-1) as Ringline
  expect(await actual(reader, s.expected.room)).toEqual([s.expected])
  const ids = (
    await reader.store.query<{ id: string }>('SELECT id FROM ringline_calls WHERE room_name = $1', [
      s.expected.room,
    ])
  ).rows.map((r) => r.id)
  for (const [i, events] of seen.entries()) {
    const told = () => events.slice(from[i])
    await expect
      .poll(
        () => {
          try {
            checkSeen(s, told(), ids, options)
            return true
          } catch {
            return false
          }
        },
        { timeout: 3000, interval: 20 },
      )
      .toBe(true)
    checkSeen(s, told(), ids, options)
  }
  if (!s.expected.ended)
    await instances[0]?.api.leaveRoom(USERS.alice!, s.expected.room.slice(9)).catch(() => undefined)
}

/** A kind of call, its timing, and a delivery schedule of its hooks over `instances` instances. */
export function scheduledScenario(instances: number): fc.Arbitrary<[Kind, Timing, Delivery[]]> {
  return fc
    .tuple(fc.constantFrom(...KINDS), timing)
    .chain(([k, t]) =>
      fc.tuple(fc.constant(k), fc.constant(t), schedule(scenario(k, 'template', t).hooks, instances)),
    )
}

/**
 * What each of `instances` tells Alice's stream, appended to its own list (the lists `checkAcrossInstances` reads),
 * once their LISTEN connections have had a moment to come up.
 */
export async function aliceStreams(instances: Ringline[]): Promise<RinglineEvent[][]> {
  const seen = instances.map(() => [] as RinglineEvent[])
  instances.forEach((r, i) => {
    r.api.subscribe(USERS.alice!, (e) => seen[i]?.push(e))
  })
  await new Promise((r) => setTimeout(r, 300))
  return seen
}
