import { afterEach, describe, expect, it } from 'vitest'
import { createRingline, type Ringline } from './ringline'
import type { RinglineStore } from './sql/types'

const livekit = {
  url: 'http://127.0.0.1:9',
  apiKey: 'APIready',
  apiSecret: 'secret-of-at-least-32-characters-long',
}
const authorize = async () => null
const silent = { debug() {}, info() {}, warn() {}, error() {} }

let ringline: Ringline | undefined
afterEach(async () => {
  await ringline?.close()
  ringline = undefined
})

/** A store that counts queries and fails the first `failures` of them. */
function countingStore(failures = 0): RinglineStore & { queries: string[] } {
  const queries: string[] = []
  let left = failures
  return {
    kind: 'memory',
    queries,
    async migrate() {
      return { applied: [] }
    },
    async query(sql) {
      queries.push(sql)
      if (left-- > 0) throw new Error('database is starting')
      return { rows: [], rowCount: 0 }
    },
    async exec() {},
    async transaction(fn) {
      return fn(this as never)
    },
    async close() {},
  }
}

describe('createRingline().ready', () => {
  it('opens and migrates the default embedded store before any request arrives', async () => {
    ringline = createRingline({ livekit, authorize, logger: silent })
    await ringline.settled()
    // The migrations ran in the background: the schema exists although no route was called.
    const tables = await ringline.store.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_name = 'ringline_calls'",
    )
    expect(tables.rows).toEqual([{ name: 'ringline_calls' }])
  })

  it('leaves a store the host passed alone until asked, then opens it once', async () => {
    const store = countingStore()
    ringline = createRingline({ livekit, authorize, logger: silent, store })
    await ringline.settled()
    expect(store.queries).toEqual([])
    await Promise.all([ringline.ready(), ringline.ready()])
    expect(store.queries).toEqual(['SELECT 1'])
  })

  it('rejects while the store cannot be opened and succeeds on a later call', async () => {
    const store = countingStore(1)
    ringline = createRingline({ livekit, authorize, logger: silent, store })
    await expect(ringline.ready()).rejects.toThrow('database is starting')
    await expect(ringline.ready()).resolves.toBeUndefined()
    expect(store.queries).toHaveLength(2)
  })
})
