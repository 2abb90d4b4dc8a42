import { afterEach, describe, expect, it } from 'vitest'
import {
  addDecline,
  callStats,
  claimCall,
  closeCall,
  getCall,
  getOpenCallByRoom,
  insertCall,
  listCalls,
  outboundVolume,
  recordWebhookEvent,
} from '../src/calls/callRepository'
import { type CallRow, callFromJson, callFromRow } from '../src/calls/callRow'
import { listParticipants, markParticipantLeft, upsertParticipant } from '../src/calls/participantRepository'
import { getNumberConnection, upsertNumberConnection } from '../src/numbers/numberRepository'
import { runMigrations } from '../src/sql/migrate'
import { MIGRATIONS } from '../src/sql/migrations.generated'
import type { RinglineStore } from '../src/sql/types'
import { STORE_KINDS } from './helpers'

describe.each(STORE_KINDS)('store suite on %s', (_kind, make) => {
  let store: RinglineStore
  afterEach(async () => {
    await store?.close()
  })

  const call = (id: string, extra: Partial<Parameters<typeof insertCall>[1]> = {}) => ({
    id,
    tenantId: 'acme',
    direction: 'outbound' as const,
    status: 'initiated' as const,
    roomName: `out-acme_${id}`,
    createdBy: 'alice',
    toNumber: '+14155550123',
    ...extra,
  })

  it('creates every table on first use and records the schema version once', async () => {
    store = await make()
    const { rows } = await store.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'ringline_%' ORDER BY table_name",
    )
    const tables = rows.map((r) => r.table_name)
    for (const table of [
      'ringline_agent_dispatches',
      'ringline_audit_log',
      'ringline_call_participants',
      'ringline_calls',
      'ringline_number_connections',
      'ringline_schema_migrations',
      'ringline_twilio_integrations',
      'ringline_webhook_events',
    ]) {
      expect(tables).toContain(table)
    }
    expect((await store.migrate()).applied).toEqual(MIGRATIONS.map((m) => m.version))
    expect((await runMigrations(store)).applied).toEqual([])
    const versions = await store.query<{ version: number }>('SELECT version FROM ringline_schema_migrations')
    expect(versions.rows.map((r) => Number(r.version)).sort()).toEqual(MIGRATIONS.map((m) => m.version))
  })

  it('round-trips a call and keeps internals apart from public metadata', async () => {
    store = await make()
    const created = await insertCall(store, call('c1', { internals: { sipIdentity: 'phone-c1' } }))
    expect(created?.status).toBe('initiated')
    const loaded = await getCall(store, 'acme', 'c1')
    expect(loaded?.internals.sipIdentity).toBe('phone-c1')
    expect(loaded?.metadata).toBeNull()
    expect(typeof loaded?.startedAt).toBe('string')
    expect(await getCall(store, 'globex', 'c1')).toBeNull()
  })

  it('decodes a call read as one to_jsonb value exactly as the row itself (parsed or as text; NULL is none)', async () => {
    store = await make()
    await insertCall(
      store,
      call('j1', {
        answeredBy: 'alice',
        answeredAt: 'now',
        sipCallId: 'SCL_j1',
        roomKind: 'team',
        internals: { sipIdentity: 'phone-j1', ringUsers: ['alice', 'bob'] },
      }),
    )
    await store.query(
      `UPDATE ringline_calls SET metadata = metadata || '{"crm":"42","transfer":{"to":"+14155550199"}}'::jsonb
       WHERE id = 'j1'`,
    )
    await closeCall(store, 'j1', { status: 'completed', endReason: 'completed', sipStatusCode: 200 })
    const { rows } = await store.query<CallRow & { call: CallRow | string | null }>(
      "SELECT to_jsonb(c) AS call, c.* FROM ringline_calls c WHERE c.id = 'j1'",
    )
    const { call: asJson, ...row } = rows[0]!
    const fromRow = callFromRow(row)
    expect(fromRow).toMatchObject({
      answeredBy: 'alice',
      status: 'completed',
      sipStatusCode: 200,
      roomKind: 'team',
      metadata: { crm: '42' },
      transfer: { to: '+14155550199' },
      internals: { sipIdentity: 'phone-j1', ringUsers: ['alice', 'bob'] },
    })
    expect(fromRow.endedAt).not.toBeNull()
    expect(callFromJson(asJson)).toEqual(fromRow)
    expect(callFromJson(typeof asJson === 'string' ? asJson : JSON.stringify(asJson))).toEqual(fromRow)
    const none = await store.query<{ call: CallRow | string | null }>(
      "SELECT to_jsonb(c) AS call FROM (SELECT * FROM ringline_calls WHERE id = 'none') c RIGHT JOIN (SELECT 1) one ON true",
    )
    expect(none.rows[0]!.call).toBeNull()
    expect(callFromJson(none.rows[0]!.call)).toBeNull()
  })

  it('allows one open call per room name but reuses the name after it ended', async () => {
    store = await make()
    expect(
      await insertCall(store, call('a', { roomName: 'int-acme-x', direction: 'internal' })),
    ).not.toBeNull()
    expect(await insertCall(store, call('b', { roomName: 'int-acme-x', direction: 'internal' }))).toBeNull()
    await closeCall(store, 'a', { status: 'completed', endReason: 'completed' })
    expect(
      await insertCall(store, call('c', { roomName: 'int-acme-x', direction: 'internal' })),
    ).not.toBeNull()
    expect((await getOpenCallByRoom(store, 'int-acme-x'))?.id).toBe('c')
  })

  it('closes a call once, with duration from the answer and participants marked left', async () => {
    store = await make()
    await insertCall(store, call('c2'))
    await upsertParticipant(store, { callId: 'c2', identity: 'acme:alice', kind: 'user', userId: 'alice' })
    const first = await closeCall(store, 'c2', { status: 'busy', endReason: 'busy', sipStatusCode: 486 })
    expect(first).toMatchObject({ status: 'busy', endReason: 'busy', sipStatusCode: 486, durationSeconds: 0 })
    expect(await closeCall(store, 'c2', { status: 'completed', endReason: 'completed' })).toBeNull()
    const [p] = await listParticipants(store, 'c2')
    expect(p?.leftAt).not.toBeNull()
  })

  it('lets exactly one of many concurrent claims win', async () => {
    store = await make()
    await insertCall(
      store,
      call('in1', { direction: 'inbound', status: 'ringing', roomName: 'in-acme_+1_x' }),
    )
    const users = ['u1', 'u2', 'u3', 'u4', 'u5']
    const results = await Promise.all(users.map((u) => claimCall(store, 'acme', 'in1', u)))
    const winners = results.filter((r) => r !== null)
    expect(winners).toHaveLength(1)
    expect((await getCall(store, 'acme', 'in1'))?.answeredBy).toBe(winners[0]?.answeredBy)
  })

  it('records declines once per user', async () => {
    store = await make()
    await insertCall(
      store,
      call('in2', { direction: 'inbound', status: 'ringing', roomName: 'in-acme_+1_y' }),
    )
    await addDecline(store, 'in2', 'bob')
    const again = await addDecline(store, 'in2', 'bob')
    const third = await addDecline(store, 'in2', 'carol')
    expect(again?.internals.declinedBy).toEqual(['bob'])
    expect(third?.internals.declinedBy).toEqual(['bob', 'carol'])
  })

  it('dedupes webhook events and rolls the dedupe row back with a failed transaction', async () => {
    store = await make()
    expect(await recordWebhookEvent(store, { id: 'EV_1', event: 'room_started' })).toBe(true)
    expect(await recordWebhookEvent(store, { id: 'EV_1', event: 'room_started' })).toBe(false)
    await expect(
      store.transaction(async (tx) => {
        await recordWebhookEvent(tx, { id: 'EV_2', event: 'participant_joined' })
        throw new Error('effect failed')
      }),
    ).rejects.toThrow('effect failed')
    expect(await recordWebhookEvent(store, { id: 'EV_2', event: 'participant_joined' })).toBe(true)
  })

  it('pages history newest first with a stable cursor, filters and stats', async () => {
    store = await make()
    for (let i = 0; i < 5; i++) {
      await insertCall(store, call(`h${i}`, { createdBy: i % 2 === 0 ? 'alice' : 'bob' }))
      await store.query(
        "UPDATE ringline_calls SET started_at = now() - ($1 || ' minutes')::interval WHERE id = $2",
        [String(10 - i), `h${i}`],
      )
    }
    await store.query(
      "UPDATE ringline_calls SET answered_at = started_at, status = 'completed', ended_at = now(), duration_seconds = 30 WHERE id IN ('h0', 'h2')",
    )
    const first = await listCalls(store, { tenantId: 'acme' }, { limit: 2 })
    expect(first.calls.map((c) => c.id)).toEqual(['h4', 'h3'])
    const second = await listCalls(
      store,
      { tenantId: 'acme' },
      { limit: 2, ...(first.next ? { cursor: first.next } : {}) },
    )
    expect(second.calls.map((c) => c.id)).toEqual(['h2', 'h1'])
    const mine = await listCalls(store, { tenantId: 'acme', userId: 'alice' }, { limit: 10 })
    expect(mine.calls.map((c) => c.id)).toEqual(['h4', 'h2', 'h0'])
    const stats = await callStats(store, { tenantId: 'acme' })
    expect(stats).toMatchObject({
      total: 5,
      answerRate: 0.4,
      averageDurationSeconds: 30,
      totalDurationSeconds: 60,
    })
    expect(stats.byStatus).toEqual({ completed: 2, initiated: 3 })
    const other = await listCalls(store, { tenantId: 'globex' }, { limit: 10 })
    expect(other.calls).toEqual([])
  })

  it('counts open and hourly outbound volume per user and tenant', async () => {
    store = await make()
    await insertCall(store, call('v1'))
    await insertCall(store, call('v2', { createdBy: 'bob' }))
    await insertCall(store, call('v3'))
    await closeCall(store, 'v3', { status: 'completed', endReason: 'completed' })
    expect(await outboundVolume(store, 'acme', 'alice')).toEqual({
      userOpen: 1,
      tenantOpen: 2,
      userHour: 2,
      tenantHour: 3,
    })
  })

  it('keeps a number with one tenant', async () => {
    store = await make()
    const row = await upsertNumberConnection(store, {
      tenantId: 'acme',
      e164: '+14155550111',
      livekitInboundTrunkId: 'ST_in',
      livekitDispatchRuleId: 'SDR_1',
      routingPolicy: { policy: 'ring-user', users: ['alice'] },
    })
    expect(row.routingPolicy).toEqual({ policy: 'ring-user', users: ['alice'] })
    await expect(
      upsertNumberConnection(store, {
        tenantId: 'globex',
        e164: '+14155550111',
        livekitInboundTrunkId: 'ST_x',
        livekitDispatchRuleId: 'SDR_x',
        routingPolicy: { policy: 'ring-all' },
      }),
    ).rejects.toThrow(/another tenant/)
    expect((await getNumberConnection(store, '+14155550111'))?.tenantId).toBe('acme')
  })

  it('marks a participant left once and brings them back on rejoin', async () => {
    store = await make()
    await insertCall(store, call('p1', { direction: 'internal', roomName: 'int-acme-p1' }))
    await upsertParticipant(store, { callId: 'p1', identity: 'acme:bob', kind: 'user', userId: 'bob' })
    expect(await markParticipantLeft(store, 'p1', 'acme:bob')).toBe(true)
    expect(await markParticipantLeft(store, 'p1', 'acme:bob')).toBe(false)
    expect(await listParticipants(store, 'p1', { presentOnly: true })).toEqual([])
    await upsertParticipant(store, { callId: 'p1', identity: 'acme:bob', kind: 'user' })
    expect((await listParticipants(store, 'p1', { presentOnly: true })).map((p) => p.userId)).toEqual(['bob'])
  })
})
