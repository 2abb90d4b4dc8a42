// Shared fixture of the Twilio onboarding tests: the MSW Twilio simulator with three accounts, a harness of the
// onboarding service on an in-memory store, and the secret scan after every test.
import { inspect } from 'node:util'
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest'
import { createSecretBox } from '../src/crypto/secretBox'
import {
  createMemoryTwilioOnboardingStore,
  type MemoryTwilioOnboardingStore,
} from '../src/numbers/memoryOnboardingStore'
import { TwilioOnboardingError } from '../src/numbers/twilioErrors'
import { createTwilioOnboarding, type TwilioOnboarding } from '../src/numbers/twilioOnboarding'
import { createRecordingLivekitProvisioner } from '../src/testing/recordingLivekitProvisioner'
import { createTwilioSimulator } from '../src/testing/twilioSimulator/createTwilioSimulator'

for (const k of Object.keys(process.env))
  if (k.startsWith('TWILIO_') || /^https?_proxy$/i.test(k)) delete process.env[k]

export const FOREIGN_TRUNK = `TK${'f'.repeat(32)}`
export const sim = createTwilioSimulator({
  accounts: [
    {
      friendlyName: 'Acme',
      keys: [{}, { type: 'restricted', allow: ['api'] }],
      trunks: [{ sid: FOREIGN_TRUNK, friendlyName: 'Old PBX', domainName: 'old-pbx.pstn.twilio.com' }],
      numbers: [
        { phoneNumber: '+14155550100' },
        { phoneNumber: '+14155550101' },
        { phoneNumber: '+14155550102', trunkSid: FOREIGN_TRUNK },
        { phoneNumber: '+14155550103', capabilities: { voice: false } },
        ...Array.from({ length: 55 }, (_, i) => ({ phoneNumber: `+1646555${String(i).padStart(4, '0')}` })),
      ],
    },
    { friendlyName: 'Other', numbers: [{ phoneNumber: '+13105550100' }] },
    { friendlyName: 'No trunking', trunkingEnabled: false, numbers: [{ phoneNumber: '+17185550100' }] },
  ],
})
export const acme = sim.account(0)
export const key = acme.keys[0] as { sid: string; secret: string }
export const restricted = acme.keys[1] as { sid: string; secret: string }
export const other = sim.account(1)
export const noTrunking = sim.account(2)
export const creds = { accountSid: acme.sid, apiKeySid: key.sid, apiKeySecret: key.secret }
export const SIP = 'sip:abc123.sip.livekit.cloud'
export const SIP_TCP = 'sip:abc123.sip.livekit.cloud;transport=tcp'
export const numberSid = (e164: string, account = acme.sid) =>
  sim.state(account).numbers.find((n) => n.phoneNumber === e164)?.sid as string
export const ctx = { tenantId: 'tenant-a', userId: 'user-1' }

export interface Harness {
  service: TwilioOnboarding
  store: MemoryTwilioOnboardingStore
  livekit: ReturnType<typeof createRecordingLivekitProvisioner>
  logs: unknown[]
  sleeps: number[]
}
export let h: Harness
export const thrown: unknown[] = []

export function harness(options: { sipTarget?: string; maxAttempts?: number } = {}): Harness {
  const store = createMemoryTwilioOnboardingStore()
  const livekit = createRecordingLivekitProvisioner()
  const logs: unknown[] = []
  const sleeps: number[] = []
  const service = createTwilioOnboarding({
    store,
    livekit,
    secretBox: createSecretBox({ current: 'test passphrase for the secret box' }),
    sipTarget: options.sipTarget ?? SIP,
    logger: { info: (m, f) => logs.push([m, f]), warn: (m, f) => logs.push([m, f]) },
    retry: {
      maxAttempts: options.maxAttempts ?? 5,
      sleep: async (ms) => {
        sleeps.push(ms)
      },
    },
  })
  return { service, store, livekit, logs, sleeps }
}

export async function failure(p: Promise<unknown>): Promise<TwilioOnboardingError> {
  try {
    await p
  } catch (e) {
    thrown.push(e)
    expect(e).toBeInstanceOf(TwilioOnboardingError)
    return e as TwilioOnboardingError
  }
  throw new Error('expected a failure')
}

export function expectSingleSetup(e164 = '+14155550100') {
  const s = sim.state(acme.sid)
  const ours = s.trunks.filter((t) => t.sid !== FOREIGN_TRUNK)
  expect(ours).toHaveLength(1)
  const tk = ours[0]?.sid as string
  expect(ours[0]?.domainName).toMatch(/^ringline-[0-9a-f]{12}\.pstn\.twilio\.com$/)
  expect(s.originationUrls.filter((o) => o.trunkSid === tk).map((o) => o.sipUrl)).toEqual([SIP_TCP])
  expect(s.numbers.find((n) => n.phoneNumber === e164)?.trunkSid).toBe(tk)
  expect(s.credentialLists).toHaveLength(1)
  expect(s.credentialLists[0]?.credentials).toHaveLength(1)
  expect(s.trunkCredentialLists).toEqual([{ trunkSid: tk, credentialListSid: s.credentialLists[0]?.sid }])
  return { tk, s }
}

const consoleLines: string[] = []
/** Registers the fixture's lifecycle in a test file: simulator, console capture, a fresh harness, the secret scan. */
export function useOnboardingHarness(): void {
  beforeAll(() => {
    sim.listen({ onUnhandledRequest: 'error' })
    for (const m of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map((a) => inspect(a, { depth: 8 })).join(' '))
      })
    }
  })
  afterAll(() => {
    sim.close()
    vi.restoreAllMocks()
  })
  beforeEach(() => {
    sim.reset()
    h = harness()
  })
  afterEach(() => {
    // Secret scan over everything this test produced: logs, console, thrown errors, stored rows, audit.
    const basic = Buffer.from(`${key.sid}:${key.secret}`).toString('base64')
    const haystack = [
      inspect(h.logs, { depth: 10 }),
      consoleLines.join('\n'),
      ...thrown.map(
        (e) => `${inspect(e, { depth: 10, showHidden: true })} ${JSON.stringify(e)} ${String(e)}`,
      ),
      JSON.stringify(h.store.dump()),
      inspect(h.store.dump(), { depth: 10 }),
    ].join('\n')
    expect(haystack.includes(key.secret), 'API key secret found in logs/errors/records').toBe(false)
    expect(haystack.includes(basic), 'Basic auth header found in logs/errors/records').toBe(false)
    thrown.length = 0
  })
}

/** Makes `harness` the one the after-each secret scan reads (a test that switches to a fresh one). */
export function setHarness(harness: Harness): void {
  h = harness
}
