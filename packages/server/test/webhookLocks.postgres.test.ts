// A transaction of webhooks of several rooms takes the rooms' advisory locks in the order of their keys, whatever
// order the webhooks arrived in: two instances locking overlapping rooms can then never deadlock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ringline } from '../src/ringline'
import { WEBHOOK_TRANSACTIONS } from '../src/webhooks/livekitWebhook'
import { instancesOnOnePostgres, USERS } from './helpers'
import { signedWebhook } from './webhookSigner'

// livekitWebhook.ts's advisory-lock space of rooms.
const ROOM_LOCK = 727_465_464

describe('webhook room locks on PostgreSQL', () => {
  let r: Ringline
  beforeAll(async () => {
    ;[r] = (await instancesOnOnePostgres(1)) as [Ringline]
  })
  afterAll(() => r.close())

  /** Sends a participant_joined of `identity` in internal room `short`; resolves with the outcome. */
  async function send(short: string, identity: string): Promise<string> {
    const request = await signedWebhook({
      event: 'participant_joined',
      room: { name: `int-acme-${short}`, sid: `RM_${short}` },
      participant: { sid: `PA_${identity}`, identity, state: 'ACTIVE', joinedAt: '1750000000' },
    })
    const body = await request.text()
    const result = await r.api.handleLivekitWebhook(body, request.headers.get('authorization') ?? '')
    return result.outcome
  }

  /** Holds `shorts`' room locks in a transaction of its own until the returned release is called. */
  async function hold(shorts: string[]): Promise<() => Promise<void>> {
    let release!: () => void
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    let locked!: () => void
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve
    })
    const done = r.store.transaction(async (tx) => {
      for (const short of shorts)
        await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ROOM_LOCK, `int-acme-${short}`])
      locked()
      await released
    })
    await isLocked
    return async () => {
      release()
      await done
    }
  }

  /** How many transactions hold room `short`'s lock, and how many wait for it. */
  async function lockState(short: string): Promise<{ held: number; waiting: number }> {
    const { rows } = await r.store.query<{ held: number; waiting: number }>(
      `SELECT count(*) FILTER (WHERE granted)::int AS held, count(*) FILTER (WHERE NOT granted)::int AS waiting
       FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objsubid = 2
         AND objid::bigint = (hashtext($2)::bigint + 4294967296) % 4294967296`,
      [ROOM_LOCK, `int-acme-${short}`],
    )
    return rows[0] ?? { held: 0, waiting: 0 }
  }

  it('locks the rooms of a batch in key order, not arrival order', async () => {
    const { rows } = await r.store.query<{ a: number; b: number }>(
      "SELECT hashtext('int-acme-ka') AS a, hashtext('int-acme-kb') AS b",
    )
    const [high, low] = rows[0]!.a > rows[0]!.b ? ['ka', 'kb'] : ['kb', 'ka']
    const blockers = Array.from({ length: WEBHOOK_TRANSACTIONS }, (_, i) => `blk${i}`)
    for (const short of [...blockers, high, low]) await r.api.joinRoom(USERS.alice!, short)
    const releaseHigh = await hold([high])
    const releaseBlockers = await hold(blockers)
    try {
      await inOrder(high, low, blockers, releaseBlockers, releaseHigh)
    } finally {
      await releaseBlockers()
      await releaseHigh()
    }
  })

  /** The test's steps once `high`'s and the `blockers`' locks are held (released by the two functions). */
  async function inOrder(
    high: string,
    low: string,
    blockers: string[],
    releaseBlockers: () => Promise<void>,
    releaseHigh: () => Promise<void>,
  ): Promise<void> {
    // Every transaction this instance may run waits on a blocked room (one each: sent once the last is older than
    // WEBHOOK_STALL_MS)…
    const inLine = { held: 1, waiting: 1 }
    const blocked: Array<Promise<string>> = []
    for (const [i, short] of blockers.entries()) {
      blocked.push(send(short, `acme:b${i}`))
      await expect.poll(() => lockState(short)).toEqual(inLine)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // …so the higher key's webhook, then the lower's, queue and go together once one transaction is free.
    const pair = [send(high, 'acme:hi')]
    await new Promise((resolve) => setTimeout(resolve, 50))
    pair.push(send(low, 'acme:lo'))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await lockState(low)).toEqual({ held: 0, waiting: 0 })
    await releaseBlockers()
    expect(await Promise.all(blocked)).toEqual(blockers.map(() => 'processed'))
    // The pair's transaction took the lower key first and waits for the higher one (held above).
    await expect.poll(() => lockState(low), { timeout: 5000 }).toEqual({ held: 1, waiting: 0 })
    expect(await lockState(high)).toEqual(inLine)
    await releaseHigh()
    expect(await Promise.all(pair)).toEqual(['processed', 'processed'])
    expect(await lockState(low)).toEqual({ held: 0, waiting: 0 })
  }
})
