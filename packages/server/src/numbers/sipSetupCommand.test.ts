import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRecordingLivekitProvisioner } from '../testing/recordingLivekitProvisioner'
import { createTwilioSimulator } from '../testing/twilioSimulator/createTwilioSimulator'
import { createSipSetupCommand } from './sipSetupCommand'

for (const k of Object.keys(process.env))
  if (k.startsWith('TWILIO_') || /^https?_proxy$/i.test(k)) delete process.env[k]

const sim = createTwilioSimulator({
  accounts: [{ numbers: [{ phoneNumber: '+14155550100' }] }, { trunkingEnabled: false }],
})
const acc = sim.account(0)
const key = acc.keys[0] as { sid: string; secret: string }
beforeAll(() => {
  sim.listen({ onUnhandledRequest: 'error' })
})
afterAll(() => sim.close())

describe('ringline sip setup', () => {
  const env = {
    TWILIO_ACCOUNT_SID: acc.sid,
    TWILIO_API_KEY_SID: key.sid,
    TWILIO_API_KEY_SECRET: key.secret,
    LIVEKIT_SIP_URI: 'sip:abc.sip.livekit.cloud',
  }
  const livekit = createRecordingLivekitProvisioner()
  const run = async (args: string[], e: Record<string, string> = env) => {
    const lines: string[] = []
    const cmd = createSipSetupCommand({
      livekit: () => livekit,
      env: e,
      out: (l) => lines.push(l),
      overrides: { retry: { sleep: async () => undefined } },
    })
    const code = await cmd.run(args)
    return { code, text: lines.join('\n') }
  }

  it('reads env + flags, creates then reuses, never prints the secret', async () => {
    const first = await run(['--number', '+14155550100'])
    expect(first.code).toBe(0)
    expect(first.text).toMatch(/Twilio trunk\s+created\s+TK[0-9a-f]{32}/)
    expect(first.text).toMatch(/LiveKit outbound trunk\s+created/)
    const second = await run(['--number', '+14155550100'])
    expect(second.code).toBe(0)
    expect(second.text).toMatch(/Twilio trunk\s+reused/)
    expect(sim.state(acc.sid).trunks).toHaveLength(1)
    expect(first.text + second.text).not.toContain(key.secret)
  })

  it('says what is missing, and reports typed failures with their code', async () => {
    const missing = await run([], { TWILIO_ACCOUNT_SID: acc.sid })
    expect(missing.code).toBe(2)
    expect(missing.text).toContain('TWILIO_API_KEY_SECRET / --api-secret')
    expect(missing.text).toContain('TWILIO_PHONE_NUMBER / --number')
    const bad = await run(['--number', '+14155550100', '--api-secret', 'x'.repeat(32)])
    expect(bad.code).toBe(1)
    expect(bad.text).toMatch(/^AUTH_INVALID: /m)
    const unknownFlag = await run(['--nope'])
    expect(unknownFlag.code).toBe(2)
    const other = sim.account(1)
    const k2 = other.keys[0] as { sid: string; secret: string }
    sim.addNumber(other.sid, { phoneNumber: '+17185550100' })
    const disabled = await run(['--number', '+17185550100'], {
      ...env,
      TWILIO_ACCOUNT_SID: other.sid,
      TWILIO_API_KEY_SID: k2.sid,
      TWILIO_API_KEY_SECRET: k2.secret,
    })
    expect(disabled.code).toBe(1)
    expect(disabled.text).toMatch(/^TRUNKING_NOT_ENABLED: /m)
    expect(disabled.text).toContain('failed at step: trunk')
  })
})
