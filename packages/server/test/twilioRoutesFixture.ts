// Shared fixture of the Twilio route tests: the MSW Twilio simulator, a test server on a given store, and the
// secret scan over logs, answers and tables.
import { afterAll, beforeAll, beforeEach, expect } from 'vitest'
import type { TwilioServerOptions } from '../src/numbers/numbersApi'
import type { RinglineStore } from '../src/sql/types'
import { createRecordingLivekitProvisioner, createTwilioSimulator } from '../src/testing'
import { req, testRingline } from './helpers'

for (const k of Object.keys(process.env))
  if (k.startsWith('TWILIO_') || k.startsWith('RINGLINE_SECRET_KEY') || k === 'LIVEKIT_SIP_URI')
    delete process.env[k]

export const SECRET_KEY = 'base64:mZ1p0dEJ2Jm1J3cVbIu0mTQ1iVh0oV4p2fU0yVQm3jA='
export const SIP = 'sip:abc123.sip.livekit.cloud'
export const SIP_TCP = 'sip:abc123.sip.livekit.cloud;transport=tcp'
export const NUMBERS = ['+14155550100', '+14155550101', '+14155550102', '+14155550103']

export const sim = createTwilioSimulator({
  accounts: [
    { friendlyName: 'Acme', numbers: NUMBERS.map((phoneNumber) => ({ phoneNumber })) },
    { friendlyName: 'No trunking', trunkingEnabled: false, numbers: [{ phoneNumber: '+17185550100' }] },
  ],
})
export const acme = sim.account(0)
export const key = acme.keys[0] as { sid: string; secret: string }
export const creds = { accountSid: acme.sid, apiKeySid: key.sid, apiKeySecret: key.secret }
export const pn = (e164: string) =>
  sim.state(acme.sid).numbers.find((n) => n.phoneNumber === e164)?.sid as string

/** Registers the simulator's lifecycle in the calling test file: listen once, reset before each test. */
export function useTwilioSimulator(): void {
  beforeAll(() => {
    sim.listen({ onUnhandledRequest: 'bypass' })
  })
  afterAll(() => sim.close())
  beforeEach(() => sim.reset())
}

export type TestServer = ReturnType<typeof testRingline>
/** Every response body the tests saw, for the secret scan. */
export const answers: string[] = []

export async function call(
  server: TestServer,
  method: string,
  path: string,
  options: { user?: string; body?: unknown } = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests probe response bodies field by field
): Promise<{ status: number; body: any }> {
  const res = await server.handler(req(method, path, { user: options.user ?? 'admin', body: options.body }))
  const text = await res.text()
  answers.push(text, JSON.stringify([...res.headers]))
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

export function server(
  store: RinglineStore,
  overrides: Partial<TwilioServerOptions> = {},
  secretKey = SECRET_KEY,
) {
  const livekit = createRecordingLivekitProvisioner()
  const twilio: TwilioServerOptions = {
    sipTarget: SIP,
    livekit,
    retry: { sleep: async () => undefined },
    ...overrides,
  }
  return { ringline: testRingline({ store, secretKey, twilio }), livekit }
}

/** Every row of every table of the store, as text. */
export async function dumpTables(store: RinglineStore): Promise<string> {
  const { rows } = await store.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`,
  )
  expect(rows.map((r) => r.table_name)).toContain('ringline_number_connections')
  const out: string[] = []
  for (const { table_name } of rows) {
    const dump = await store.query(`SELECT * FROM "${table_name}"`)
    out.push(`${table_name}: ${JSON.stringify(dump.rows)}`)
  }
  return out.join('\n')
}

/** The secret scan: the API key secret, termination passwords and Basic auth never appear in plaintext. */
export async function expectNoSecrets(stores: RinglineStore[], servers: TestServer[]) {
  const passwords = sim
    .state(acme.sid)
    .credentialLists.flatMap((l) => l.credentials.map((c) => c.password))
    .filter((p) => p.length > 0)
  const secrets = [
    key.secret,
    Buffer.from(`${key.sid}:${key.secret}`).toString('base64'),
    SECRET_KEY.slice('base64:'.length),
    ...passwords,
  ]
  const haystacks = {
    logs: servers.flatMap((s) => s.logger.lines).join('\n'),
    answers: answers.join('\n'),
    tables: (await Promise.all(stores.map(dumpTables))).join('\n'),
  }
  // The scan must see what it scans: logs and tables hold the connection's rows and steps.
  expect(haystacks.tables).toContain('ringline_twilio_integrations')
  for (const [where, text] of Object.entries(haystacks)) {
    for (const secret of secrets) expect(text.includes(secret), `a secret found in ${where}`).toBe(false)
  }
}

export function expectOneSetup(e164s: string[]) {
  const s = sim.state(acme.sid)
  expect(s.trunks).toHaveLength(1)
  const tk = s.trunks[0]?.sid as string
  expect(s.originationUrls.map((o) => [o.trunkSid, o.sipUrl])).toEqual([[tk, SIP_TCP]])
  for (const e164 of e164s) expect(s.numbers.find((n) => n.phoneNumber === e164)?.trunkSid).toBe(tk)
  expect(s.credentialLists).toHaveLength(1)
  expect(s.credentialLists[0]?.credentials).toHaveLength(1)
  expect(s.trunkCredentialLists).toEqual([{ trunkSid: tk, credentialListSid: s.credentialLists[0]?.sid }])
  return tk
}
