// Settings → Phone numbers in Chromium: the whole VoiceSettingsCard wizard against the simulated Twilio
// (RINGLINE_TWILIO_SIMULATOR=1 in the app's server process) and the sandbox's real LiveKit.
import type {} from '@ringline/sandbox/vitest'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type E2E, startE2E } from './harness'

// Numbers of this file only: the sandbox's free numbers belong to the server suites.
const NUMBERS = ['+15550009021', '+15550009022']
const DEMO = {
  accountSid: `AC${'de'.repeat(16)}`,
  apiKeySid: `SK${'de'.repeat(16)}`,
  apiKeySecret: 'ringline-demo-api-key-secret',
}

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({
    port: 3105,
    env: {
      RINGLINE_TWILIO_SIMULATOR: '1',
      RINGLINE_TWILIO_SIMULATOR_NUMBERS: NUMBERS.join(','),
      RINGLINE_SECRET_KEY: 'base64:8oR2cVhXq1mN4bT7yU0iK3lP6sD9fG2hJ5kL8zX1cV4=',
      LIVEKIT_SIP_URI: inject('ringlineSandbox').sip.address,
    },
  })
})

afterAll(async () => {
  await e2e?.close()
})

describe('Settings: bring your own Twilio number', () => {
  it('credentials → verify → save → pick a number → connect with progress to 100 → connected → disconnect', async () => {
    const { page, context } = await e2e.signIn('alice')
    await page.goto(`${e2e.app.url}/settings`)
    await page.getByRole('note').filter({ hasText: 'Simulated Twilio' }).waitFor()

    const card = page.locator('section.rl-voice-settings')
    await card.getByLabel('Account SID').waitFor()
    // The server logged the demo credentials when it started the simulator.
    expect(e2e.app.logs()).toContain(DEMO.accountSid)
    await card.getByLabel('Account SID').fill(DEMO.accountSid)
    await card.getByLabel('API key SID').fill(DEMO.apiKeySid)
    // A wrong secret first: Twilio (simulated) refuses it and the card says how to fix it.
    await card.getByLabel('API key secret').fill('not-the-right-secret-123')
    await card.getByRole('button', { name: 'Verify' }).click()
    await card.getByRole('alert').filter({ hasText: 'Twilio did not accept these credentials.' }).waitFor()
    await card.getByRole('button', { name: 'Dismiss' }).click()

    await card.getByLabel('API key secret').fill(DEMO.apiKeySecret)
    await card.getByRole('button', { name: 'Verify' }).click()
    await card.getByText('These credentials work.').first().waitFor()
    await card.getByRole('button', { name: 'Save and continue' }).click()

    // Numbers of the simulated account, after the save.
    await card.getByText(`Linked to ${DEMO.accountSid}`).waitFor()
    const radio = card.getByRole('radio', { name: /Demo line 1/ })
    await radio.waitFor()
    await expect(card.getByRole('radio').count()).resolves.toBe(NUMBERS.length)
    expect(await page.content()).not.toContain(DEMO.apiKeySecret)
    await radio.check()

    // Record every value the progress bar shows while connecting.
    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { __progress: string[] }).__progress = seen
      new MutationObserver(() => {
        const bar = document.querySelector('[role="progressbar"]')
        const value = bar?.getAttribute('aria-valuenow')
        if (value && seen[seen.length - 1] !== value) seen.push(value)
      }).observe(document.body, { subtree: true, childList: true, attributes: true })
    })
    await card.getByRole('button', { name: 'Connect number' }).click()
    const bar = card.getByRole('progressbar')
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 60_000 }).toBe('100')
    await card.getByText('Ready to take calls').first().waitFor()
    const progress = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress)
    expect(progress.map(Number)).toEqual([...progress.map(Number)].sort((a, b) => a - b))
    expect(progress).toContain('50')
    expect(progress.at(-1)).toBe('100')

    // Connected in the card and in the server's status (stored state agrees with Twilio, no drift).
    const row = card.locator('.rl-voice-number').filter({ hasText: 'Demo line 1' })
    await row.locator('.rl-badge[data-status="connected"]').waitFor()
    await row.getByRole('button', { name: 'Check status' }).click()
    await row.locator('.rl-badge[data-status="connected"]').waitFor()
    const sid = await radio.getAttribute('value')
    const status = await context.request.get(`${e2e.app.url}/api/ringline/twilio/numbers/${sid}/status`)
    expect(await status.json()).toMatchObject({
      status: 'connected',
      drift: [],
      progress: 100,
      e164: NUMBERS[0],
    })
    await card.locator('.rl-checklist li[data-state="done"]').nth(1).waitFor()

    // Disconnect, confirmed in the dialog.
    await row.getByRole('button', { name: 'Disconnect' }).click()
    const dialog = card.getByRole('alertdialog')
    await dialog.getByRole('button', { name: 'Disconnect' }).click()
    await row.locator('.rl-badge[data-status="disconnected"]').waitFor()
    const after = await context.request.get(`${e2e.app.url}/api/ringline/twilio/numbers/${sid}/status`)
    expect(await after.json()).toMatchObject({ status: 'disconnected', drift: [] })
  })
})
