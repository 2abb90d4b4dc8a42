import { listCallsResponseSchema } from '@ringline/core/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RinglineStore } from '../src/sql/types'
import { req, STORE_KINDS, testRingline } from './helpers'

// A seeded history with known answers: [id, tenant, direction, status, from, to, createdBy, answeredBy, contact,
// minutes ago, talk seconds (answered calls only)].
type Seed = [
  string,
  string,
  string,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  string | null,
  number,
  number | null,
]
const OWN = '+14155550100'
const SEED: Seed[] = [
  ['c01', 'acme', 'outbound', 'completed', OWN, '+14155550201', 'alice', null, 'k1', 100, 60],
  ['c02', 'acme', 'outbound', 'busy', OWN, '+14155550202', 'alice', null, null, 90, null],
  ['c03', 'acme', 'outbound', 'no-answer', OWN, '+14155550201', 'bob', null, null, 80, null],
  ['c04', 'acme', 'outbound', 'completed', OWN, '+14155550203', 'bob', null, null, 70, 120],
  ['c05', 'acme', 'inbound', 'completed', '+14155550301', OWN, null, 'alice', null, 60, 30],
  ['c06', 'acme', 'inbound', 'missed', '+14155550302', OWN, null, null, null, 50, null],
  ['c07', 'acme', 'inbound', 'completed', '+14155550301', OWN, null, 'bob', null, 40, 90],
  ['c08', 'acme', 'inbound', 'declined', '+14155550303', OWN, null, null, null, 30, null],
  ['c09', 'acme', 'internal', 'completed', null, null, 'alice', null, null, 20, 300],
  ['c10', 'acme', 'outbound', 'canceled', OWN, '+14155550204', 'alice', null, null, 10, null],
  // Same start as c10: the id breaks the tie, so pages stay stable.
  ['c11', 'acme', 'outbound', 'failed', OWN, '+14155550205', 'alice', null, null, 10, null],
  ['g01', 'globex', 'outbound', 'completed', '+14155550900', '+14155550201', 'eve', null, null, 15, 10],
]

async function seed(store: RinglineStore, now: Date): Promise<void> {
  for (const [id, tenant, direction, status, from, to, createdBy, answeredBy, contact, ago, talk] of SEED) {
    const started = new Date(now.getTime() - ago * 60_000)
    const answered = talk === null ? null : new Date(started.getTime() + 5_000)
    const ended = new Date(started.getTime() + 5_000 + (talk ?? 0) * 1000)
    await store.query(
      `INSERT INTO ringline_calls (id, tenant_id, direction, status, room_name, from_number, to_number, created_by,
         answered_by, contact_id, started_at, answered_at, ended_at, duration_seconds, end_reason, recording_url)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        id,
        tenant,
        direction,
        status,
        `room-${id}`,
        from,
        to,
        createdBy,
        answeredBy,
        contact,
        started.toISOString(),
        answered?.toISOString() ?? null,
        ended.toISOString(),
        talk ?? 0,
        status,
        id === 'c01' ? 'private/bucket-key/c01.ogg' : null,
      ],
    )
  }
}

describe.each(STORE_KINDS)('call history on a seeded %s', (_kind, make) => {
  let ringline: ReturnType<typeof testRingline>
  const now = new Date()

  beforeAll(async () => {
    const store = await make()
    ringline = testRingline({ store })
    await seed(store, now)
  })
  afterAll(async () => {
    await ringline?.close()
  })

  async function list(user: string, query = '') {
    const res = await ringline.handler(req('GET', `/calls${query}`, { user }))
    expect(res.status).toBe(200)
    return listCallsResponseSchema.parse(await res.json())
  }
  const ids = (body: { calls: { id: string }[] }) => body.calls.map((c) => c.id)

  it('shows members their own calls and admins the tenant, newest first with a stable tie-break', async () => {
    expect(ids(await list('alice'))).toEqual(['c11', 'c10', 'c09', 'c05', 'c02', 'c01'])
    // A member cannot look at someone else's calls.
    expect(ids(await list('alice', '?userId=bob'))).toEqual(['c11', 'c10', 'c09', 'c05', 'c02', 'c01'])
    expect(ids(await list('admin'))).toEqual([
      'c11',
      'c10',
      'c09',
      'c08',
      'c07',
      'c06',
      'c05',
      'c04',
      'c03',
      'c02',
      'c01',
    ])
    expect(ids(await list('admin', '?userId=bob'))).toEqual(['c07', 'c04', 'c03'])
    expect(ids(await list('eve'))).toEqual(['g01'])
  })

  it('filters by direction, status, numbers, search, contact and date range', async () => {
    expect(ids(await list('admin', '?direction=inbound'))).toEqual(['c08', 'c07', 'c06', 'c05'])
    expect(ids(await list('admin', '?status=completed'))).toEqual(['c09', 'c07', 'c05', 'c04', 'c01'])
    expect(ids(await list('admin', `?to=${encodeURIComponent('+14155550201')}`))).toEqual(['c03', 'c01'])
    expect(ids(await list('admin', `?from=${encodeURIComponent('+14155550301')}`))).toEqual(['c07', 'c05'])
    expect(ids(await list('admin', '?q=5550303'))).toEqual(['c08'])
    expect(ids(await list('admin', '?q=%25'))).toEqual([])
    expect(ids(await list('admin', '?contactId=k1'))).toEqual(['c01'])
    const since = new Date(now.getTime() - 75 * 60_000).toISOString()
    const until = new Date(now.getTime() - 35 * 60_000).toISOString()
    expect(
      ids(await list('admin', `?since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`)),
    ).toEqual(['c07', 'c06', 'c05', 'c04'])
    expect(ids(await list('admin', '?direction=outbound&status=completed'))).toEqual(['c04', 'c01'])
  })

  it('pages with an opaque cursor: every call once, in order, then null', async () => {
    const pages: string[][] = []
    let cursor: string | null = null
    do {
      const body = await list('admin', `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
      pages.push(ids(body))
      cursor = body.nextCursor
    } while (cursor)
    expect(pages).toEqual([
      ['c11', 'c10', 'c09'],
      ['c08', 'c07', 'c06'],
      ['c05', 'c04', 'c03'],
      ['c02', 'c01'],
    ])
    const bad = await ringline.handler(req('GET', '/calls?cursor=nonsense', { user: 'admin' }))
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.code).toBe('INVALID_REQUEST')
  })

  it('counts by status and direction, answer rate and talk time, per user for admins', async () => {
    const { stats } = await list('admin', '?stats=1&limit=1')
    expect(stats).toEqual({
      total: 11,
      byStatus: { completed: 5, busy: 1, 'no-answer': 1, missed: 1, declined: 1, canceled: 1, failed: 1 },
      byDirection: { outbound: 6, inbound: 4, internal: 1 },
      answerRate: 5 / 11,
      averageDurationSeconds: 120,
      totalDurationSeconds: 600,
      byUser: [
        { userId: 'alice', calls: 6, totalDurationSeconds: 390 },
        { userId: 'bob', calls: 3, totalDurationSeconds: 210 },
      ],
    })
    const mine = (await list('alice', '?stats=true')).stats
    expect(mine).toMatchObject({
      total: 6,
      answerRate: 0.5,
      totalDurationSeconds: 390,
      averageDurationSeconds: 130,
    })
    expect(mine?.byUser).toBeUndefined()
    const inbound = (await list('admin', '?stats=1&direction=inbound')).stats
    expect(inbound).toMatchObject({ total: 4, answerRate: 0.5, totalDurationSeconds: 120 })
    expect((await list('admin')).stats).toBeUndefined()
  })

  it('exposes the playback route as recordingUrl, never the stored object key', async () => {
    const res = await ringline.handler(req('GET', '/calls?contactId=k1', { user: 'admin' }))
    const text = await res.text()
    expect(text).not.toContain('bucket-key')
    expect(JSON.parse(text).calls[0].recordingUrl).toBe('/api/ringline/calls/c01/recording')
    expect((await list('admin', '?q=5550202')).calls[0]?.recordingUrl).toBeNull()
  })
})
