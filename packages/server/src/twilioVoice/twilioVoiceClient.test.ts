// The browser side of Twilio Voice settings (`createApiClient().twilioVoice`, what VoiceConfigurationCard calls)
// against the real server routes, with the Twilio simulator as Twilio.
import { createApiClient } from '@ringline/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ORIGIN, testRingline } from '../../test/helpers'
import { createTwilioSimulator } from '../testing/twilioSimulator/createTwilioSimulator'

for (const k of Object.keys(process.env))
  if (k.startsWith('TWILIO_') || /^https?_proxy$/i.test(k) || k === 'RINGLINE_PUBLIC_URL')
    delete process.env[k]

const sim = createTwilioSimulator({
  accounts: [
    { friendlyName: 'Card' },
    {
      friendlyName: 'Card with numbers',
      numbers: [
        { phoneNumber: '+14155550170', capabilities: { voice: false } },
        { phoneNumber: '+14155550171' },
        { phoneNumber: '+14155550172' },
      ],
    },
  ],
})
const account = sim.account(0)
const ringline = testRingline({
  secretKey: `base64:${Buffer.alloc(32, 3).toString('base64')}`,
  twilio: { publicUrl: 'https://public.example.com' },
})
/** The API client as a signed-in browser tab of `user` uses it. */
const clientAs = (user: string) =>
  createApiClient({
    baseUrl: `${ORIGIN}/api/ringline`,
    headers: { authorization: `Bearer ${user}`, origin: ORIGIN, 'sec-fetch-site': 'same-origin' },
    fetch: (input, init) => ringline.handler(new Request(input, init)),
  })

beforeAll(() => sim.listen({ onUnhandledRequest: 'bypass' }))
afterAll(async () => {
  sim.close()
  await ringline.close()
})

describe('api.twilioVoice against the server and the simulator', () => {
  it('status → auto-configure → status → token → remove, each body passing the client guards', async () => {
    const admin = clientAs('admin')
    expect(await admin.twilioVoice.status()).toMatchObject({ configured: false, hasTwimlApp: false })
    const configured = await admin.twilioVoice.autoConfigure({
      accountSid: account.sid,
      authToken: account.authToken,
    })
    expect(configured).toMatchObject({ configured: true, hasTwimlApp: true, setupMethod: 'auto' })
    const status = await clientAs('alice').twilioVoice.status()
    expect(status.twimlAppSid).toBe(sim.state(account.sid).applications[0]?.sid)
    const token = await clientAs('alice').twilioVoice.token()
    expect(token).toMatchObject({ transport: 'twilio', identity: expect.stringContaining('alice') })
    expect(await admin.twilioVoice.remove()).toEqual({ deleted: true })
    await expect(clientAs('alice').twilioVoice.token()).rejects.toMatchObject({ code: 'NOT_CONFIGURED' })
  })

  it('gives the card the stable codes it explains: AUTH_INVALID, FORBIDDEN, INVALID_REQUEST', async () => {
    await expect(
      clientAs('admin').twilioVoice.autoConfigure({ accountSid: account.sid, authToken: 'f'.repeat(32) }),
    ).rejects.toMatchObject({ code: 'AUTH_INVALID' })
    await expect(
      clientAs('alice').twilioVoice.autoConfigure({ accountSid: account.sid, authToken: account.authToken }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(
      clientAs('admin').twilioVoice.autoConfigure({ accountSid: 'AC123', authToken: account.authToken }),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' })
  })

  it('gives an auto-configured tenant a caller id: the given one, else the first inbound number, else the first voice number', async () => {
    const admin = clientAs('admin')
    const withNumbers = sim.account(1)
    const auto = (more: { callerId?: string; inboundNumbers?: string[] } = {}) =>
      admin.twilioVoice.autoConfigure({
        accountSid: withNumbers.sid,
        authToken: withNumbers.authToken,
        ...more,
      })
    // Two fields, as the card asks: the account's first number that takes calls (the SMS-only one is passed over).
    expect((await auto()).callerId).toBe('+14155550171')
    expect(await admin.twilioVoice.remove()).toEqual({ deleted: true })
    expect((await auto({ inboundNumbers: ['+14155550172'] })).callerId).toBe('+14155550172')
    // Kept on a second run for the same account, replaced when given.
    expect((await auto()).callerId).toBe('+14155550172')
    expect((await auto({ callerId: '+14155550171' })).callerId).toBe('+14155550171')
    // An account with no number: configured, but no caller id (calls out are refused with a clear code).
    expect(await admin.twilioVoice.remove()).toEqual({ deleted: true })
    const none = await admin.twilioVoice.autoConfigure({
      accountSid: account.sid,
      authToken: account.authToken,
    })
    expect(none).toMatchObject({ configured: true, callerId: null })
    // A call out is refused before anything is recorded, not later by Twilio's webhook.
    const callsBefore = (await ringline.store.query('SELECT count(*)::int AS n FROM ringline_calls')).rows[0]
    for (const initiate of [undefined, 'server']) {
      const res = await ringline.handler(
        new Request(`${ORIGIN}/api/ringline/twilio/voice/calls`, {
          method: 'POST',
          headers: {
            authorization: 'Bearer alice',
            origin: ORIGIN,
            'sec-fetch-site': 'same-origin',
            'content-type': 'application/json',
          },
          body: JSON.stringify({ to: '+14155550199', ...(initiate ? { initiate } : {}) }),
        }),
      )
      expect(res.status).toBe(503)
      expect(await res.json()).toMatchObject({ error: { code: 'NOT_CONFIGURED' } })
    }
    expect((await ringline.store.query('SELECT count(*)::int AS n FROM ringline_calls')).rows[0]).toEqual(
      callsBefore,
    )
    expect(await admin.twilioVoice.remove()).toEqual({ deleted: true })
  })
})
