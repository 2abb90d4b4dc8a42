import { describeWithSip } from '@ringline/sandbox/vitest'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type E2E, open, startE2E } from './harness'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({ port: 3105 })
})

afterAll(async () => {
  await e2e?.close()
})

describeWithSip('call history in Chromium', () => {
  it('shows an outbound sandbox call with its duration and opens its detail', async () => {
    const { hangup } = e2e.sandbox.phone.numbers // answers, then the phone hangs up after a few seconds
    const { page } = await e2e.signIn('bob')
    await open(page, `${e2e.app.url}/phone`)
    await page.getByLabel('Phone number').fill(hangup)
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })

    await open(page, `${e2e.app.url}/history`)
    const row = page.locator('.rl-history-row', { hasText: '555' }).first()
    await row.waitFor({ timeout: 30_000 })
    // The webhook closes the record with a duration: a few seconds of talk, not 0:00.
    await expect
      .poll(
        async () => {
          await page.reload()
          await page.locator('header[data-hydrated]').waitFor()
          return page.locator('.rl-history-row .rl-history-duration').first().textContent()
        },
        { timeout: 30_000 },
      )
      .toMatch(/^0:0[1-9]|^0:[1-5]\d/)
    await page.locator('.rl-history-row .rl-history-open').first().click()
    const detail = page.locator('.rl-history-detail')
    await detail.waitFor({ timeout: 15_000 })
    await expect(detail.textContent()).resolves.toMatch(/completed|Completed/)
  })
})
