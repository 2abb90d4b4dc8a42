import { describeWithSip } from '@ringline/sandbox/vitest'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type E2E, open, remoteAudioLevel, startE2E } from './harness'

let e2e: E2E
let companyNumber: string

beforeAll(async () => {
  e2e = await startE2E({ port: 3104 })
  companyNumber = e2e.sandbox.sip.freeNumbers[1] as string
})

afterAll(async () => {
  await e2e?.close()
})

/** The overlay card of the ringing call (every tab of a browser shows it). */
const ringing = (page: Page) => page.locator('.rl-incoming-card[data-state="ringing"]')

/** 1 when this tab is the one of its browser that rings (the leader tab), else 0. */
async function ringingCount(page: Page): Promise<number> {
  return page.locator('.rl-incoming[data-rings-here] .rl-incoming-card[data-state="ringing"]').count()
}

describeWithSip('inbound phone calls ring every agent in Chromium', () => {
  it('rings once per browser, one agent answers, the others see it answered elsewhere, the phone hangs up', async () => {
    // Agent Alice has two tabs of one browser; agent Bob one tab. Both of tenant acme.
    const alice = await e2e.signIn('alice')
    const aliceTab2 = await alice.context.newPage()
    const bob = await e2e.signIn('bob')
    await Promise.all([
      open(alice.page, `${e2e.app.url}/phone`),
      open(aliceTab2, `${e2e.app.url}/history`),
      open(bob.page, `${e2e.app.url}/phone`),
    ])
    // Let each browser's events stream come online before the phone calls.
    await new Promise((resolve) => setTimeout(resolve, 1_500))

    const call = e2e.sandbox.phone.call(companyNumber, { timeoutMs: 60_000 })
    // Bob's tab rings, and exactly one of Alice's two tabs (the leader of her browser).
    await ringing(bob.page).waitFor({ timeout: 30_000 })
    await expect
      .poll(async () => (await ringingCount(alice.page)) + (await ringingCount(aliceTab2)), {
        timeout: 15_000,
      })
      .toBe(1)

    await bob.page.getByRole('button', { name: 'Answer' }).click()
    await expect(call.answered).resolves.toBe(true)
    await bob.page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })

    // Alice's ringing stops in both tabs, which say who answered (the example app passes resolveUser).
    await expect
      .poll(async () => (await ringing(alice.page).count()) + (await ringing(aliceTab2).count()), {
        timeout: 15_000,
      })
      .toBe(0)
    await alice.page.getByText('Answered by Bob Agent').first().waitFor({ timeout: 15_000 })

    // Bob hears the caller (the phone plays audio) and the phone receives Bob's fake microphone.
    await expect.poll(() => remoteAudioLevel(bob.page), { timeout: 20_000 }).toBeGreaterThan(0.005)

    // The caller hangs up: Bob's call ends as hung up by the other side.
    await call.hangup()
    await bob.page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })
    await expect(bob.page.locator('.rl-call-controls .rl-call-phase').textContent()).resolves.toBe(
      'The other side hung up',
    )
    const result = await call.result
    expect(result.answered).toBe(true)
    expect(result.audio.packets).toBeGreaterThan(0)
  })

  it('records a call nobody answers as missed', async () => {
    const { page } = await e2e.signIn('alice')
    await open(page, `${e2e.app.url}/phone`)
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const call = e2e.sandbox.phone.call(companyNumber, { hangupAfterMs: 4_000, timeoutMs: 30_000 })
    await ringing(page).waitFor({ timeout: 30_000 })
    const result = await call.result
    expect(result.answered).toBe(false)
    await page.locator('.rl-incoming-card[data-state="missed"]').first().waitFor({ timeout: 20_000 })
    await expect
      .poll(
        async () => {
          const res = await page.request.get(`${e2e.app.url}/api/ringline/calls?direction=inbound&limit=5`)
          const { calls } = (await res.json()) as { calls: Array<{ status: string }> }
          return calls[0]?.status
        },
        { timeout: 20_000 },
      )
      .toBe('missed')
  })
})
