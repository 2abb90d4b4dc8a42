import twilio from 'twilio'
import { describe, expect, it } from 'vitest'
import { isHttpError } from '../http/errors'
import { withRetry } from './retry'
import { normalizeSipTarget } from './sipTarget'
import {
  normalizeTwilioError,
  parseRetryAfter,
  TwilioApiError,
  TwilioOnboardingError,
  TwilioTransportError,
} from './twilioErrors'

const api = (fields: Partial<ConstructorParameters<typeof TwilioApiError>[0]> & { status: number }) =>
  new TwilioApiError({ method: 'GET', host: 'trunking.twilio.com', path: '/v1/Trunks', ...fields })
const ctx = { requestId: 'req-1' }

describe('normalizeTwilioError', () => {
  it('maps Twilio answers to stable codes, first match wins', () => {
    const cases: Array<[TwilioApiError, string]> = [
      [api({ status: 401, code: 20003 }), 'AUTH_INVALID'],
      [api({ status: 403, code: 20403 }), 'INSUFFICIENT_PERMISSIONS'],
      [api({ status: 403, code: 70051 }), 'INSUFFICIENT_PERMISSIONS'],
      [api({ status: 403, code: 10002 }), 'TRUNKING_NOT_ENABLED'],
      [api({ status: 429, code: 20429, retryAfterMs: 2000 }), 'RATE_LIMITED'],
      [
        api({
          status: 404,
          code: 20404,
          path: '/2010-04-01/Accounts/AC1/IncomingPhoneNumbers/PN1.json',
          host: 'api.twilio.com',
        }),
        'NUMBER_NOT_FOUND',
      ],
      [api({ status: 404, code: 20404, path: '/v1/Trunks/TK1/PhoneNumbers' }), 'NUMBER_NOT_FOUND'],
      [api({ status: 404, code: 20404, path: '/v1/Trunks/TK1' }), 'UPSTREAM_ERROR'],
      [
        api({ status: 400, code: 21400, method: 'POST', path: '/v1/Trunks/TK1/OriginationUrls' }),
        'INVALID_SIP_TARGET',
      ],
      [api({ status: 400, code: 21248, method: 'POST' }), 'UPSTREAM_ERROR'],
      [api({ status: 503 }), 'UPSTREAM_ERROR'],
    ]
    for (const [error, code] of cases)
      expect(normalizeTwilioError(error, ctx).code, `${error.status} ${error.code} ${error.path}`).toBe(code)
  })

  it('keeps Retry-After, the Twilio request id and retryability; is an HttpError for the router', () => {
    const e = normalizeTwilioError(
      api({ status: 429, code: 20429, retryAfterMs: 2000, twilioRequestId: 'RQ1' }),
      ctx,
    )
    expect(e).toBeInstanceOf(TwilioOnboardingError)
    expect(isHttpError(e)).toBe(true)
    expect(e).toMatchObject({
      status: 429,
      requestId: 'req-1',
      retryAfterMs: 2000,
      retryable: true,
      headers: { 'Retry-After': '2' },
    })
    expect(e.details).toMatchObject({ twilioCode: 20429, twilioRequestId: 'RQ1' })
    expect(normalizeTwilioError(api({ status: 500 }), ctx).retryable).toBe(true)
    expect(normalizeTwilioError(api({ status: 401 }), ctx).retryable).toBe(false)
  })

  it('handles the SDK exceptions too: RestException and the duck-typed TwilioServiceException', () => {
    const rest = new twilio.RestException({
      statusCode: 401,
      body: JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }),
    } as never)
    expect(normalizeTwilioError(rest, ctx).code).toBe('AUTH_INVALID')
    const service = Object.assign(new Error('[HTTP 429] Too Many'), {
      type: 'about:blank',
      title: 'Too Many',
      status: 429,
      code: 20429,
    })
    expect(normalizeTwilioError(service, ctx).code).toBe('RATE_LIMITED')
  })

  it('maps transport failures to NETWORK_ERROR without keeping the request', () => {
    const t = normalizeTwilioError(
      new TwilioTransportError({ errno: 'ECONNRESET', method: 'GET', host: 'api.twilio.com', path: '/x' }),
      ctx,
    )
    expect(t).toMatchObject({ code: 'NETWORK_ERROR', retryable: true })
    expect(t.message).toContain('ECONNRESET')
    const axiosLike = Object.assign(new Error('socket hang up'), {
      isAxiosError: true,
      config: { headers: { Authorization: 'Basic c2VjcmV0' } },
    })
    const n = normalizeTwilioError(axiosLike, ctx)
    expect(n.code).toBe('NETWORK_ERROR')
    expect(JSON.stringify(n)).not.toContain('c2VjcmV0')
    expect(n.cause).toBeUndefined()
    expect(normalizeTwilioError(new Error('boom'), ctx).code).toBe('INTERNAL')
  })

  it('parses Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('3')).toBe(3000)
    expect(parseRetryAfter('0.5')).toBe(500)
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000)
    expect(parseRetryAfter('soon')).toBeUndefined()
    expect(parseRetryAfter(undefined)).toBeUndefined()
  })
})

describe('withRetry', () => {
  it('retries retryable failures with capped exponential backoff and stops at maxAttempts', async () => {
    const sleeps: number[] = []
    let calls = 0
    const e = await withRetry(
      async () => {
        calls++
        throw api({ status: 503 })
      },
      ctx,
      {
        maxAttempts: 4,
        baseDelayMs: 100,
        maxDelayMs: 250,
        random: () => 0.999,
        sleep: async (ms) => void sleeps.push(ms),
      },
    ).catch((x: unknown) => x)
    expect(calls).toBe(4)
    expect(sleeps).toEqual([100, 200, 250])
    expect((e as TwilioOnboardingError).code).toBe('UPSTREAM_ERROR')
  })

  it('does not retry what cannot succeed', async () => {
    let calls = 0
    await withRetry(
      async () => {
        calls++
        throw api({ status: 401, code: 20003 })
      },
      ctx,
      { sleep: async () => undefined },
    ).catch(() => undefined)
    expect(calls).toBe(1)
  })
})

describe('normalizeSipTarget', () => {
  it('puts LiveKit SIP URIs in the sip:<host>;transport=tcp form', () => {
    expect(normalizeSipTarget('sip:abc123.sip.livekit.cloud')).toBe(
      'sip:abc123.sip.livekit.cloud;transport=tcp',
    )
    expect(normalizeSipTarget('abc123.sip.livekit.cloud')).toBe('sip:abc123.sip.livekit.cloud;transport=tcp')
    expect(normalizeSipTarget('SIP:ABC.sip.livekit.cloud;transport=UDP')).toBe(
      'sip:abc.sip.livekit.cloud;transport=udp',
    )
    expect(normalizeSipTarget('sip:127.0.0.1:5060')).toBe('sip:127.0.0.1:5060;transport=tcp')
    expect(normalizeSipTarget('livekit.example.com:5061;transport=tls')).toBe(
      'sip:livekit.example.com:5061;transport=tls',
    )
  })

  it('rejects what Twilio or LiveKit cannot use, with INVALID_SIP_TARGET', () => {
    for (const bad of [
      '',
      'sips:a.b',
      'http://a.b',
      'sip:u@a.b',
      'sip:a b',
      'sip:a.b;transport=ws',
      'sip:a.b;lr',
      'sip:-bad-.com',
      'sip:a.b:99999',
      'sip:',
    ]) {
      let code: string | undefined
      try {
        normalizeSipTarget(bad, 'r')
      } catch (e) {
        code = (e as TwilioOnboardingError).code
      }
      expect(code, bad).toBe('INVALID_SIP_TARGET')
    }
  })
})
