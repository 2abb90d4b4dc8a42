// Call setup latency as a user sees it, on the sandbox, in Chromium (printed, never asserted):
//   outbound: click on Call → INVITE at the phone, and the phone's 200 OK → "connected" shown;
//   inbound: INVITE sent by the phone → IncomingCallOverlay visible.
// Run: pnpm --filter @ringline/example-next bench (after `pnpm --filter @ringline/example-next build` for a production app).
import { startSandbox } from '@ringline/sandbox'
import { RINGLINE_ROOM_PREFIXES } from '@ringline/server'
import type { BrowserContext, Page } from 'playwright-core'
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
  // Each run in order, so a slow first call (the page's first) is told from a slow tail.
  console.log(`${''.padEnd(44)} runs: ${values.map((v) => v.toFixed(0)).join(' ')}`)
}

/** A signed-in /phone page, hydrated, its events stream online. */
async function openPhonePage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(`${url}/phone`)
  await page.locator('header[data-hydrated]').waitFor({ timeout: 60_000 })
  await new Promise((resolve) => setTimeout(resolve, 1_500)) // events stream online
  return page
}

/**
 * Records in the page, by the shared wall clock, when `selector` first matches (a MutationObserver, so the figure
 * is the DOM's change, not Playwright's polling).
 */
async function stampWhen(page: Page, selector: string, key: string): Promise<void> {
  // A string, not a function: tsx's name-keeping helper does not exist in the page.
  await page.evaluate(`(() => {
    const sel = ${JSON.stringify(selector)}, k = ${JSON.stringify(key)}
    window[k] = undefined
    const observer = new MutationObserver(() => check())
    const check = () => {
      if (!document.querySelector(sel)) return false
      window[k] = Date.now()
      observer.disconnect()
      return true
    }
    if (!check()) observer.observe(document, { subtree: true, childList: true, attributes: true })
  })()`)
}

async function stampOf(page: Page, key: string): Promise<number> {
  const at: unknown = await page.evaluate(`window[${JSON.stringify(key)}]`)
  if (typeof at !== 'number') throw new Error(`the page recorded no ${key}`)
  return at
}

/**
 * One outbound call from the page's Dialer to a phone that answers at once, hung up when connected: click → INVITE
 * and 200 OK → "connected", the click taken when it reaches the page (not when Playwright starts to act).
 */
async function placeCall(
  page: Page,
  number: string,
): Promise<{ toInvite: number; okToConnected: number } | null> {
  // Typed as a person types (100 ms a key), so what the Dialer prepares on focus has the time it has in use.
  await page.getByLabel('Phone number').fill('')
  await page.getByLabel('Phone number').pressSequentially(number, { delay: 100 })
  await page.evaluate(() => {
    const w = window as unknown as Record<string, number | undefined>
    w.ringline_bench_click = undefined
    document.addEventListener('click', () => (w.ringline_bench_click ??= Date.now()), {
      capture: true,
      once: true,
    })
  })
  await stampWhen(page, '.rl-call-controls[data-state="connected"]', 'ringline_bench_connected')
  const since = Date.now()
  await page.getByRole('button', { name: 'Call', exact: true }).click()
  await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
  const clickedAt = await stampOf(page, 'ringline_bench_click')
  const connectedAt = await stampOf(page, 'ringline_bench_connected')
  const { calls } = await sandbox.phone.received(number, { since })
  const call = calls[0]
  await page.getByRole('button', { name: 'Hang up' }).click()
  await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })
  if (!call?.answeredAt) return null
  return { toInvite: call.invitedAt - clickedAt, okToConnected: connectedAt - call.answeredAt }
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
  // Warm the app server with one call from a page of its own: a deployed server has made calls before, and the
  // first call of its process (cold code paths, the first SIP trunk use) is not a page's first call.
  const number = sandbox.phone.numbers.answerNow
  const warm = await openPhonePage(context, url)
  await placeCall(warm, number)
  await warm.close()

  // A page's first call: a fresh page (module loads, first WebRTC connection) for each run.
  const firstInvite: number[] = []
  const firstConnected: number[] = []
  let page = warm
  for (let i = 0; i < RUNS; i++) {
    page = await openPhonePage(context, url)
    const t = await placeCall(page, number)
    if (t) {
      firstInvite.push(t.toInvite)
      firstConnected.push(t.okToConnected)
    }
    if (i < RUNS - 1) await page.close()
  }
  // Later calls of the same page.
  const toInvite: number[] = []
  const okToConnected: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t = await placeCall(page, number)
    if (t) {
      toInvite.push(t.toInvite)
      okToConnected.push(t.okToConnected)
    }
  }

  // Likewise one inbound call before measuring: the server process's first inbound call runs cold code paths.
  {
    const warmCall = sandbox.phone.call(companyNumber, { timeoutMs: 60_000 })
    await page.locator('.rl-incoming-card[data-state="ringing"]').waitFor({ timeout: 30_000 })
    await warmCall.hangup()
    await warmCall.result
    await page
      .locator('.rl-incoming-card[data-state="ringing"]')
      .waitFor({ state: 'detached', timeout: 30_000 })
  }
  const toOverlay: number[] = []
  for (let i = 0; i < RUNS; i++) {
    await stampWhen(page, '.rl-incoming-card[data-state="ringing"]', 'ringline_bench_ringing')
    const call = sandbox.phone.call(companyNumber, { timeoutMs: 60_000 })
    await page.locator('.rl-incoming-card[data-state="ringing"]').waitFor({ timeout: 30_000 })
    const visibleAt = await stampOf(page, 'ringline_bench_ringing')
    await call.hangup()
    const result = await call.result
    toOverlay.push(visibleAt - result.invitedAt)
    await page
      .locator('.rl-incoming-card[data-state="ringing"]')
      .waitFor({ state: 'detached', timeout: 30_000 })
  }

  console.log('call setup on the sandbox, in Chromium (wall clock of one machine)')
  report("outbound: click → INVITE, a page's first call", firstInvite)
  report('outbound: click → INVITE, later calls', toInvite)
  report('outbound: 200 OK → "connected", a page\'s first', firstConnected)
  report('outbound: 200 OK → "connected", later calls', okToConnected)
  report('outbound: click → INVITE, all calls', [...firstInvite, ...toInvite])
  report('outbound: 200 OK → "connected", all calls', [...firstConnected, ...okToConnected])
  report('inbound: INVITE sent → overlay visible', toOverlay)
  await Promise.all(off.map((unsubscribe) => unsubscribe()))
} finally {
  await browser.close()
  await app?.stop()
  await sandbox.stop()
}
