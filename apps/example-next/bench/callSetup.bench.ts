// Call setup latency as a user sees it, on the sandbox, in Chromium (printed, never asserted):
//   outbound: click on Call → INVITE at the phone, and the phone's 200 OK → "connected" shown;
//   inbound: INVITE sent by the phone → IncomingCallOverlay visible.
// Run: pnpm --filter @ringline/example-next bench (after `pnpm --filter @ringline/example-next build` for a production app).
import { startSandbox } from '@ringline/sandbox'
import { RINGLINE_ROOM_PREFIXES } from '@ringline/server'
import { type RunningApp, startApp } from '../e2e/app'
import { launchBrowser } from '../e2e/browser'

const RUNS = Number(process.env.BENCH_RUNS ?? 10)
const PORT = 3110

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

function report(label: string, values: number[]): void {
  console.log(
    `${label.padEnd(44)} p50 ${percentile(values, 50).toFixed(0).padStart(5)} ms   p95 ${percentile(values, 95).toFixed(0).padStart(5)} ms   (n=${values.length})`,
  )
}

const sandbox = await startSandbox({ reuse: true })
if (!sandbox.info.sip.available) {
  console.log(`call setup: NOT MEASURED: livekit-sip is unavailable (${sandbox.info.sip.unavailableReason})`)
  await sandbox.stop()
  process.exit(0)
}
const companyNumber = sandbox.sip.freeNumbers[1] as string
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
      RINGLINE_DEMO_NUMBERS: `acme=${companyNumber}`,
    },
  })
  const url = app.url
  const off = await Promise.all(
    RINGLINE_ROOM_PREFIXES.map((roomPrefix) =>
      sandbox.webhooks.forward(`${url}/api/ringline/webhooks/livekit`, { roomPrefix }),
    ),
  )
  const context = await browser.newContext()
  // Call setup of a running app, not its start: the store is open and the demo numbers ring.
  await context.request.get(`${url}/api/demo/ready`, { timeout: 60_000 })
  await context.request.post(`${url}/api/demo/session`, { data: { userId: 'bob' } })
  const page = await context.newPage()
  await page.goto(`${url}/phone`)
  await page.locator('header[data-hydrated]').waitFor({ timeout: 60_000 })
  await new Promise((resolve) => setTimeout(resolve, 1_500)) // events stream online

  const toInvite: number[] = []
  const okToConnected: number[] = []
  const number = sandbox.phone.numbers.answerNow
  for (let i = 0; i < RUNS; i++) {
    // Typed as a person types (100 ms a key), so what the Dialer prepares on focus has the time it has in use.
    await page.getByLabel('Phone number').fill('')
    await page.getByLabel('Phone number').pressSequentially(number, { delay: 100 })
    const clickedAt = Date.now()
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    const connectedAt = Date.now()
    const { calls } = await sandbox.phone.received(number, { since: clickedAt })
    const call = calls[0]
    if (call?.answeredAt) {
      toInvite.push(call.invitedAt - clickedAt)
      okToConnected.push(connectedAt - call.answeredAt)
    }
    await page.getByRole('button', { name: 'Hang up' }).click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })
  }

  const toOverlay: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const call = sandbox.phone.call(companyNumber, { timeoutMs: 60_000 })
    await page.locator('.rl-incoming-card[data-state="ringing"]').waitFor({ timeout: 30_000 })
    const visibleAt = Date.now()
    await call.hangup()
    const result = await call.result
    toOverlay.push(visibleAt - result.invitedAt)
    await page
      .locator('.rl-incoming-card[data-state="ringing"]')
      .waitFor({ state: 'detached', timeout: 30_000 })
  }

  console.log('call setup on the sandbox, in Chromium (wall clock of one machine)')
  report('outbound: click → INVITE at the phone', toInvite)
  report('outbound: 200 OK → "connected" shown', okToConnected)
  report('inbound: INVITE sent → overlay visible', toOverlay)
  await Promise.all(off.map((unsubscribe) => unsubscribe()))
} finally {
  await browser.close()
  await app?.stop()
  await sandbox.stop()
}
