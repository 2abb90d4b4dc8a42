// Settings → Voice calling in Chromium: VoiceConfigurationCard auto-configures Twilio Voice against the simulated
// Twilio (RINGLINE_TWILIO_SIMULATOR=1 in the app's server process), then tests the connection with a Voice token.
import type {} from '@ringline/sandbox/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type E2E, startE2E } from './harness'

const DEMO = { accountSid: `AC${'de'.repeat(16)}`, authToken: 'ad'.repeat(16) }

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({
    port: 3107,
    env: {
      RINGLINE_TWILIO_SIMULATOR: '1',
      RINGLINE_TWILIO_SIMULATOR_NUMBERS: '+15550009031',
      RINGLINE_SECRET_KEY: 'base64:8oR2cVhXq1mN4bT7yU0iK3lP6sD9fG2hJ5kL8zX1cV4=',
    },
  })
})

afterAll(async () => {
  await e2e?.close()
})

describe('Settings: Twilio Voice in two fields', () => {
  it('wrong Auth Token explained → configure with progress 25…100 → live badges → Test connection', async () => {
    const { page, context } = await e2e.signIn('alice')
    await page.goto(`${e2e.app.url}/settings`)
    const card = page.locator('section.rl-voice-config')
    await card.getByLabel('Account SID').waitFor()
    await card.locator('.rl-badge', { hasText: 'Not configured' }).first().waitFor()

    await card.getByLabel('Account SID').fill(DEMO.accountSid)
    await card.getByLabel('Auth Token').fill('0'.repeat(32))
    await card.getByRole('button', { name: 'Configure' }).click()
    await card
      .getByRole('alert')
      .filter({ hasText: 'Twilio did not accept this Account SID and Auth Token.' })
      .waitFor()
    await card.getByRole('button', { name: 'Dismiss' }).click()

    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { __progress: string[] }).__progress = seen
      new MutationObserver(() => {
        const bar = document.querySelector('section.rl-voice-config [role="progressbar"]')
        const value = bar?.getAttribute('aria-valuenow')
        if (value && seen[seen.length - 1] !== value) seen.push(value)
      }).observe(document.body, { subtree: true, childList: true, attributes: true })
    })
    await card.getByLabel('Auth Token').fill(DEMO.authToken)
    await card.getByRole('button', { name: 'Configure' }).click()
    const bar = card.getByRole('progressbar')
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('100')
    const progress = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress)
    expect(progress.map(Number)).toEqual([...progress.map(Number)].sort((a, b) => a - b))
    expect(progress[0]).toBe('25')
    expect(progress).toContain('75')
    expect(progress.at(-1)).toBe('100')
    await card.getByText('Voice calling ready').first().waitFor()

    const badges = card.getByRole('list', { name: 'Twilio Voice status' })
    await badges.getByText('Configured', { exact: true }).waitFor()
    await badges.getByText(/^TwiML app AP[0-9a-f]{32}$/).waitFor()
    await badges.getByText('Set up automatically').waitFor()
    expect(await page.content()).not.toContain(DEMO.authToken)

    // The server agrees, and never returns the secrets.
    const status = await context.request.get(`${e2e.app.url}/api/ringline/twilio/voice`)
    const text = await status.text()
    expect(JSON.parse(text)).toMatchObject({ configured: true, hasTwimlApp: true, setupMethod: 'auto' })
    expect(text).not.toContain(DEMO.authToken)

    await card.getByRole('button', { name: 'Test connection' }).click()
    await card.locator('.rl-success', { hasText: 'Connection works: a Voice token was issued for' }).waitFor()
  })
})
