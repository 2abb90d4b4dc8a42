// Failure drill in Chromium: livekit-server killed in the middle of a phone call placed from the example app.
// It runs on a sandbox of its own (own state dir and ports), so killing its livekit-server never disturbs the
// run's shared sandbox. What a user sees: the call leaves "Connected" within 30 s with the reason in words, and
// ends as failed (CONNECTION_LOST), with the reason, once LiveKit's client gives up; the client then has the server
// end the call, so its record is closed (no ghost call); the next call works on the restarted server.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Sandbox, startSandbox } from '@ringline/sandbox'
import { describeWithSip } from '@ringline/sandbox/vitest'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type E2E, open, startE2E } from './harness'

/** This file's own sandbox: the run's port offset + 600 (server drills use + 400). */
const DRILL_OFFSET = Number(process.env.RINGLINE_SANDBOX_PORT_OFFSET || 0) + 600

describeWithSip('drill: livekit-server killed mid-call (own sandbox, Chromium)', { timeout: 300_000 }, () => {
  let sandbox: Sandbox
  let stateDir: string
  let e2e: E2E

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'ringline-e2e-drill-sbx-'))
    sandbox = await startSandbox({
      stateDir,
      portOffset: DRILL_OFFSET,
      egress: false,
      log: (line) => process.stderr.write(`[drill sandbox] ${line}\n`),
    })
    e2e = await startE2E({ port: 3250, sandbox })
  }, 300_000)

  afterAll(async () => {
    await e2e?.close()
    if (stateDir) rmSync(stateDir, { recursive: true, force: true })
  })

  it('the call leaves "Connected" within 30 s with a reason, fails with it, its record closes; the next call connects', async () => {
    const { page } = await e2e.signIn('alice')
    await open(page, `${e2e.app.url}/phone`)
    await page.getByLabel('Phone number').fill(sandbox.phone.numbers.answer)
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    const controls = page.locator('.rl-call-controls')
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 60_000 })
    const callId = await page.evaluate(async () => {
      const res = await fetch('/api/ringline/calls?limit=1')
      return ((await res.json()) as { calls: Array<{ id: string }> }).calls[0]?.id
    })
    expect(callId).toBeTruthy()
    const status = () => controls.locator('.rl-call-phase').textContent()

    await sandbox.stopProcess('livekit-server')
    try {
      // The bound: out of "Connected" within 30 s, saying why.
      await page.locator('.rl-call-controls:not([data-state="connected"])').waitFor({ timeout: 30_000 })
      await expect(status()).resolves.toMatch(
        /Connection lost, reconnecting…|connection to the call was lost/,
      )
      // With no server to come back to, LiveKit's client gives up: the call fails, with the reason in words.
      await page.locator('.rl-call-controls[data-state="failed"]').waitFor({ timeout: 120_000 })
      await expect(status()).resolves.toBe(
        'Call failed: The connection to the call was lost and could not be restored. Check your network.',
      )
    } finally {
      await sandbox.startProcess('livekit-server')
    }

    // The client told the server to end the call when it gave up: the record is closed, nothing is left open (no
    // ghost call waiting for a reconcile that cannot see it while LiveKit still lists the room).
    const record = await page.evaluate(async (id) => {
      const res = await fetch(`/api/ringline/calls/${id}`)
      return ((await res.json()) as { call: { status: string; endedAt: string | null } }).call
    }, callId as string)
    expect(record.endedAt).not.toBeNull()
    const stillOpen = await page.evaluate(async () => {
      const res = await fetch('/api/ringline/calls?status=in-progress')
      return ((await res.json()) as { calls: unknown[] }).calls.length
    })
    expect(stillOpen).toBe(0)

    // And the next call works on the restarted LiveKit.
    await page.reload()
    await page.locator('header[data-hydrated]').waitFor({ timeout: 30_000 })
    await page.getByLabel('Phone number').fill(sandbox.phone.numbers.answer)
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 60_000 })
    await page
      .getByRole('button', { name: /hang up/i })
      .first()
      .click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })
  })
})
