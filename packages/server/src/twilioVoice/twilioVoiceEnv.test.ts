// The TWILIO_* single-tenant fallback and the TwiML app's fallback URL, against the Twilio simulator.
import twilio from 'twilio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogger, req, testRingline } from '../../test/helpers'
import { createTwilioSimulator } from '../testing/twilioSimulator/createTwilioSimulator'
import { twilioVoiceFromEnv } from './envConfig'
import { twilioClientIdentity } from './identity'

for (const k of Object.keys(process.env))
  if (k.startsWith('TWILIO_') || /^https?_proxy$/i.test(k) || k === 'RINGLINE_PUBLIC_URL')
    delete process.env[k]

const PUBLIC = 'https://public.example.com'
const SECRET_KEY = `base64:${Buffer.alloc(32, 9).toString('base64')}`
const INBOUND = '+14155550161'

const sim = createTwilioSimulator({
  accounts: [{ friendlyName: 'Solo', numbers: [{ phoneNumber: INBOUND }] }],
})
const account = sim.account(0)
const key = account.keys[0]!

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Json = Record<string, any>
const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString())

let appSid = ''
const envVars = () => ({
  TWILIO_ACCOUNT_SID: account.sid,
  TWILIO_API_KEY: key.sid,
  TWILIO_API_SECRET: key.secret,
  TWILIO_TWIML_APP_SID: appSid,
  TWILIO_AUTH_TOKEN: account.authToken,
  TWILIO_CALLER_ID: '+14155550160',
})
const withEnv = <T>(vars: Record<string, string>, create: () => T): T => {
  Object.assign(process.env, vars)
  try {
    return create()
  } finally {
    for (const k of Object.keys(vars)) delete process.env[k]
  }
}

let ringline: ReturnType<typeof testRingline>
const call = async (user: string, method: string, path: string, body?: unknown) =>
  ringline.handler(req(method, path, { user, ...(body === undefined ? {} : { body }) }))

beforeAll(async () => {
  sim.listen({ onUnhandledRequest: 'bypass' })
  // The single-tenant operator created the TwiML app in the Twilio Console, pointing at tenant `acme`.
  const rest = twilio(key.sid, key.secret, { accountSid: account.sid })
  const app = await rest.applications.create({
    friendlyName: 'Solo app',
    voiceUrl: `${PUBLIC}/api/ringline/webhooks/twilio/voice?tenant=acme`,
    statusCallback: `${PUBLIC}/api/ringline/webhooks/twilio/status?tenant=acme`,
    voiceFallbackUrl: `${PUBLIC}/api/ringline/webhooks/twilio/fallback?tenant=acme`,
  })
  appSid = app.sid
  ringline = withEnv(envVars(), () =>
    testRingline({
      secretKey: SECRET_KEY,
      twilio: { publicUrl: PUBLIC },
      calls: { allowUnassignedNumbers: true },
    }),
  )
  sim.voice.setWebhookTarget((r) => ringline.handler(r))
})
afterAll(async () => {
  sim.close()
  await ringline?.close()
})

describe('TWILIO_* fallback for a tenant without stored settings', () => {
  it('reports the environment settings as configured (setup method env), never their secrets', async () => {
    const res = await call('alice', 'GET', '/twilio/voice')
    const text = await res.text()
    expect(res.status).toBe(200)
    expect(JSON.parse(text)).toMatchObject({
      configured: true,
      hasTwimlApp: true,
      setupMethod: 'env',
      accountSid: account.sid,
      apiKeySid: key.sid,
      twimlAppSid: appSid,
      callerId: '+14155550160',
    })
    expect(text).not.toContain(key.secret)
    expect(text).not.toContain(account.authToken)
  })

  it('mints Voice tokens with the environment key, and logs no secret', async () => {
    const res = await call('alice', 'POST', '/token', { transport: 'twilio' })
    expect(res.status).toBe(200)
    const body = (await res.json()) as Json
    const payload = decode(body.token)
    expect(payload.sub).toBe(account.sid)
    expect(payload.iss).toBe(key.sid)
    expect(payload.grants.voice.outgoing.application_sid).toBe(appSid)
    // The token verifies with the environment secret (HS256), so Twilio would accept it.
    const { createHmac } = await import('node:crypto')
    const [h, p, sig] = body.token.split('.')
    expect(createHmac('sha256', key.secret).update(`${h}.${p}`).digest('base64url')).toBe(sig)
    const logs = ringline.logger.lines.join('\n')
    expect(logs).not.toContain(key.secret)
    expect(logs).not.toContain(account.authToken)
  })

  it('verifies webhooks with TWILIO_AUTH_TOKEN and dials an outbound browser call', async () => {
    const created = (await (
      await call('alice', 'POST', '/twilio/voice/calls', { to: '+14155550123' })
    ).json()) as Json
    expect(created.call.status).toBe('initiated')
    const flow = await sim.voice.clientCall({
      accountSid: account.sid,
      identity: twilioClientIdentity('acme', 'alice'),
      params: created.twilio.params,
    })
    expect(flow.rejected).toBe(false)
    expect(flow.dial).toMatchObject({ callerId: '+14155550160' })
    expect(flow.dial?.numbers.map((n) => n.number)).toEqual(['+14155550123'])
    await flow.number('completed')
    await flow.end('completed')
    const forged = await sim.voice.post(
      account.sid,
      `${PUBLIC}/api/ringline/webhooks/twilio/voice?tenant=acme`,
      { CallSid: 'CA1', From: '+14155550199', To: INBOUND },
      { headers: { 'x-twilio-signature': 'AAAA' } },
    )
    expect(forged.status).toBe(403)
  })

  it('stored settings win over the environment, and deleting them falls back again', async () => {
    const configured = await call('admin', 'POST', '/twilio/voice/auto-configure', {
      accountSid: account.sid,
      authToken: account.authToken,
    })
    expect(configured.status).toBe(200)
    const stored = (await (await call('alice', 'GET', '/twilio/voice')).json()) as Json
    expect(stored.setupMethod).toBe('auto')
    expect(stored.twimlAppSid).not.toBe(appSid)
    expect((await call('admin', 'DELETE', '/twilio/voice')).status).toBe(200)
    const back = (await (await call('alice', 'GET', '/twilio/voice')).json()) as Json
    expect(back).toMatchObject({ setupMethod: 'env', twimlAppSid: appSid })
  })

  it('TWILIO_VOICE_TENANT limits the fallback to one tenant', async () => {
    const scoped = withEnv({ ...envVars(), TWILIO_VOICE_TENANT: 'acme' }, () => testRingline())
    try {
      const alice = await scoped.handler(req('GET', '/twilio/voice', { user: 'alice' }))
      expect(((await alice.json()) as Json).setupMethod).toBe('env')
      const eve = await scoped.handler(req('GET', '/twilio/voice', { user: 'eve' }))
      expect(((await eve.json()) as Json).configured).toBe(false)
      const token = await scoped.handler(
        req('POST', '/token', { user: 'eve', body: { transport: 'twilio' } }),
      )
      expect(token.status).toBe(503)
      expect(((await token.json()) as Json).error.code).toBe('NOT_CONFIGURED')
    } finally {
      await scoped.close()
    }
  })

  it('without TWILIO_AUTH_TOKEN tokens work but webhooks are refused', async () => {
    const { TWILIO_AUTH_TOKEN: _, ...rest } = envVars()
    const noToken = withEnv(rest, () => testRingline({ twilio: { publicUrl: PUBLIC } }))
    try {
      const token = await noToken.handler(
        req('POST', '/token', { user: 'alice', body: { transport: 'twilio' } }),
      )
      expect(token.status).toBe(200)
      sim.voice.setWebhookTarget((r) => noToken.handler(r))
      // Signed with the account's real Auth Token, yet the server has no key to check it with.
      const res = await sim.voice.post(
        account.sid,
        `${PUBLIC}/api/ringline/webhooks/twilio/voice?tenant=acme`,
        {
          CallSid: 'CA2',
          From: '+14155550198',
          To: INBOUND,
          AccountSid: account.sid,
        },
      )
      expect(res.status).toBe(403)
      expect(noToken.logger.lines.join('\n')).toContain('TWILIO_AUTH_TOKEN is not set')
    } finally {
      sim.voice.setWebhookTarget((r) => ringline.handler(r))
      await noToken.close()
    }
  })
})

describe('twilioVoiceFromEnv', () => {
  const vars = (over: Record<string, string | undefined> = {}) => {
    const all: Record<string, string | undefined> = {
      TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
      TWILIO_API_KEY: `SK${'2'.repeat(32)}`,
      TWILIO_API_SECRET: 'the-api-secret-value',
      TWILIO_TWIML_APP_SID: `AP${'3'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'the-auth-token-value',
      ...over,
    }
    return (name: string) => all[name]
  }

  it('is null when nothing is set, and reads a complete set', () => {
    const logger = captureLogger()
    expect(twilioVoiceFromEnv(logger, () => undefined)).toBeNull()
    expect(twilioVoiceFromEnv(logger, vars())).toMatchObject({
      accountSid: `AC${'1'.repeat(32)}`,
      apiKeySid: `SK${'2'.repeat(32)}`,
      twimlAppSid: `AP${'3'.repeat(32)}`,
      callerId: null,
      tenantId: null,
    })
    expect(logger.lines).toEqual([])
  })

  it('accepts TWILIO_API_KEY_SID / TWILIO_API_KEY_SECRET, the names ringline doctor reads', () => {
    const read = vars({
      TWILIO_API_KEY: undefined,
      TWILIO_API_SECRET: undefined,
      TWILIO_API_KEY_SID: `SK${'4'.repeat(32)}`,
      TWILIO_API_KEY_SECRET: 'another-secret-value',
    })
    expect(twilioVoiceFromEnv(captureLogger(), read)).toMatchObject({
      apiKeySid: `SK${'4'.repeat(32)}`,
      apiKeySecret: 'another-secret-value',
    })
  })

  it('ignores a half-set or malformed environment, naming the variables but never a value', () => {
    const logger = captureLogger()
    expect(twilioVoiceFromEnv(logger, vars({ TWILIO_TWIML_APP_SID: undefined }))).toBeNull()
    expect(twilioVoiceFromEnv(logger, vars({ TWILIO_API_KEY: 'the-api-secret-value-key' }))).toBeNull()
    expect(twilioVoiceFromEnv(logger, vars({ TWILIO_CALLER_ID: '555-0100' }))).toBeNull()
    const text = logger.lines.join('\n')
    expect(text).toContain('TWILIO_TWIML_APP_SID is not set')
    expect(text).toContain('TWILIO_API_KEY is not an API key SID')
    expect(text).toContain('TWILIO_CALLER_ID is not an E.164 number')
    expect(text).not.toContain('the-api-secret-value')
    expect(text).not.toContain('the-auth-token-value')
  })
})

describe('the TwiML app fallback URL', () => {
  const fallbackUrl = `${PUBLIC}/api/ringline/webhooks/twilio/fallback?tenant=acme`

  it('auto-configure sets it on the TwiML app, and the status reports it', async () => {
    await call('admin', 'POST', '/twilio/voice/auto-configure', {
      accountSid: account.sid,
      authToken: account.authToken,
      callerId: '+14155550160',
    })
    const app = sim.state(account.sid).applications.find((a) => a.friendlyName === 'Ringline acme')
    expect(app?.voiceFallbackUrl).toBe(fallbackUrl)
    const status = (await (await call('alice', 'GET', '/twilio/voice')).json()) as Json
    expect(status.webhooks.fallbackUrl).toBe(fallbackUrl)
  })

  it('when the voice URL fails, Twilio asks the fallback: logged, the call closed as failed, a polite message', async () => {
    const createdRes = await call('alice', 'POST', '/twilio/voice/calls', { to: '+14155550133' })
    const created = (await createdRes.json()) as Json
    expect(createdRes.status, JSON.stringify(created)).toBe(201)
    // The app answers the voice webhook (linking the CallSid) but a proxy in front turns it into a 502.
    sim.voice.setWebhookTarget(async (r) => {
      const res = await ringline.handler(r)
      return new URL(r.url).pathname.endsWith('/webhooks/twilio/voice')
        ? new Response('bad gateway', { status: 502 })
        : res
    })
    try {
      const flow = await sim.voice.clientCall({
        accountSid: account.sid,
        identity: twilioClientIdentity('acme', 'alice'),
        params: created.twilio.params,
      })
      expect(flow.fellBack).toBe(true)
      expect(flow.response.status).toBe(200)
      expect(flow.twiml).toContain('<Say>We are sorry, we cannot connect your call right now')
      expect(flow.twiml).toContain('<Hangup/>')
      expect(flow.dial).toBeNull()
      const record = (
        await ringline.api.getCall({ tenantId: 'acme', userId: 'root', role: 'admin' }, created.call.id)
      ).call
      expect(record.status).toBe('failed')
      const logged = ringline.logger.lines.find((l) => l.includes('Twilio used the fallback URL'))
      expect(logged).toBeDefined()
      expect(JSON.parse(logged!).fields).toMatchObject({
        tenantId: 'acme',
        callSid: flow.callSid,
        errorCode: '11200',
        errorUrl: expect.stringContaining('/webhooks/twilio/voice?tenant=acme'),
      })
    } finally {
      sim.voice.setWebhookTarget((r) => ringline.handler(r))
    }
  })

  it('refuses a forged fallback request', async () => {
    const res = await sim.voice.post(
      account.sid,
      fallbackUrl,
      { CallSid: 'CA3' },
      {
        headers: { 'x-twilio-signature': 'forged' },
      },
    )
    expect(res.status).toBe(403)
    expect(((await res.json()) as Json).error.code).toBe('WEBHOOK_SIGNATURE_INVALID')
  })
})

describe('revokeUser and Twilio Voice', () => {
  it('ends the user’s ongoing Twilio call at Twilio and in the store, and refuses their Voice token', async () => {
    const created = (await (
      await call('alice', 'POST', '/twilio/voice/calls', { to: '+14155550144' })
    ).json()) as Json
    const flow = await sim.voice.clientCall({
      accountSid: account.sid,
      identity: twilioClientIdentity('acme', 'alice'),
      params: created.twilio.params,
    })
    await flow.number('in-progress')
    const result = await ringline.api.revokeUser('acme', 'alice', { reason: 'sign-out' })
    try {
      expect(result.twilioCallsEnded).toEqual([created.call.id])
      expect(sim.state(account.sid).calls.find((c) => c.sid === flow.callSid)?.status).toBe('completed')
      const record = (
        await ringline.api.getCall({ tenantId: 'acme', userId: 'root', role: 'admin' }, created.call.id)
      ).call
      expect(record).toMatchObject({ status: 'completed' })
      const token = await call('alice', 'POST', '/token', { transport: 'twilio' })
      expect(token.status).toBe(403)
      expect(((await token.json()) as Json).error.code).toBe('ACCESS_REVOKED')
    } finally {
      await ringline.api.restoreUser('acme', 'alice')
    }
    expect((await call('alice', 'POST', '/token', { transport: 'twilio' })).status).toBe(200)
  })
})
