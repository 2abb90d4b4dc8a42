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
  it('shows an outbound sandbox call with its duration, and its detail lists the participants with the last mute state', async () => {
    const { hangup } = e2e.sandbox.phone.numbers // answers, then the phone hangs up after a few seconds
    const { page } = await e2e.signIn('bob')
    await open(page, `${e2e.app.url}/phone`)
    await page.getByLabel('Phone number').fill(hangup)
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    // Bob mutes and stays muted until the phone hangs up: the record keeps him as last seen muted.
    const mute = page.getByRole('button', { name: 'Mute' })
    await mute.click()
    await expect.poll(() => mute.getAttribute('aria-pressed')).toBe('true')
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
    // Bob's browser (muted) and the phone (never muted) as LiveKit reported them, from the real webhooks.
    const people = detail.getByRole('list', { name: 'Participants' }).getByRole('listitem')
    await expect.poll(() => people.count(), { timeout: 15_000 }).toBe(2)
    const bob = people.filter({ hasText: 'Browser' })
    const phone = people.filter({ hasText: 'Phone' })
    await expect(bob.getByRole('img', { name: 'Muted at last report' }).count()).resolves.toBe(1)
    await expect(phone.getByRole('img', { name: 'Muted at last report' }).count()).resolves.toBe(0)
    await expect(phone.textContent()).resolves.toMatch(/Present for 0:0[1-9]|Present for 0:[1-5]\d/)
  })
})
