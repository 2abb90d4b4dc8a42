// Both transports in the example app: Settings switches calls to Twilio Voice (once it is configured), the Phone
// page then places them through the demo Device against the Twilio simulator in the app's server (RINGLINE_TWILIO_
// SIMULATOR=1), and the record shows a Twilio Voice call moved by Twilio's webhooks and status callbacks.
import type {} from '@ringline/sandbox/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type E2E, open, startE2E } from './harness'

const DEMO = { accountSid: `AC${'de'.repeat(16)}`, authToken: 'ad'.repeat(16) }
const CALLER_ID = '+15550009041'
const DIALLED = '+15550009099'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({
    port: 3400,
    env: {
      RINGLINE_TWILIO_SIMULATOR: '1',
      RINGLINE_TWILIO_SIMULATOR_NUMBERS: CALLER_ID,
      RINGLINE_SECRET_KEY: 'base64:8oR2cVhXq1mN4bT7yU0iK3lP6sD9fG2hJ5kL8zX1cV4=',
    },
  })
})

afterAll(async () => {
  await e2e?.close()
})

interface Call {
  id: string
  status: string
  roomName: string
  toNumber: string | null
  fromNumber: string | null
  sipCallId: string | null
  answeredAt: string | null
  endedAt: string | null
  durationSeconds: number | null
}

describe('Settings → Call transport: Twilio Voice on the simulator', () => {
  it('offered once configured, remembered, and a dialled call goes ringing → connected → completed over Twilio', async () => {
    const { page, context } = await e2e.signIn('alice')
    const header = page.getByTestId('active-transport')
    const twilio = page.getByRole('radio', { name: 'Twilio Voice' })
    const livekit = page.getByRole('radio', { name: 'LiveKit (WebRTC + SIP)' })

    // Not configured yet: LiveKit in use, Twilio Voice not offered, the hint says what to do.
    await open(page, `${e2e.app.url}/settings`)
    await expect(header.textContent()).resolves.toBe('Calls: LiveKit')
    await page.getByTestId('transport-hint').waitFor()
    expect(await livekit.isChecked()).toBe(true)
    expect(await twilio.isDisabled()).toBe(true)

    // Voice calling, as voice-config.e2e does it.
    const card = page.locator('section.rl-voice-config')
    await card.getByLabel('Account SID').fill(DEMO.accountSid)
    await card.getByLabel('Auth Token').fill(DEMO.authToken)
    await card.getByRole('button', { name: 'Configure' }).click()
    await card.getByText('Voice calling ready').first().waitFor({ timeout: 60_000 })
    const status = await (await context.request.get(`${e2e.app.url}/api/ringline/twilio/voice`)).json()
    expect(status).toMatchObject({ configured: true, hasTwimlApp: true, callerId: CALLER_ID })

    // Now offered: switch, and the choice survives a reload (cookie).
    await expect.poll(() => twilio.isEnabled(), { timeout: 20_000 }).toBe(true)
    await page.getByTestId('transport-hint').waitFor({ state: 'detached' })
    await twilio.check()
    await expect.poll(() => header.textContent()).toBe('Calls: Twilio Voice')
    expect(await header.getAttribute('title')).toBe(
      'Calls go over Twilio Voice (simulated); switch in Settings',
    )
    await open(page, `${e2e.app.url}/settings`)
    await expect(header.textContent()).resolves.toBe('Calls: Twilio Voice')
    expect(await twilio.isChecked()).toBe(true)

    // Dial: the demo Device asks the simulator to place the call (Twilio → Ringline's voice webhook → <Dial>).
    await open(page, `${e2e.app.url}/phone`)
    const connected = page.waitForResponse(
      (r) => r.url().endsWith('/api/demo/twilio-voice/connect') && r.request().method() === 'POST',
      { timeout: 30_000 },
    )
    await page.getByLabel('Phone number').fill(DIALLED)
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    const placed = await connected
    expect(placed.status()).toBe(200)
    const { callSid, dialled, rejected } = (await placed.json()) as {
      callSid: string
      dialled: string
      rejected: boolean
    }
    expect(callSid).toMatch(/^CA[0-9a-f]{32}$/)
    expect({ dialled, rejected }).toEqual({ dialled: DIALLED, rejected: false })

    await page.locator('.rl-call-controls[data-state="ringing"]').waitFor({ timeout: 30_000 })
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    await expect(page.locator('.rl-call-controls .rl-call-phase').textContent()).resolves.toBe('Connected')

    // Meanwhile the record follows the number's status callbacks: answered, still open, linked to Twilio's sid.
    const list = async () =>
      (
        (await (await context.request.get(`${e2e.app.url}/api/ringline/calls?limit=5`)).json()) as {
          calls: Call[]
        }
      ).calls.find((c) => c.toNumber === DIALLED)
    const live = await list()
    expect(live).toMatchObject({ status: 'in-progress', sipCallId: callSid, endedAt: null })
    expect(live?.roomName.startsWith('twilio-')).toBe(true)
    expect(live?.answeredAt).not.toBeNull()

    await page.getByRole('button', { name: 'Hang up' }).click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })

    await expect.poll(async () => (await list())?.status, { timeout: 30_000 }).toBe('completed')
    const res = await context.request.get(`${e2e.app.url}/api/ringline/calls/${live?.id}`)
    expect(res.ok()).toBe(true)
    const detail = (await res.json()) as { call: Call }
    expect(detail.call).toMatchObject({
      id: live?.id,
      status: 'completed',
      direction: 'outbound',
      toNumber: DIALLED,
      fromNumber: CALLER_ID,
      sipCallId: callSid,
      answeredAt: live?.answeredAt,
    })
    expect(detail.call.roomName).toMatch(/^twilio-acme_/)
    expect(detail.call.endedAt).not.toBeNull()
    expect(detail.call.durationSeconds).not.toBeNull()

    // And back: LiveKit again, remembered too.
    await open(page, `${e2e.app.url}/settings`)
    await livekit.check()
    await expect.poll(() => header.textContent()).toBe('Calls: LiveKit')
    await open(page, `${e2e.app.url}/phone`)
    await expect(header.textContent()).resolves.toBe('Calls: LiveKit')
  })
})
