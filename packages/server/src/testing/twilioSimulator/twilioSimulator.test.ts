import twilio from 'twilio'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTwilioSimulator } from './createTwilioSimulator'

for (const k of Object.keys(process.env))
  if (k.startsWith('TWILIO_') || /^https?_proxy$/i.test(k)) delete process.env[k]

const sim = createTwilioSimulator({
  accounts: [
    {
      friendlyName: 'Acme',
      keys: [{}, { type: 'main' }, { type: 'restricted', allow: ['api'] }],
      trunks: [
        { sid: `TK${'e'.repeat(32)}`, friendlyName: 'Old PBX', domainName: 'old-pbx.pstn.twilio.com' },
      ],
      numbers: [
        { phoneNumber: '+14155550100' },
        { phoneNumber: '+14155550101', capabilities: { voice: false } },
        { phoneNumber: '+14155550102', trunkSid: `TK${'e'.repeat(32)}` },
        ...Array.from({ length: 5 }, (_, i) => ({ phoneNumber: `+1212555010${i}` })),
      ],
    },
    { friendlyName: 'Other', numbers: [{ phoneNumber: '+13105550100' }] },
    { friendlyName: 'No trunking', trunkingEnabled: false },
  ],
})
const acme = sim.account(0)
const other = sim.account(1)
const standardKey = acme.keys[0] as { sid: string; secret: string }
const mainKey = acme.keys[1] as { sid: string; secret: string }
const restrictedKey = acme.keys[2] as { sid: string; secret: string }

function client(key = standardKey, accountSid = acme.sid, opts: twilio.ClientOpts = {}) {
  return twilio(key.sid, key.secret, { accountSid, ...opts })
}
function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
}
async function raw(url: string, init: RequestInit = {}, auth = basic(standardKey.sid, standardKey.secret)) {
  const res = await fetch(url, {
    ...init,
    headers: {
      Authorization: auth,
      ...(init.body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
    },
  })
  const text = res.status === 204 ? '' : await res.text()
  return { res, body: text ? (JSON.parse(text) as Record<string, unknown>) : null }
}
async function rejection(
  p: Promise<unknown>,
): Promise<{ status: number; code: number; message: string; moreInfo: string }> {
  try {
    await p
  } catch (e) {
    return e as { status: number; code: number; message: string; moreInfo: string }
  }
  throw new Error('expected a rejection')
}

beforeAll(() => {
  sim.listen({ onUnhandledRequest: 'error' })
})
afterAll(() => sim.close())
beforeEach(() => sim.reset())

describe('twilio simulator: the real twilio package talks to it', () => {
  it('creates and lists trunks across pages (v1 meta dialect)', async () => {
    const c = client()
    for (let i = 0; i < 6; i++)
      await c.trunking.v1.trunks.create({ friendlyName: `t${i}`, domainName: `acme-${i}.pstn.twilio.com` })
    const all = await c.trunking.v1.trunks.list({ pageSize: 3 })
    expect(all.map((t) => t.friendlyName)).toEqual(['Old PBX', 't0', 't1', 't2', 't3', 't4', 't5'])
    expect(all[1]?.dateCreated).toBeInstanceOf(Date)
    const hits = sim.requests.filter((r) => r.routeId === 'trunks.list')
    expect(hits).toHaveLength(3)
    const { body } = await raw('https://trunking.twilio.com/v1/Trunks?PageSize=3')
    const meta = body?.meta as Record<string, unknown>
    expect(meta).toEqual({
      page: 0,
      page_size: 3,
      first_page_url: 'https://trunking.twilio.com/v1/Trunks?PageSize=3&Page=0',
      previous_page_url: null,
      url: 'https://trunking.twilio.com/v1/Trunks?PageSize=3&Page=0',
      next_page_url: expect.stringMatching(
        /^https:\/\/trunking\.twilio\.com\/v1\/Trunks\?PageSize=3&Page=1&PageToken=PA/,
      ),
      key: 'trunks',
    })
    expect(body?.trunks).toHaveLength(3)
    const last = await raw('https://trunking.twilio.com/v1/Trunks?PageSize=3&Page=2')
    expect(last.body?.meta).toMatchObject({ next_page_url: null })
  })

  it('lists numbers across pages (2010 dialect) with RFC 2822 dates and filters', async () => {
    const c = client()
    const all = await c.incomingPhoneNumbers.list({ pageSize: 3 })
    expect(all).toHaveLength(8)
    expect(all[0]?.dateCreated).toBeInstanceOf(Date)
    expect(all[0]?.trunkSid).toBeNull()
    expect(all.find((n) => n.phoneNumber === '+14155550102')?.trunkSid).toBe(`TK${'e'.repeat(32)}`)
    expect(all.find((n) => n.phoneNumber === '+14155550101')?.capabilities).toMatchObject({ voice: false })
    const { body, res } = await raw(
      `https://api.twilio.com/2010-04-01/Accounts/${acme.sid}/IncomingPhoneNumbers.json?PageSize=3&Page=1`,
    )
    expect(res.status).toBe(200)
    expect(body).toMatchObject({ page: 1, page_size: 3, start: 3, end: 5 })
    expect(body?.next_page_uri).toMatch(
      new RegExp(
        `^/2010-04-01/Accounts/${acme.sid}/IncomingPhoneNumbers\\.json\\?PageSize=3&Page=2&PageToken=PA`,
      ),
    )
    expect(body?.previous_page_uri).toMatch(/Page=0/)
    expect(body?.uri).toMatch(/^\/2010-04-01\//)
    expect(body?.first_page_uri).toBe(
      `/2010-04-01/Accounts/${acme.sid}/IncomingPhoneNumbers.json?PageSize=3&Page=0`,
    )
    const first = (body?.incoming_phone_numbers as Array<Record<string, unknown>> | undefined)?.[0]
    expect(first?.date_created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/)
    expect(first?.voice_application_sid).toBe('')
    expect(first?.voice_url).toBeNull()
    // Partial match with `*` as a digit wildcard; filters survive into the next page link.
    const ny = await c.incomingPhoneNumbers.list({ phoneNumber: '+1212555010*', pageSize: 2 })
    expect(ny.map((n) => n.phoneNumber).sort()).toEqual([
      '+12125550100',
      '+12125550101',
      '+12125550102',
      '+12125550103',
      '+12125550104',
    ])
    const exact = await c.incomingPhoneNumbers.list({ phoneNumber: '+14155550100' })
    expect(exact).toHaveLength(1)
  })

  it('formats v1 dates as ISO 8601 without milliseconds', async () => {
    const { body } = await raw('https://trunking.twilio.com/v1/Trunks', {
      method: 'POST',
      body: 'FriendlyName=x',
    })
    expect(body?.date_created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
    expect(body?.domain_name).toBeNull()
    const t = await client()
      .trunking.v1.trunks(body?.sid as string)
      .fetch()
    expect(t.dateCreated).toBeInstanceOf(Date)
  })

  it('answers errors in the legacy JSON shape, which twilio turns into RestException', async () => {
    const missing = `TK${'0'.repeat(32)}`
    const e = await rejection(client().trunking.v1.trunks(missing).fetch())
    expect(e).toBeInstanceOf(twilio.RestException)
    expect(e).toMatchObject({
      status: 404,
      code: 20404,
      message: `The requested resource /Trunks/${missing} was not found`,
    })
    expect(e.moreInfo).toBe('https://www.twilio.com/docs/errors/20404')
    const { body } = await raw(`https://trunking.twilio.com/v1/Trunks/${missing}`)
    expect(Object.keys(body ?? {}).sort()).toEqual(['code', 'message', 'more_info', 'status'])
    const pn = await rejection(
      client()
        .incomingPhoneNumbers(`PN${'0'.repeat(32)}`)
        .fetch(),
    )
    expect(pn.message).toBe(
      `The requested resource /2010-04-01/Accounts/${acme.sid}/IncomingPhoneNumbers/PN${'0'.repeat(32)}.json was not found`,
    )
  })

  it('always sends Content-Length, so injected 5xx and 429 settle instead of hanging', async () => {
    const urls = [
      'https://trunking.twilio.com/v1/Trunks',
      `https://trunking.twilio.com/v1/Trunks/TK${'0'.repeat(32)}`,
      `https://api.twilio.com/2010-04-01/Accounts/${acme.sid}/IncomingPhoneNumbers.json`,
      'https://trunking.twilio.com/v1/Nope',
    ]
    for (const u of urls) {
      const { res } = await raw(u)
      expect(res.headers.get('content-length'), u).toMatch(/^\d+$/)
    }
    const unauth = await raw(urls[0] as string, {}, basic(standardKey.sid, 'wrong'))
    expect(unauth.res.headers.get('content-length')).toMatch(/^\d+$/)
    sim.fault('trunks.list', { status: 503 })
    sim.fault('incomingPhoneNumbers.list', { status: 429, retryAfter: 2 })
    const e1 = await rejection(client().trunking.v1.trunks.list())
    expect(e1).toMatchObject({ status: 503, code: 20500 })
    const e2 = await rejection(client().incomingPhoneNumbers.list())
    expect(e2).toMatchObject({ status: 429, code: 20429 })
    sim.fault('trunks.list', { status: 429, retryAfter: 7 })
    const r = await raw(urls[0] as string)
    expect(r.res.status).toBe(429)
    expect(r.res.headers.get('retry-after')).toBe('7')
    expect(r.res.headers.get('content-length')).toMatch(/^\d+$/)
  })

  it('checks Basic auth: API key of the account, account SID + auth token, nothing else', async () => {
    expect(await client().trunking.v1.trunks.list()).toHaveLength(1)
    expect(await twilio(acme.sid, acme.authToken).incomingPhoneNumbers.list()).toHaveLength(8)
    const bad = await rejection(
      twilio(standardKey.sid, 'not-the-secret', { accountSid: acme.sid }).trunking.v1.trunks.list(),
    )
    expect(bad).toMatchObject({ status: 401, code: 20003, message: 'Authenticate' })
    const badToken = await rejection(twilio(acme.sid, 'nope').incomingPhoneNumbers.list())
    expect(badToken).toMatchObject({ status: 401, code: 20003 })
    // A key of one account on another account's path.
    const cross = await rejection(client(standardKey, other.sid).incomingPhoneNumbers.list())
    expect(cross).toMatchObject({ status: 401, code: 20003 })
    const none = await fetch('https://trunking.twilio.com/v1/Trunks')
    expect(none.status).toBe(401)
  })

  it('models key types: standard keys cannot read Accounts/Keys, restricted keys only their products', async () => {
    const std = await rejection(client().api.v2010.accounts(acme.sid).fetch())
    expect(std).toMatchObject({ status: 403, code: 20403 })
    const main = await client(mainKey).api.v2010.accounts(acme.sid).fetch()
    expect(main.friendlyName).toBe('Acme')
    const keys = await client(mainKey).api.v2010.account.keys.list()
    expect(keys.map((k) => k.sid)).toContain(standardKey.sid)
    expect((await rejection(client().api.v2010.account.keys.list())).status).toBe(403)
    const restricted = await rejection(client(restrictedKey).trunking.v1.trunks.list())
    expect(restricted).toMatchObject({ status: 403, code: 70051 })
    expect(await client(restrictedKey).incomingPhoneNumbers.list()).toHaveLength(8)
  })

  it('reports trunking not enabled as 403 with code 10002, and can turn it on', async () => {
    const acc = sim.account(2)
    const c = client(acc.keys[0], acc.sid)
    expect(await rejection(c.trunking.v1.trunks.list())).toMatchObject({ status: 403, code: 10002 })
    expect(await c.incomingPhoneNumbers.list()).toEqual([])
    sim.setTrunkingEnabled(acc.sid, true)
    expect(await c.trunking.v1.trunks.list()).toEqual([])
  })

  it('keeps numbers per account: a number of another account is a 404', async () => {
    const foreign = sim.state(other.sid).numbers[0]?.sid as string
    const trunk = await client().trunking.v1.trunks.create({ friendlyName: 'mine' })
    expect(await rejection(client().incomingPhoneNumbers(foreign).fetch())).toMatchObject({
      status: 404,
      code: 20404,
    })
    expect(
      await rejection(
        client().trunking.v1.trunks(trunk.sid).phoneNumbers.create({ phoneNumberSid: foreign }),
      ),
    ).toMatchObject({
      status: 404,
      code: 20404,
    })
  })

  it('enforces uniqueness: trunk domains (also after delete), credential list names, passwords', async () => {
    const c = client()
    const t = await c.trunking.v1.trunks.create({ domainName: 'acme-main.pstn.twilio.com' })
    expect(
      await rejection(c.trunking.v1.trunks.create({ domainName: 'acme-main.pstn.twilio.com' })),
    ).toMatchObject({ status: 400, code: 21248 })
    await c.trunking.v1.trunks(t.sid).remove()
    expect(
      await rejection(c.trunking.v1.trunks.create({ domainName: 'acme-main.pstn.twilio.com' })),
    ).toMatchObject({ code: 21248 })
    expect(
      await rejection(c.trunking.v1.trunks.create({ domainName: 'bad_domain.example.com' })),
    ).toMatchObject({ status: 400, code: 21247 })
    const cl = await c.sip.credentialLists.create({ friendlyName: 'ringline' })
    expect(cl.dateCreated).toBeInstanceOf(Date)
    expect(await rejection(c.sip.credentialLists.create({ friendlyName: 'ringline' }))).toMatchObject({
      status: 400,
      code: 21240,
    })
    expect(
      await rejection(c.sip.credentialLists(cl.sid).credentials.create({ username: 'u', password: 'short' })),
    ).toMatchObject({ code: 21240 })
    const cred = await c.sip
      .credentialLists(cl.sid)
      .credentials.create({ username: 'u', password: 'Abcdefghijk1' })
    expect(JSON.stringify(cred.toJSON())).not.toContain('Abcdefghijk1')
    expect(sim.requests.at(-1)?.params.Password).toBe('[redacted]')
    expect(sim.state(acme.sid).credentialLists[0]?.credentials[0]).toMatchObject({
      username: 'u',
      password: 'Abcdefghijk1',
    })
  })

  it('origination URLs, number attachment and credential lists share one state', async () => {
    const c = client()
    const trunk = await c.trunking.v1.trunks.create({
      friendlyName: 'ringline',
      domainName: 'acme-rl.pstn.twilio.com',
    })
    const ou = await c.trunking.v1.trunks(trunk.sid).originationUrls.create({
      friendlyName: 'LiveKit',
      sipUrl: 'sip:abc.sip.livekit.cloud;transport=tcp',
      weight: 1,
      priority: 1,
      enabled: true,
    })
    expect(ou.sipUrl).toBe('sip:abc.sip.livekit.cloud;transport=tcp')
    expect(
      await rejection(
        c.trunking.v1.trunks(trunk.sid).originationUrls.create({
          friendlyName: 'x',
          sipUrl: 'http://x',
          weight: 1,
          priority: 1,
          enabled: true,
        }),
      ),
    ).toMatchObject({ status: 400 })
    const pn = sim.state(acme.sid).numbers.find((n) => n.phoneNumber === '+14155550100')?.sid as string
    const attached = await c.trunking.v1.trunks(trunk.sid).phoneNumbers.create({ phoneNumberSid: pn })
    expect(attached.sid).toBe(pn)
    expect((await c.incomingPhoneNumbers(pn).fetch()).trunkSid).toBe(trunk.sid)
    expect(await c.trunking.v1.trunks(trunk.sid).phoneNumbers.list()).toHaveLength(1)
    const cl = await c.sip.credentialLists.create({ friendlyName: 'term' })
    await c.trunking.v1.trunks(trunk.sid).credentialsLists.create({ credentialListSid: cl.sid })
    expect((await c.trunking.v1.trunks(trunk.sid).fetch()).authTypeSet).toEqual(['CREDENTIAL_LIST'])
    await c.trunking.v1.trunks(trunk.sid).phoneNumbers(pn).remove()
    expect((await c.incomingPhoneNumbers(pn).fetch()).trunkSid).toBeNull()
    await c.trunking.v1.trunks(trunk.sid).phoneNumbers.create({ phoneNumberSid: pn })
    await c.trunking.v1.trunks(trunk.sid).remove()
    const s = sim.state(acme.sid)
    expect(s.numbers.find((n) => n.sid === pn)?.trunkSid).toBeNull()
    expect(s.originationUrls).toEqual([])
    expect(s.trunkCredentialLists).toEqual([])
  })

  it('moves a number from a foreign trunk by default, and rejects it in reject mode', async () => {
    const c = client()
    const onPbx = sim.state(acme.sid).numbers.find((n) => n.phoneNumber === '+14155550102')?.sid as string
    const trunk = await c.trunking.v1.trunks.create({ friendlyName: 'rl' })
    await c.trunking.v1.trunks(trunk.sid).phoneNumbers.create({ phoneNumberSid: onPbx })
    expect(sim.state(acme.sid).numbers.find((n) => n.sid === onPbx)?.trunkSid).toBe(trunk.sid)

    const strict = createTwilioSimulator({
      attachConflict: 'reject',
      accounts: [
        {
          trunks: [{ sid: `TK${'e'.repeat(32)}` }],
          numbers: [{ phoneNumber: '+15555550100', trunkSid: `TK${'e'.repeat(32)}` }],
        },
      ],
    })
    sim.close()
    strict.listen({ onUnhandledRequest: 'error' })
    try {
      const a = strict.account(0)
      const sc = twilio(a.keys[0]?.sid, a.keys[0]?.secret, { accountSid: a.sid })
      const t2 = await sc.trunking.v1.trunks.create({ friendlyName: 'rl' })
      const pn = strict.state(a.sid).numbers[0]?.sid as string
      expect(
        await rejection(sc.trunking.v1.trunks(t2.sid).phoneNumbers.create({ phoneNumberSid: pn })),
      ).toMatchObject({ status: 400 })
      expect(strict.state(a.sid).numbers[0]?.trunkSid).toBe(`TK${'e'.repeat(32)}`)
    } finally {
      strict.close()
      sim.listen({ onUnhandledRequest: 'error' })
    }
  })

  it('injects faults: N times, after the change, latency, wildcards, per account', async () => {
    const c = client()
    const f = sim.fault('trunks.create', { status: 500, times: 2 })
    expect((await rejection(c.trunking.v1.trunks.create({ friendlyName: 'a' }))).status).toBe(500)
    expect((await rejection(c.trunking.v1.trunks.create({ friendlyName: 'a' }))).status).toBe(500)
    expect((await c.trunking.v1.trunks.create({ friendlyName: 'a' })).friendlyName).toBe('a')
    expect(f.hits).toBe(2)
    expect(f.remaining).toBe(0)
    // `after`: the change happens, the response is lost.
    sim.fault('trunks.create', { status: 502, when: 'after' })
    expect((await rejection(c.trunking.v1.trunks.create({ friendlyName: 'lost' }))).status).toBe(502)
    expect(sim.state(acme.sid).trunks.map((t) => t.friendlyName)).toContain('lost')
    // Wildcard group and account filter.
    sim.fault('originationUrls.*', { status: 503, times: Number.POSITIVE_INFINITY, accountSid: other.sid })
    const t = await c.trunking.v1.trunks.create({ friendlyName: 'b' })
    expect(await c.trunking.v1.trunks(t.sid).originationUrls.list()).toEqual([])
    const latency = sim.fault('*', { delayMs: 30 })
    await c.trunking.v1.trunks.list()
    expect(latency.hits).toBe(1)
    expect(sim.requests.at(-1)?.status).toBe(200)
    expect(() => sim.fault('trunks.nope', { status: 500 })).toThrowError(/unknown route/)
    // `until`: held until the barrier settles, then answered normally.
    let open!: () => void
    const gate = sim.fault('trunks.list', {
      until: new Promise<void>((r) => {
        open = r
      }),
    })
    let answered = false
    const held = c.trunking.v1.trunks.list().then((list) => {
      answered = true
      return list
    })
    await new Promise((r) => setTimeout(r, 50))
    expect(gate.hits).toBe(1)
    expect(answered).toBe(false)
    open()
    expect((await held).length).toBeGreaterThan(0)
    expect(answered).toBe(true)
  })

  it('serves edge and region hostnames', async () => {
    const c = client(standardKey, acme.sid, { edge: 'sydney', region: 'au1' })
    expect(await c.trunking.v1.trunks.list()).toHaveLength(1)
    expect(sim.requests.at(-1)?.url).toMatch(/^https:\/\/trunking\.sydney\.au1\.twilio\.com\//)
  })

  it('addNumber and reset restore the seeded state', async () => {
    sim.addNumber(acme.sid, { phoneNumber: '+14155559999' })
    expect(await client().incomingPhoneNumbers.list()).toHaveLength(9)
    const before = sim.account(0)
    sim.reset()
    expect(sim.account(0)).toEqual(before)
    expect(sim.state(acme.sid).numbers).toHaveLength(8)
    expect(sim.requests).toHaveLength(0)
  })
})
