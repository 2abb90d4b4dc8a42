import { describeWithSip } from '@ringline/sandbox/vitest'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type E2E, open, startE2E } from './harness'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({ port: 3117 })
})

afterAll(async () => {
  await e2e?.close()
})

const unique = (prefix: string) => `${prefix}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`

async function connectedCall(page: Page, number: string) {
  await open(page, `${e2e.app.url}/phone`)
  await page.getByLabel('Phone number').fill(number)
  await page.getByRole('button', { name: 'Call', exact: true }).click()
  await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
}

async function transferTo(page: Page, target: string) {
  await page.getByRole('button', { name: 'Transfer' }).click()
  await page.getByLabel('Transfer to').fill(target)
  await page.getByRole('button', { name: 'Transfer call' }).click()
}

/** The newest history entry for `number`, as the signed-in user's browser reads it. */
async function historyEntry(page: Page, number: string) {
  const res = await page.request.get(`${e2e.app.url}/api/ringline/calls?limit=10`)
  const { calls } = (await res.json()) as {
    calls: Array<{
      toNumber: string
      status: string
      endReason: string | null
      transfer?: { to: string } | null
    }>
  }
  return calls.find((c) => c.toNumber === number)
}

describeWithSip('blind transfer from CallControls in Chromium, proven at the sandbox phone', () => {
  it('the phone that accepts REFER is connected to the target; the agent’s call ends and history says transferred', async () => {
    // Numbers of their own: every +1555011xxxx accepts transfers, every +1555017xxxx answers and echoes.
    const number = unique('+1555011')
    const target = unique('+1555017')
    const since = Date.now()
    const { page } = await e2e.signIn('alice')
    await connectedCall(page, number)
    await transferTo(page, target)

    // The agent's part is over once the REFER completed.
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })
    // At the phone: the transferee called the target, which answered and hears it.
    const atTarget = await e2e.sandbox.phone.waitFor(
      target,
      (s) => s.calls.some((c) => c.direction === 'to-phone' && c.from === number && c.audio.rms > 0.05),
      { since, timeoutMs: 20_000 },
    )
    expect(atTarget.calls.find((c) => c.from === number)).toMatchObject({ status: 200, endedAt: null })
    const original = (await e2e.sandbox.phone.received(number, { since })).calls[0]
    expect(original?.transfers[0]).toMatchObject({ to: `tel:${target}`, notified: [100, 200], status: 200 })

    await expect
      .poll(async () => (await historyEntry(page, number))?.endReason, { timeout: 30_000 })
      .toBe('transferred')
    expect(await historyEntry(page, number)).toMatchObject({
      status: 'completed',
      transfer: { to: `tel:${target}` },
    })
  })

  it('a transfer the target refuses (busy) says so and keeps the call connected', async () => {
    const number = unique('+1555011')
    const { page } = await e2e.signIn('bob')
    await connectedCall(page, number)
    await transferTo(page, e2e.sandbox.phone.numbers.busy)
    const status = page.locator('.rl-call-controls .rl-call-transfer-status')
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 30_000 }).toBe('failed')
    await expect(status.textContent()).resolves.toMatch(/^Transfer failed/)
    await expect(page.locator('.rl-call-controls').getAttribute('data-state')).resolves.toBe('connected')
    await page.getByRole('button', { name: 'Hang up' }).click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })
  })
})
