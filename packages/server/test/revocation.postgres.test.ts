// revokeUser across two instances on one PostgreSQL: the refusal is in the shared store, and the user's /events
// stream on the other instance is closed through NOTIFY.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Ringline } from '../src/ringline'
import { instancesOnOnePostgres, req } from './helpers'
import { SseReader } from './sse'

describe('revokeUser across two instances on one PostgreSQL', () => {
  let a: Ringline
  let b: Ringline
  beforeAll(async () => {
    ;[a, b] = (await instancesOnOnePostgres()) as [Ringline, Ringline]
  })
  afterAll(async () => {
    await a.close()
    await b.close()
  })

  it('revoking on A closes the stream held on B and B refuses the user until restored', async () => {
    const onB = new SseReader(await b.handler(req('GET', '/events', { user: 'alice' })))
    await onB.until((frames) => frames.some((f) => f.comment === 'connected'))
    const bobOnB = new SseReader(await b.handler(req('GET', '/events', { user: 'bob' })))
    await bobOnB.until((frames) => frames.some((f) => f.comment === 'connected'))

    const result = await a.api.revokeUser('acme', 'alice', { reason: 'tenant-switch' })
    expect(result.streamsClosed).toBe(0) // none on A itself
    await expect(onB.until(() => false)).rejects.toThrow('stream ended')
    expect(bobOnB.done).toBe(false)

    const refused = await b.handler(req('POST', '/token', { user: 'alice', body: { transport: 'twilio' } }))
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('ACCESS_REVOKED')

    expect(await b.api.restoreUser('acme', 'alice')).toBe(true)
    const back = await a.handler(req('GET', '/calls', { user: 'alice' }))
    expect(back.status).toBe(200)
  })
})
