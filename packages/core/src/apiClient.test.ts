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

  it('twilioVoice: the settings routes and the Twilio token, with their bodies checked', async () => {
    const status = {
      configured: true,
      hasTwimlApp: true,
      setupMethod: 'auto',
      accountSid: `AC${'a'.repeat(32)}`,
      apiKeySid: null,
      twimlAppSid: `AP${'b'.repeat(32)}`,
      callerId: null,
      webhooks: null,
      updatedAt: null,
    }
    const { seen, fetchImpl } = recorder(() => Response.json(status))
    const api = createApiClient({ baseUrl: '/api/ringline', fetch: fetchImpl })
    expect(await api.twilioVoice.status()).toEqual(status)
    await api.twilioVoice.autoConfigure({ accountSid: status.accountSid, authToken: 'x'.repeat(32) })
    await api.twilioVoice.remove()
    await api.getCallByRoom('int-acme/x').catch(() => null)
    expect(seen.map((s) => `${s.method} ${s.url} ${s.body}`)).toEqual([
      'GET /api/ringline/twilio/voice null',
      `POST /api/ringline/twilio/voice/auto-configure {"accountSid":"${status.accountSid}","authToken":"${'x'.repeat(32)}"}`,
      'DELETE /api/ringline/twilio/voice {}',
      'GET /api/ringline/calls/by-room/int-acme%2Fx null',
    ])
    const bad = recorder(() => Response.json({ configured: 'yes' }))
    const badApi = createApiClient({ baseUrl: '/api/ringline', fetch: bad.fetchImpl })
    await expect(badApi.twilioVoice.status()).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' })
    const token = recorder(() =>
      Response.json({ transport: 'twilio', token: 'jwt', identity: 'acme_3Aal', ttl: 3600, expiresAt: 'x' }),
    )
    const tokenApi = createApiClient({ baseUrl: '/api/ringline', fetch: token.fetchImpl })
    expect((await tokenApi.twilioVoice.token()).identity).toBe('acme_3Aal')
    expect(token.seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/ringline/token',
      body: '{"transport":"twilio"}',
    })
  })
})
