import { describe, expect, it } from 'vitest'
import { createApiClient } from './apiClient'
import { RinglineError } from './ringlineError'

function recorder(response: () => Response = () => Response.json({ ok: true })) {
  const seen: Array<{ method: string; url: string; contentType: string | null; body: string | null }> = []
  const fetchImpl: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers)
    seen.push({
      method: init?.method ?? 'GET',
      url: String(input),
      contentType: headers.get('content-type'),
      body: typeof init?.body === 'string' ? init.body : null,
    })
    return response()
  }
  return { seen, fetchImpl }
}

describe('createApiClient', () => {
  it('sends every state-changing request as JSON, `{}` when it has no body', async () => {
    const { seen, fetchImpl } = recorder()
    const api = createApiClient({ baseUrl: '/api/ringline', fetch: fetchImpl })
    await api.request('DELETE', '/twilio/credentials')
    await api.request('POST', '/calls/c1/hangup')
    await api.request('POST', '/calls', { body: { to: '+14155550123' } })
    expect(seen.map(({ method, contentType, body }) => ({ method, contentType, body }))).toEqual([
      { method: 'DELETE', contentType: 'application/json', body: '{}' },
      { method: 'POST', contentType: 'application/json', body: '{}' },
      { method: 'POST', contentType: 'application/json', body: '{"to":"+14155550123"}' },
    ])
  })

  it('sends GET without a body or content type', async () => {
    const { seen, fetchImpl } = recorder()
    await createApiClient({ baseUrl: '/api/ringline', fetch: fetchImpl }).request('GET', '/calls')
    expect(seen[0]).toMatchObject({ method: 'GET', contentType: null, body: null })
  })

  it('turns an error body into a RinglineError with its code', async () => {
    const { fetchImpl } = recorder(() =>
      Response.json({ error: { code: 'FORBIDDEN', message: 'no', requestId: 'r1' } }, { status: 403 }),
    )
    const error = await createApiClient({ baseUrl: '/x', fetch: fetchImpl })
      .request('POST', '/calls', { body: {} })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RinglineError)
    expect((error as RinglineError).code).toBe('FORBIDDEN')
  })
})
