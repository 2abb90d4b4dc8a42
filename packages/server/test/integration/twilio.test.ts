// Bring your own Twilio number end to end: Twilio REST is the MSW simulator (the one thing that cannot run here),
// LiveKit is the sandbox's real livekit-server + livekit-sip, and the sipp phone calls the connected number the way
// Twilio's origination URL would deliver it. Connecting and disconnecting need only livekit-server; the call in
// between needs livekit-sip (itWithSip: skipped, with the reason, without it).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ParticipantInfo_Kind } from '@livekit/protocol'
import type { RinglineEvent } from '@ringline/core/protocol'
import { connectSandbox } from '@ringline/sandbox'
import { itWithSip } from '@ringline/sandbox/vitest'
import { AgentDispatchClient, RoomServiceClient, SipClient } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { main } from '../../src/cli'
import { TWILIO_SIGNALING_ADDRESSES } from '../../src/numbers/signalingAddresses'
import { createTwilioSimulator } from '../../src/testing'
import { type Harness, startHarness } from './harness'

for (const k of Object.keys(process.env))
  if (k.startsWith('TWILIO_') || k.startsWith('RINGLINE_SECRET_KEY') || k === 'LIVEKIT_SIP_URI')
    delete process.env[k]

const info = inject('ringlineSandbox')
const sandbox = connectSandbox(info)
// Free numbers 0–2 belong to other suites; these two are this file's.
const HTTP_NUMBER = info.sip.freeNumbers[4] as string
const CLI_NUMBER = info.sip.freeNumbers[3] as string
const SECRET_KEY = 'base64:Q3zN9u8r1w0pX5kYt2LmV7bA4cE6dG8hJ1kM3nP5qR0='

const sim = createTwilioSimulator({
  accounts: [
    { friendlyName: 'Web', numbers: [{ phoneNumber: HTTP_NUMBER, friendlyName: 'Support line' }] },
    { friendlyName: 'CLI', numbers: [{ phoneNumber: CLI_NUMBER, friendlyName: 'Sales line' }] },
  ],
})
const web = sim.account(0)
const webKey = web.keys[0] as { sid: string; secret: string }
const sip = new SipClient(info.livekit.url, info.livekit.apiKey, info.livekit.apiSecret)
const rooms = new RoomServiceClient(info.livekit.url, info.livekit.apiKey, info.livekit.apiSecret)
const agents = new AgentDispatchClient(info.livekit.url, info.livekit.apiKey, info.livekit.apiSecret)
const ROUTING = {
  policy: 'ring-all',
  agent: { mode: 'agent-first', agentName: 'receptionist', options: { voice: 'alloy', prompt: 'Be brief.' } },
  tags: ['support', 'eu'],
}
const outboundToDelete = new Set<string>()

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

beforeAll(() => {
  sim.listen({ onUnhandledRequest: 'bypass' })
})
afterAll(async () => {
  sim.close()
  for (const id of outboundToDelete) await sip.deleteSipTrunk(id).catch(() => undefined)
})

describe('connect a Twilio number through HTTP, then call it', () => {
  let h: Harness
  beforeAll(async () => {
    h = await startHarness({
      secretKey: SECRET_KEY,
      twilio: { sipTarget: info.sip.address, retry: { sleep: async () => undefined } },
    })
  })
  afterAll(async () => {
    await h?.close()
  })

  const get = async (user: string, path: string) => {
    const res = await fetch(`${h.baseUrl}/api/ringline${path}`, { headers: { 'x-user': user } })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const put = async (user: string, path: string, body: unknown) => {
    const res = await fetch(`${h.baseUrl}/api/ringline${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-user': user },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  // Shared by the three steps below (connect → call → disconnect), in order.
  let sid: string
  let trunkId: string
  let ruleId: string
  let credential: { username: string; password?: string } | undefined

  it('connect creates a LiveKit inbound trunk + rule carrying ringline.tenant, and an outbound trunk to the termination domain; connecting again reuses them', async () => {
    const creds = { accountSid: web.sid, apiKeySid: webKey.sid, apiKeySecret: webKey.secret }
    expect((await put('carol', '/twilio/credentials', creds)).status).toBe(200)
    const numbers = (await get('alice', '/twilio/numbers')).body.numbers as Array<{
      sid: string
      e164: string
    }>
    sid = numbers.find((n) => n.e164 === HTTP_NUMBER)?.sid as string
    expect(sid).toMatch(/^PN/)

    const connected = await h.post('carol', `/twilio/numbers/${sid}/connect`, { routing: ROUTING })
    expect(connected.status).toBe(200)
    expect(connected.body).toMatchObject({
      status: 'connected',
      progress: 100,
      sipTarget: `sip:${info.sip.address};transport=tcp`,
      // The routing comes back without the agent's options (they may hold a prompt).
      routing: {
        policy: 'ring-all',
        agent: { mode: 'agent-first', agentName: 'receptionist' },
        tags: ['support', 'eu'],
      },
    })
    expect(connected.body.connectionId).toEqual(expect.any(String))
    expect(connected.body.routing.agent.options).toBeUndefined()
    const badRouting = await h.post('carol', `/twilio/numbers/${sid}/connect`, {
      routing: { policy: 'ring-all', agent: { mode: 'agent-first', agentName: 'not a name!' } },
    })
    expect(badRouting.status).toBe(400)
    expect(badRouting.body.error.code).toBe('INVALID_REQUEST')
    const step = (name: string) => connected.body.steps.find((s: { step: string }) => s.step === name)
    trunkId = step('livekit-inbound-trunk').sid as string
    ruleId = step('livekit-dispatch-rule').sid as string
    const outboundId = step('livekit-outbound-trunk').sid as string
    outboundToDelete.add(outboundId)

    // What LiveKit really holds now.
    const inbound = (await sip.listSipInboundTrunk({ numbers: [HTTP_NUMBER] })).filter((t) =>
      t.numbers.includes(HTTP_NUMBER),
    )
    expect(inbound.map((t) => t.sipTrunkId)).toEqual([trunkId])
    const rules = await sip.listSipDispatchRule({ trunkIds: [trunkId] })
    expect(rules.map((r) => r.sipDispatchRuleId)).toEqual([ruleId])
    expect(rules[0]?.attributes).toMatchObject({
      'ringline.tenant': h.tenant,
      'ringline.number': HTTP_NUMBER,
    })
    const domain = sim.state(web.sid).trunks[0]?.domainName as string
    const outbound = (await sip.listSipOutboundTrunk()).find((t) => t.sipTrunkId === outboundId)
    expect(outbound).toMatchObject({ address: domain, numbers: [HTTP_NUMBER] })
    credential = sim.state(web.sid).credentialLists[0]?.credentials[0]
    expect(outbound?.authUsername).toBe(credential?.username)

    // Connecting again reuses every resource, on both sides.
    const again = await h.post('carol', `/twilio/numbers/${sid}/connect`)
    expect(again.body.steps.map((s: { status: string }) => s.status)).toEqual(Array(7).fill('reused'))
    expect(again.body.steps.map((s: { sid: string }) => s.sid)).toEqual(
      connected.body.steps.map((s: { sid: string }) => s.sid),
    )
    expect(again.body.connectionId).toBe(connected.body.connectionId)

    // Status before any call: credentials accepted, the origination URL Twilio holds, no inbound call yet.
    const status = await get('alice', `/twilio/numbers/${sid}/status`)
    expect(status.body).toMatchObject({
      credentialsValid: true,
      originationUrls: [`sip:${info.sip.address};transport=tcp`],
      connectionId: connected.body.connectionId,
      lastInbound: null,
    })
  }, 90_000)

  itWithSip(
    'a sipp call to the connected number lands in a tenant room with the ringline attributes and dispatches the number agent once',
    async () => {
      // The phone dials the number (what Twilio does through the origination URL): LiveKit puts it in a tenant room.
      const from = '+15550001777'
      const phoneCall = sandbox.phone.call(HTTP_NUMBER, { from })
      expect(await phoneCall.ringing).toBe(true)
      const incoming = await h.waitForEvent(
        (e): e is Extract<RinglineEvent, { type: 'call.incoming' }> =>
          e.type === 'call.incoming' && e.call.fromNumber === from,
      )
      expect(incoming.call).toMatchObject({ direction: 'inbound', toNumber: HTTP_NUMBER })
      expect(incoming.call.roomName.startsWith(`in-${h.tenant}_`)).toBe(true)
      const sipParticipant = await until('the SIP participant', async () =>
        (await rooms.listParticipants(incoming.call.roomName)).find(
          (p) => p.kind === ParticipantInfo_Kind.SIP,
        ),
      )
      expect(sipParticipant.attributes).toMatchObject({
        'ringline.tenant': h.tenant,
        'ringline.number': HTTP_NUMBER,
        'sip.trunkPhoneNumber': HTTP_NUMBER,
        'sip.phoneNumber': from,
      })
      // The number's agent is dispatched exactly once, with the connect request's options as job metadata,
      // although LiveKit sends several webhooks for the call (room_started, participant_joined, …).
      await h.ringline.settled()
      const dispatches = (await agents.listDispatch(incoming.call.roomName)).filter((d) => d.agentName !== '')
      expect(dispatches.map((d) => d.agentName)).toEqual(['receptionist'])
      expect(JSON.parse(dispatches[0]?.metadata ?? '{}')).toEqual(ROUTING.agent.options)

      // The settings UI's "last call seen": the status names this call and when its last webhook arrived.
      const status = await get('alice', `/twilio/numbers/${sid}/status`)
      expect(status.body.lastInbound).toMatchObject({
        callId: incoming.call.id,
        roomName: incoming.call.roomName,
        fromNumber: from,
      })
      const seen = (status.body.lastInbound as { lastWebhookAt: string }).lastWebhookAt
      expect(Date.parse(seen)).toBeGreaterThanOrEqual(Date.parse(incoming.call.startedAt) - 5_000)
      await phoneCall.hangup()
    },
    90_000,
  )

  it('disconnect detaches the number in Twilio and removes the LiveKit inbound trunk and rule; no secret is logged', async () => {
    // Disconnecting detaches the number in Twilio and removes the LiveKit inbound trunk and rule.
    const gone = await h.post('carol', `/twilio/numbers/${sid}/disconnect`)
    expect(gone.body).toMatchObject({ status: 'disconnected' })
    expect(sim.state(web.sid).numbers[0]?.trunkSid).toBeNull()
    expect(
      (await sip.listSipInboundTrunk({ numbers: [HTTP_NUMBER] })).map((t) => t.sipTrunkId),
    ).not.toContain(trunkId)
    expect((await sip.listSipDispatchRule()).map((r) => r.sipDispatchRuleId)).not.toContain(ruleId)
    const row = (
      await h.ringline.store.query<{ status: string; livekit_inbound_trunk_id: string | null }>(
        'SELECT status, livekit_inbound_trunk_id FROM ringline_number_connections WHERE e164 = $1',
        [HTTP_NUMBER],
      )
    ).rows
    expect(row).toEqual([{ status: 'disconnected', livekit_inbound_trunk_id: null }])

    // The API key secret and the termination password stayed out of every log line.
    const logs = h.logger.lines.join('\n')
    expect(logs.includes(webKey.secret)).toBe(false)
    if (credential?.password) expect(logs.includes(credential.password)).toBe(false)
  }, 90_000)
})

describe('ringline sip setup (CLI) against the simulator and the sandbox', () => {
  it('prints what it created, then reuses everything on a rerun', async () => {
    const cli = sim.account(1)
    const cliKey = cli.keys[0] as { sid: string; secret: string }
    const dataDir = mkdtempSync(join(tmpdir(), 'ringline-cli-'))
    const env = {
      LIVEKIT_URL: info.livekit.url,
      LIVEKIT_API_KEY: info.livekit.apiKey,
      LIVEKIT_API_SECRET: info.livekit.apiSecret,
      LIVEKIT_SIP_URI: info.sip.address,
      TWILIO_ACCOUNT_SID: cli.sid,
      TWILIO_API_KEY_SID: cliKey.sid,
      TWILIO_API_KEY_SECRET: cliKey.secret,
      TWILIO_PHONE_NUMBER: CLI_NUMBER,
      RINGLINE_DATA_DIR: dataDir,
      RINGLINE_SECRET_KEY: SECRET_KEY,
    }
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
    Object.assign(process.env, env)
    const lines: string[] = []
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk))
      return true
    })
    const run = async () => {
      lines.length = 0
      const code = await main(['sip', 'setup', '--tenant', 'clitest'])
      return { code, text: lines.join('') }
    }
    let first: { code: number; text: string }
    let second: { code: number; text: string }
    try {
      first = await run()
      second = await run()
    } finally {
      spy.mockRestore()
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
    expect(first.code, first.text).toBe(0)
    expect(second.code, second.text).toBe(0)
    expect(first.text).toMatch(/Twilio trunk\s+created\s+TK/)
    expect(first.text).toMatch(/Origination URL\s+created/)
    expect(first.text).toMatch(/LiveKit outbound trunk\s+created\s+ST_/)
    expect(first.text).toContain(`${CLI_NUMBER} now rings LiveKit at sip:${info.sip.address};transport=tcp`)
    const stepLines = second.text
      .split('\n')
      .filter((l) => /^(Twilio trunk|Origination|Number|Termination|LiveKit)/.test(l))
    expect(stepLines).toHaveLength(7)
    for (const line of stepLines) expect(line).toMatch(/\sreused\s/)
    expect(first.text.includes(cliKey.secret) || second.text.includes(cliKey.secret)).toBe(false)

    // LiveKit holds one inbound trunk for the number, its rule for the CLI tenant, and one outbound trunk.
    const inbound = (await sip.listSipInboundTrunk({ numbers: [CLI_NUMBER] })).filter((t) =>
      t.numbers.includes(CLI_NUMBER),
    )
    expect(inbound).toHaveLength(1)
    // A number connected through Twilio accepts INVITEs from Twilio's signalling ranges only.
    expect([...(inbound[0]?.allowedAddresses ?? [])].sort()).toEqual([...TWILIO_SIGNALING_ADDRESSES].sort())
    const rules = await sip.listSipDispatchRule({ trunkIds: [inbound[0]?.sipTrunkId as string] })
    expect(rules.map((r) => r.attributes['ringline.tenant'])).toEqual(['clitest'])
    const domain = sim.state(cli.sid).trunks[0]?.domainName
    const outbound = (await sip.listSipOutboundTrunk()).filter((t) => t.address === domain)
    expect(outbound).toHaveLength(1)
    for (const t of outbound) outboundToDelete.add(t.sipTrunkId)
    for (const r of rules) await sip.deleteSipDispatchRule(r.sipDispatchRuleId)
    for (const t of inbound) await sip.deleteSipTrunk(t.sipTrunkId)
    rmSync(dataDir, { recursive: true, force: true })
  }, 90_000)
})
