// Warm-transfer latency as the agents see it, on the sandbox, in Chromium (printed, never asserted). Alice calls the
// echo phone, consults Bob (a second browser context, who joins at once), then completes:
//   "Start consult" → Bob's consult offer shown, and Bob's "Join consult" → consult connected at Alice;
//   "Complete transfer" → the caller connected to Bob (Bob's call controls connected), and → Alice's call ended.
// Run: pnpm --filter @ringline/example-next bench:warm-transfer (after `pnpm --filter @ringline/example-next build`).
import { startSandbox } from '@ringline/sandbox'
import { RINGLINE_ROOM_PREFIXES } from '@ringline/server'
import type { Page } from 'playwright-core'
import { type RunningApp, startApp } from '../e2e/app'
import { launchBrowser } from '../e2e/browser'

const RUNS = Number(process.env.BENCH_RUNS ?? 10)
const PORT = Number(process.env.BENCH_APP_PORT ?? 3221)

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

function report(label: string, values: number[]): void {
  console.log(
    `${label.padEnd(52)} p50 ${percentile(values, 50).toFixed(0).padStart(5)} ms   p95 ${percentile(values, 95).toFixed(0).padStart(5)} ms   (n=${values.length})`,
  )
}

const sandbox = await startSandbox({ reuse: true })
if (!sandbox.info.sip.available) {
  console.log(
    `warm transfer: NOT MEASURED: livekit-sip is unavailable (${sandbox.info.sip.unavailableReason})`,
  )
  await sandbox.stop()
  process.exit(0)
}
let app: RunningApp | undefined
const browser = await launchBrowser()
try {
  app = await startApp({
    port: PORT,
    env: {
      LIVEKIT_URL: sandbox.livekit.wsUrl,
      LIVEKIT_API_KEY: sandbox.livekit.apiKey,
      LIVEKIT_API_SECRET: sandbox.livekit.apiSecret,
      LIVEKIT_SIP_OUTBOUND_TRUNK_ID: sandbox.sip.outboundTrunkId,
      RINGLINE_CALLER_ID: sandbox.sip.callerId,
      RINGLINE_DATA_DIR: `/tmp/ringline-bench-${process.pid}`,
      RINGLINE_DEMO_NUMBERS: `acme=${sandbox.sip.freeNumbers[1]}`,
    },
  })
  const url = app.url
  // The demo number is provisioned when the server first loads Ringline (see the e2e harness).
  await fetch(`${url}/api/demo/ready`, { signal: AbortSignal.timeout(120_000) })
  const off = await Promise.all(
    RINGLINE_ROOM_PREFIXES.map((roomPrefix) =>
      sandbox.webhooks.forward(`${url}/api/ringline/webhooks/livekit`, { roomPrefix }),
    ),
  )
  const signIn = async (userId: string): Promise<Page> => {
    const context = await browser.newContext()
    await context.request.post(`${url}/api/demo/session`, { data: { userId } })
    const page = await context.newPage()
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.log(`[${userId}] ${m.type()}: ${m.text()}`)
    })
    await page.goto(`${url}/phone`, { timeout: 120_000 })
    await page.locator('header[data-hydrated]').waitFor({ timeout: 60_000 })
    return page
  }
  const alice = await signIn('alice')
  const bob = await signIn('bob')
  await new Promise((resolve) => setTimeout(resolve, 1_500)) // events streams online

  const toOffer: number[] = []
  const toConsult: number[] = []
  const toBob: number[] = []
  const toAliceEnded: number[] = []
  for (let i = 0; i < RUNS; i++) {
    // A number of its own each run: every +1555017xxxx answers and echoes (a silent line would be dropped).
    const number = `+1555017${String(1000 + i).padStart(4, '0')}`
    if (i > 0) {
      await bob.getByRole('button', { name: 'Hang up' }).click()
      await bob.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })
      // Fresh pages each run.
      for (const page of [alice, bob]) {
        await page.reload({ timeout: 120_000 })
        await page.locator('header[data-hydrated]').waitFor({ timeout: 60_000 })
      }
      await new Promise((resolve) => setTimeout(resolve, 1_500))
    }
    await alice.getByLabel('Phone number').fill(number)
    await alice.getByRole('button', { name: 'Call', exact: true }).click()
    await alice.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    await alice.getByRole('button', { name: 'Consult', exact: true }).click()
    await alice.getByLabel('Colleague to consult (user id)').fill('bob')
    const startedAt = Date.now()
    await alice.getByRole('button', { name: 'Start consult' }).click()
    const join = bob.getByRole('button', { name: 'Join consult' })
    await join.waitFor({ timeout: 30_000 })
    toOffer.push(Date.now() - startedAt)
    const joinedAt = Date.now()
    await join.click()
    await alice.locator('.rl-consult-status[data-state="connected"]').waitFor({ timeout: 30_000 })
    toConsult.push(Date.now() - joinedAt)
    // They talk before the hand-over: Bob's side of the consult is connected too.
    await bob.locator('.rl-consult-status[data-state="connected"]').waitFor({ timeout: 30_000 })
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const completedAt = Date.now()
    await alice.getByRole('button', { name: 'Complete transfer' }).click()
    await Promise.all([
      bob
        .locator('.rl-call-controls[data-state="connected"]')
        .waitFor({ timeout: 30_000 })
        .then(() => toBob.push(Date.now() - completedAt)),
      alice
        .locator('.rl-call-controls[data-state="ended"]')
        .waitFor({ timeout: 30_000 })
        .then(() => toAliceEnded.push(Date.now() - completedAt)),
    ])
    console.log(`run ${i + 1}/${RUNS} done`)
  }
  await bob.getByRole('button', { name: 'Hang up' }).click()

  console.log('warm transfer on the sandbox, in Chromium (wall clock of one machine)')
  report('"Start consult" → offer shown to the colleague', toOffer)
  report('"Join consult" → consult connected (asker sees it)', toConsult)
  report('"Complete transfer" → caller connected to colleague', toBob)
  report('"Complete transfer" → asker’s call ended', toAliceEnded)
  await Promise.all(off.map((unsubscribe) => unsubscribe()))
} finally {
  await browser.close()
  await app?.stop()
  await sandbox.stop()
}
