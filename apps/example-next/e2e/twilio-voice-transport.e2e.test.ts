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
    // Ringline's API as the page sees it (the browser's own connections: no stale keep-alive socket of the harness).
    const get = <T>(path: string) =>
      page.evaluate(async (url) => {
        const res = await fetch(url)
        return { status: res.status, body: await res.json() }
      }, `${e2e.app.url}${path}`) as Promise<{ status: number; body: T }>
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
    const { body: status } = await get('/api/ringline/twilio/voice')
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
    // Every state the call controls show, in order (ringing lasts ~1.5 s: recorded, not raced for).
    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { __states: string[] }).__states = seen
      new MutationObserver(() => {
        const state = document.querySelector('.rl-call-controls')?.getAttribute('data-state')
        if (state && seen[seen.length - 1] !== state) seen.push(state)
      }).observe(document.body, { subtree: true, childList: true, attributes: true })
    })
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

    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    const states = await page.evaluate(() => (window as unknown as { __states: string[] }).__states)
    expect(states).toContain('ringing')
    expect(states.indexOf('ringing')).toBeLessThan(states.indexOf('connected'))
    await expect(page.locator('.rl-call-controls .rl-call-phase').textContent()).resolves.toBe('Connected')

    // Meanwhile the record follows the number's status callbacks: answered, still open, linked to Twilio's sid.
    const list = async () =>
      (await get<{ calls: Call[] }>('/api/ringline/calls?limit=5')).body.calls.find(
        (c) => c.toNumber === DIALLED,
      )
    const live = await list()
    expect(live).toMatchObject({ status: 'in-progress', sipCallId: callSid, endedAt: null })
    expect(live?.roomName.startsWith('twilio-')).toBe(true)
    expect(live?.answeredAt).not.toBeNull()

    // The demo routes act only for the signed-in user who placed the call, from the app's own pages.
    const hangup = `${e2e.app.url}/api/demo/twilio-voice/hangup`
    expect((await fetch(hangup, { method: 'POST', body: JSON.stringify({ callSid }) })).status).toBe(401)
    const bob = await e2e.signIn('bob')
    const notHis = await bob.context.request.post(hangup, { data: { callSid } })
    expect([notHis.status(), (await notHis.json()).error.code]).toEqual([404, 'CALL_NOT_FOUND'])
    const session = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
    const crossSite = await fetch(hangup, {
      method: 'POST',
      headers: { cookie: session, origin: 'http://127.0.0.1:1', 'content-type': 'application/json' },
      body: JSON.stringify({ callSid }),
    })
    expect(crossSite.status).toBe(403)

    await page.getByRole('button', { name: 'Hang up' }).click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })

    await expect.poll(async () => (await list())?.status, { timeout: 30_000 }).toBe('completed')
    const { status: detailStatus, body: detail } = await get<{ call: Call }>(
      `/api/ringline/calls/${live?.id}`,
    )
    expect(detailStatus).toBe(200)
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
