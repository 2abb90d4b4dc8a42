import { afterAll, describe, expect, it } from 'vitest'
import { Redactor, redactingLogger } from '../src/redact'
import { API_SECRET, captureLogger, req, testRingline, USERS } from './helpers'
import { signedWebhook } from './webhookSigner'

const SECRET_KEY = 'c2VjcmV0LWtleS1mb3ItdHdpbGlvLWNyZWRlbnRpYWxzLTMyYg=='

describe('no secret reaches logs or responses', () => {
  const ringline = testRingline({ secretKey: SECRET_KEY })
  afterAll(() => ringline.close())

  it('keeps the LiveKit secret, the secret key, tokens and Authorization headers out of every captured line', async () => {
    const outputs: string[] = []
    const collect = async (res: Response) => outputs.push(await res.text())
    const joined = await ringline.handler(req('POST', '/rooms/secret-room/join', { user: 'alice' }))
    const token = (await joined.clone().json()).connection.token as string
    await collect(joined)
    await collect(
      await ringline.handler(
        await signedWebhook({ event: 'room_started' }, { secret: 'wrong-secret-wrong-secret-wrong-secret' }),
      ),
    )
    await collect(
      await ringline.handler(await signedWebhook({ event: 'room_started' }, { auth: `Bearer ${token}` })),
    )
    await collect(
      await ringline.handler(req('POST', '/calls', { user: 'alice', body: { to: '+14155550123' } })),
    )
    await collect(await ringline.handler(req('POST', '/rooms/secret-room/end', { user: 'alice' })))
    await collect(await ringline.handler(req('GET', '/health')))
    await ringline.settled()
    // Something that logs a whole request context must be scrubbed too.
    ringline.api.subscribe(USERS.alice!, () => {
      throw new Error(`listener failed with ${token} and ${API_SECRET}`)
    })
    await ringline.api.joinRoom(USERS.bob!, 'secret-room-2')
    const logs = ringline.logger.lines.join('\n')
    expect(ringline.logger.lines.length).toBeGreaterThan(3)
    for (const text of [logs, ...outputs.slice(1)]) {
      expect(text).not.toContain(API_SECRET)
      expect(text).not.toContain(SECRET_KEY)
      expect(text).not.toContain(token)
    }
    expect(logs).toContain('[REDACTED]')
  })

  it('redacts secret-named fields, bearer headers, JWTs and registered values', () => {
    const logger = captureLogger()
    const redactor = new Redactor([API_SECRET])
    redactor.addSecret('twilio-api-key-secret-value')
    const log = redactingLogger(logger, redactor)
    log.error('failed with twilio-api-key-secret-value', {
      headers: new Headers({ authorization: 'Basic dXNlcjpwYXNzd29yZA==', 'x-ok': 'fine' }),
      apiKeySecret: 'abc',
      nested: {
        note: `Bearer abcdefghijkl and ${API_SECRET}`,
        jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlX2hlcmU',
      },
      authToken: 'tok',
    })
    const line = logger.lines.join('')
    for (const secret of [
      'twilio-api-key-secret-value',
      'dXNlcjpwYXNzd29yZA',
      'abcdefghijkl',
      API_SECRET,
      'c2lnbmF0dXJlX2hlcmU',
      '"tok"',
      '"abc"',
    ]) {
      expect(line).not.toContain(secret)
    }
    expect(line).toContain('fine')
  })
})
