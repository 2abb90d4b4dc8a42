// An answer that fails to connect, in Chromium on the sandbox: Alice wins the answer but her browser cannot reach
// LiveKit (its signal WebSocket is refused), so her client hands the answer back; Bob's overlay rings again, he
// answers, and the phone that kept ringing is connected.
import { describeWithSip } from '@ringline/sandbox/vitest'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type E2E, open, remoteAudioLevel, startE2E } from './harness'

let e2e: E2E
let companyNumber: string

beforeAll(async () => {
  e2e = await startE2E({ port: 3231 })
  companyNumber = e2e.sandbox.sip.freeNumbers[1] as string
})

afterAll(async () => {
  await e2e?.close()
})

/** The ringing card of the overlay in the tab that rings. */
const ringing = (page: Page) =>
  page.locator('.rl-incoming[data-rings-here] .rl-incoming-card[data-state="ringing"]')

describeWithSip('an answer that fails to connect rings the others again (Chromium)', () => {
  it('Alice cannot reach LiveKit: her answer is released, Bob’s overlay rings again, Bob answers, the phone connects', async () => {
    const alice = await e2e.signIn('alice')
    const bob = await e2e.signIn('bob')
    // Alice's browser cannot open LiveKit's signal connection (a blocked network): every attempt is closed at once.
    await alice.context.routeWebSocket(/\/rtc/, (ws) =>
      ws.close({ code: 1011, reason: 'blocked by the test' }),
    )
    await Promise.all([open(alice.page, `${e2e.app.url}/phone`), open(bob.page, `${e2e.app.url}/phone`)])
    await new Promise((resolve) => setTimeout(resolve, 1_500))

    const call = e2e.sandbox.phone.call(companyNumber, { timeoutMs: 120_000 })
    await Promise.all([
      ringing(alice.page).waitFor({ timeout: 30_000 }),
      ringing(bob.page).waitFor({ timeout: 30_000 }),
    ])
    const released = alice.page.waitForResponse(
      (r) => /\/api\/ringline\/calls\/[^/]+\/release$/.test(r.url()) && r.request().method() === 'POST',
      { timeout: 60_000 },
    )
    await alice.page.getByRole('button', { name: 'Answer' }).click()
    // Bob sees it answered by Alice first.
    await bob.page.getByText('Answered by Alice Admin').first().waitFor({ timeout: 15_000 })

    // Alice's client gives the answer back (not a hang-up), and says why.
    const release = await released
    expect(release.status()).toBe(200)
    expect(((await release.json()) as { call: { status: string } }).call.status).toBe('ringing')
    await alice.page.locator('.rl-call-controls[data-state="failed"]').waitFor({ timeout: 30_000 })

    // The caller still rings; Bob's overlay rings again and he answers.
    await ringing(bob.page).waitFor({ timeout: 30_000 })
    await bob.page.getByRole('button', { name: 'Answer' }).click()
    await expect(call.answered).resolves.toBe(true)
    await bob.page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    await expect.poll(() => remoteAudioLevel(bob.page), { timeout: 20_000 }).toBeGreaterThan(0.005)

    await call.hangup()
    await bob.page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })
    const result = await call.result
    expect(result.answered).toBe(true)
    expect(result.audio.packets).toBeGreaterThan(0)
    // The record: answered by Bob, completed.
    const res = await bob.page.request.get(`${e2e.app.url}/api/ringline/calls?direction=inbound&limit=1`)
    const { calls } = (await res.json()) as { calls: Array<{ status: string; answeredBy: string | null }> }
    expect(calls[0]).toMatchObject({ status: 'completed', answeredBy: 'bob' })
  })
})
