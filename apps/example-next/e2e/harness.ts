import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectSandbox } from '@ringline/sandbox'
import type {} from '@ringline/sandbox/vitest'
import { RINGLINE_ROOM_PREFIXES } from '@ringline/server'
import type { BrowserContext, Page } from 'playwright-core'
import { inject } from 'vitest'
import { type RunningApp, startApp } from './app'
import { launchBrowser, type TestBrowser } from './browser'

/** The example app on the sandbox, a browser, and helpers to sign in demo users. */
export interface E2E {
  app: RunningApp
  browser: TestBrowser
  sandbox: E2ESandbox
  /**
   * A new browser context signed in as a demo user (own cookies, own fake microphone). `realPrompts`: in a second
   * Chromium without the fake permission UI and autoplay switches, nothing granted (see `launchBrowser`).
   */
  signIn(
    userId: string,
    options?: { realPrompts?: boolean },
  ): Promise<{ context: BrowserContext; page: Page }>
  close(): Promise<void>
}

/** The run's shared sandbox, or one a test started for itself (a drill that kills its processes). */
type E2ESandbox = ReturnType<typeof connectSandbox>

/**
 * Starts the example app wired to the sandbox (LiveKit env, webhooks relayed to the app) and Chromium. `sandbox`:
 * a sandbox of the test's own instead of the run's (closing the E2E then stops it too).
 */
export async function startE2E(options: {
  port: number
  env?: Record<string, string>
  sandbox?: E2ESandbox
}): Promise<E2E> {
  const sandbox = options.sandbox ?? connectSandbox(inject('ringlineSandbox'))
  const dataDir = mkdtempSync(join(tmpdir(), 'ringline-example-'))
  const app = await startApp({
    port: options.port,
    env: {
      LIVEKIT_URL: sandbox.livekit.wsUrl,
      LIVEKIT_API_KEY: sandbox.livekit.apiKey,
      LIVEKIT_API_SECRET: sandbox.livekit.apiSecret,
      LIVEKIT_SIP_OUTBOUND_TRUNK_ID: sandbox.sip.outboundTrunkId,
      RINGLINE_CALLER_ID: sandbox.sip.callerId,
      RINGLINE_DATA_DIR: dataDir,
      // The demo tenant's company number: the one free sandbox number the server tests don't use.
      RINGLINE_DEMO_NUMBERS: `acme=${sandbox.sip.freeNumbers[1]}`,
      ...options.env,
    },
  })
  // The demo company number is provisioned when the server first loads Ringline: wait for it, or a phone calling
  // it at once meets no trunk (livekit-sip answers "flood").
  const ready = await fetch(`${app.url}/api/demo/ready`, { signal: AbortSignal.timeout(60_000) })
  if (!ready.ok) throw new Error(`example app not ready (${ready.status}):\n${app.logs()}`)
  const webhookUrl = `${app.url}/api/ringline/webhooks/livekit`
  const unsubscribe = await Promise.all(
    RINGLINE_ROOM_PREFIXES.map((roomPrefix) => sandbox.webhooks.forward(webhookUrl, { roomPrefix })),
  )
  const browser = await launchBrowser()
  let realBrowser: Promise<TestBrowser> | null = null
  const contexts: BrowserContext[] = []
  return {
    app,
    browser,
    sandbox,
    async signIn(userId, options = {}) {
      if (options.realPrompts && !realBrowser) realBrowser = launchBrowser({ realPrompts: true })
      const from = options.realPrompts && realBrowser ? await realBrowser : browser
      const context = await from.newContext()
      contexts.push(context)
      const res = await context.request.post(`${app.url}/api/demo/session`, { data: { userId } })
      if (!res.ok()) throw new Error(`sign-in as ${userId} failed: ${res.status()}`)
      const page = await context.newPage()
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning' || process.env.RINGLINE_E2E_DEBUG)
          console.log(`[${userId}] ${message.type()}: ${message.text()}`)
      })
      page.on('response', async (response) => {
        if (response.status() >= 400)
          console.log(
            `[${userId}] ${response.status()} ${response.request().method()} ${response.url()}: ${(await response.text().catch(() => '')).slice(0, 300)}`,
          )
      })
      page.on('pageerror', (error) => console.log(`[${userId}] pageerror: ${error.message}`))
      return { context, page }
    },
    async close() {
      await Promise.all(contexts.map((context) => context.close().catch(() => undefined)))
      await browser.close()
      await (await realBrowser)?.close()
      await Promise.all(unsubscribe.map((off) => off()))
      await sandbox.stop()
      await app.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Opens a page of the signed-in app and waits until React has hydrated it. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url)
  await page.locator('header[data-hydrated]').waitFor({ timeout: 30_000 })
  // Ringline's lazy components hydrate after the page, once their body module has loaded: a click on a
  // server-rendered control before that reaches no handler. Wait until React owns every control on the page.
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('button, input, select, textarea')].every((el) =>
        Object.keys(el).some((key) => key.startsWith('__reactFiber$')),
      ),
    null,
    { timeout: 30_000 },
  )
}

/**
 * Loudest RMS level (0..1) of the remote audio a page plays, measured with Web Audio on the media streams of
 * its `<audio>` elements over `ms` milliseconds. Chromium's fake microphone beeps, so a live call measures > 0.
 */
export async function remoteAudioLevel(page: Page, ms = 2_000): Promise<number> {
  return page.evaluate(async (duration) => {
    const streams = [...document.querySelectorAll('audio')]
      .map((el) => el.srcObject)
      .filter((s): s is MediaStream => s instanceof MediaStream && s.getAudioTracks().length > 0)
    if (streams.length === 0) return 0
    const ctx = new AudioContext()
    await ctx.resume()
    const analysers = streams.map((stream) => {
      const analyser = ctx.createAnalyser()
      analyser.fftSize = 2048
      ctx.createMediaStreamSource(stream).connect(analyser)
      return analyser
    })
    const buffer = new Float32Array(2048)
    let peak = 0
    const end = performance.now() + duration
    while (performance.now() < end) {
      for (const analyser of analysers) {
        analyser.getFloatTimeDomainData(buffer)
        let sum = 0
        for (const v of buffer) sum += v * v
        peak = Math.max(peak, Math.sqrt(sum / buffer.length))
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await ctx.close()
    return peak
  }, ms)
}
