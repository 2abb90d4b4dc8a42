// What a person meets first, in a Chromium WITHOUT the switches the other e2e tests use: no fake permission UI (the
// microphone must be asked for; the test answers as the person would, with CDP `Browser.grantPermissions` /
// `Browser.setPermission`), and the browser's own autoplay policy (sound blocked until a gesture). The fake microphone
// device (`--use-fake-device-for-media-stream`) stays so there is something to record.
import { describeWithSip } from '@ringline/sandbox/vitest'
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type E2E, open, remoteAudioLevel, startE2E } from './harness'

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({ port: Number(process.env.RINGLINE_E2E_READY_PORT ?? 3107) })
})

afterAll(async () => {
  await e2e?.close()
})

/** Set the microphone permission of the app's origin in this context, as the person would in the browser's UI. */
async function microphone(context: BrowserContext, page: Page, setting: 'granted' | 'denied' | 'prompt') {
  const target = await context.newCDPSession(page)
  const { targetInfo } = (await target.send('Target.getTargetInfo')) as {
    targetInfo: { browserContextId: string }
  }
  await target.detach()
  // Chromium drops a session's permission overrides when that session detaches: keep one open per browser.
  const owner = context.browser()!
  let browser = browserSessions.get(owner)
  if (!browser) {
    browser = await owner.newBrowserCDPSession()
    browserSessions.set(owner, browser)
  }
  const origin = e2e.app.url
  const browserContextId = targetInfo.browserContextId
  if (setting === 'granted')
    await browser.send('Browser.grantPermissions', {
      permissions: ['audioCapture'],
      origin,
      browserContextId,
    })
  else
    await browser.send('Browser.setPermission', {
      permission: { name: 'microphone' },
      setting,
      origin,
      browserContextId,
    })
}

const browserSessions = new Map<Browser, CDPSession>()

const permissionStep = (page: Page) => page.locator('.rl-ready-step[data-step="permission"]')

describe('microphone permission as a person meets it (no fake permission UI)', () => {
  it('first visit: the browser has not been asked (prompt), then the person allows it (granted); the check passes', async () => {
    const { context, page } = await e2e.signIn('alice', { realPrompts: true })
    await open(page, `${e2e.app.url}/ready`)
    await expect(
      page.evaluate(() =>
        navigator.permissions.query({ name: 'microphone' as PermissionName }).then((s) => s.state),
      ),
    ).resolves.toBe('prompt')
    await expect.poll(() => permissionStep(page).getAttribute('data-state')).toBe('pending')
    await expect(permissionStep(page).textContent()).resolves.toContain(
      'Not allowed yet: your browser will ask.',
    )

    await microphone(context, page, 'granted')
    // The permission change reaches the page (permissionchange) without a reload.
    await expect
      .poll(() => permissionStep(page).getAttribute('data-state'), { timeout: 10_000 })
      .toBe('passed')
    await expect(permissionStep(page).textContent()).resolves.toContain('The microphone is allowed.')

    const history = () =>
      page.evaluate(async () => {
        const res = await fetch('/api/ringline/calls?limit=100')
        return ((await res.json()) as { calls: Array<{ id: string }> }).calls.map((c) => c.id)
      })
    const before = await history()
    await page.getByRole('button', { name: 'Run the check' }).click()
    const card = page.locator('.rl-ready-check')
    await expect
      .poll(() => card.getAttribute('data-state'), { timeout: 45_000 })
      .toMatch(/^(ready|degraded)$/)
    for (const step of ['permission', 'microphone', 'speaker'])
      await expect(
        page.locator(`.rl-ready-step[data-step="${step}"]`).getAttribute('data-state'),
      ).resolves.toBe('passed')
    // The connection step connected and published the fake microphone to the sandbox's LiveKit.
    await expect(
      page.locator('.rl-ready-step[data-step="connection"]').getAttribute('data-state'),
    ).resolves.toMatch(/^(passed|warning)$/)
    await expect(page.locator('.rl-ready-step[data-step="connection"]').textContent()).resolves.toMatch(
      /Connected/,
    )
    // The check ran in the server's private test room (POST /ready-check): History gained no call. (Its webhooks
    // reach the app like any room's; give them a moment to prove they write nothing.)
    await new Promise((r) => setTimeout(r, 2_000))
    await expect(history()).resolves.toEqual(before)
    // The README's screenshots come from here: RINGLINE_SCREENSHOTS_DIR=packages/react/docs (light and dark).
    const shots = process.env.RINGLINE_SCREENSHOTS_DIR
    if (shots) {
      await page.setViewportSize({ width: 720, height: 900 })
      await card.screenshot({ path: `${shots}/ready-check-light.png`, animations: 'disabled' })
      await page.emulateMedia({ colorScheme: 'dark' })
      await card.screenshot({ path: `${shots}/ready-check-dark.png`, animations: 'disabled' })
    }
  })

  it('denied: the recovery text for Chrome, then allowed after a permission change, without a reload', async () => {
    const { context, page } = await e2e.signIn('bob', { realPrompts: true })
    await page.goto(`${e2e.app.url}/`)
    await microphone(context, page, 'denied')
    await open(page, `${e2e.app.url}/ready`)
    await expect
      .poll(() => permissionStep(page).getAttribute('data-state'), { timeout: 10_000 })
      .toBe('failed')
    const fix = permissionStep(page).locator('.rl-ready-step-fix')
    await expect(fix.textContent()).resolves.toContain(
      'Click the site controls icon left of the address bar, set Microphone to Allow, then reload the page.',
    )

    await microphone(context, page, 'granted')
    await expect
      .poll(() => permissionStep(page).getAttribute('data-state'), { timeout: 10_000 })
      .toBe('passed')
    await expect(fix.count()).resolves.toBe(0)
  })
})

/** Taps every AudioContext's output: a page script that measures what the page sends to its speakers. */
const AUDIO_TAP = `(() => {
  const taps = []
  const connect = AudioNode.prototype.connect
  AudioNode.prototype.connect = function (destination, ...rest) {
    const result = connect.call(this, destination, ...rest)
    if (destination instanceof AudioDestinationNode) {
      let tap = taps.find((t) => t.context === this.context)
      if (!tap) {
        const analyser = this.context.createAnalyser()
        analyser.fftSize = 2048
        tap = { context: this.context, analyser }
        taps.push(tap)
      }
      connect.call(this, tap.analyser)
    }
    return result
  }
  const buffer = new Float32Array(2048)
  window.__ringlineAudioTap = {
    states: () => taps.map((t) => t.context.state),
    level: () => {
      let peak = 0
      for (const { analyser } of taps) {
        analyser.getFloatTimeDomainData(buffer)
        let sum = 0
        for (const v of buffer) sum += v * v
        peak = Math.max(peak, Math.sqrt(sum / buffer.length))
      }
      return peak
    },
  }
})()`

/** The loudest level the page sends to its speakers over `ms`. */
async function outputLevel(page: Page, ms = 3_000): Promise<number> {
  return page.evaluate(async (duration) => {
    const tap = (window as unknown as { __ringlineAudioTap: { level(): number } }).__ringlineAudioTap
    let peak = 0
    const end = performance.now() + duration
    while (performance.now() < end) {
      peak = Math.max(peak, tap.level())
      await new Promise((r) => setTimeout(r, 50))
    }
    return peak
  }, ms)
}

/**
 * Evaluate in the page over CDP without a user gesture. Playwright's own evaluations (and locator queries) run with
 * `userGesture: true`, which gives the page the very activation this test must not have before the click.
 */
async function quietly<T>(cdp: CDPSession, expression: string): Promise<T> {
  const { result, exceptionDetails } = (await cdp.send('Runtime.evaluate', {
    expression,
    returnByValue: true,
    awaitPromise: true,
  })) as { result: { value: T }; exceptionDetails?: { text: string } }
  if (exceptionDetails) throw new Error(exceptionDetails.text)
  return result.value
}

/** Poll `expression` (no user gesture) until it is truthy. */
async function quietlyWait(cdp: CDPSession, expression: string, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs
  while (!(await quietly<boolean>(cdp, `Boolean(${expression})`))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describeWithSip('autoplay blocked (the browser’s own policy)', () => {
  it('the overlay rings visibly with "Enable sound"; one click makes the ringtone audible', async () => {
    const { context, page } = await e2e.signIn('alice', { realPrompts: true })
    await context.addInitScript(AUDIO_TAP)
    const cdp = await context.newCDPSession(page)
    // No click, key or gesture-carrying evaluation on this document: the browser blocks sound.
    await page.goto(`${e2e.app.url}/history`)
    await quietlyWait(cdp, "document.querySelector('header[data-hydrated]')")
    await expect(quietly(cdp, 'navigator.userActivation.hasBeenActive')).resolves.toBe(false)
    // Known before anything rings: the page shows the "Enable sound" step already.
    await quietlyWait(cdp, 'document.querySelector(\'.demo-main > .rl-enable-sound[data-state="blocked"]\')')
    await new Promise((resolve) => setTimeout(resolve, 1_500))

    const call = e2e.sandbox.phone.call(e2e.sandbox.sip.freeNumbers[1] as string, { timeoutMs: 60_000 })
    const ringing = '.rl-incoming[data-rings-here] .rl-incoming-card[data-state="ringing"]'
    await quietlyWait(cdp, `document.querySelector('${ringing}')`)
    // Visible: laid out, on screen, not hidden.
    await expect(
      quietly(
        cdp,
        `(() => { const r = document.querySelector('${ringing}').getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.top < innerHeight })()`,
      ),
    ).resolves.toBe(true)
    await quietlyWait(
      cdp,
      `[...document.querySelectorAll('.rl-incoming button')].some((b) => b.textContent === 'Enable sound')`,
    )
    // The ringtone is scheduled on a context the browser keeps suspended: nothing reaches the speakers.
    await expect(quietly<string[]>(cdp, 'window.__ringlineAudioTap.states()')).resolves.toContain('suspended')
    await expect(quietly(cdp, 'window.__ringlineAudioTap.level()')).resolves.toBe(0)
    await expect(quietly(cdp, 'navigator.userActivation.hasBeenActive')).resolves.toBe(false)

    // One click on "Enable sound".
    const enable = page.locator('.rl-incoming').getByRole('button', { name: 'Enable sound' })
    await enable.click()
    // One click unblocks everything: both steps (the page's and the overlay's) go.
    await expect
      .poll(() => page.getByRole('button', { name: 'Enable sound' }).count(), { timeout: 10_000 })
      .toBe(0)
    await expect
      .poll(() =>
        page.evaluate(() =>
          (window as never as { __ringlineAudioTap: { states(): string[] } }).__ringlineAudioTap.states(),
        ),
      )
      .not.toContain('suspended')
    // The ringtone (400 + 450 Hz, 0.4 s on, 0.2 off, 0.4 on, 2 s off) now plays: measured over one whole cadence.
    await expect.poll(() => outputLevel(page, 3_200), { timeout: 20_000 }).toBeGreaterThan(0.01)

    await call.hangup()
    await page.locator(ringing).waitFor({ state: 'detached', timeout: 30_000 })
  })
})

describeWithSip('autoplay blocked, calling out from the Dialer', () => {
  it('needs no "Enable sound": pressing Call is the gesture; the call’s audio plays at once', async () => {
    const { context, page } = await e2e.signIn('alice', { realPrompts: true })
    await context.addInitScript(AUDIO_TAP)
    await microphone(context, page, 'granted')
    const cdp = await context.newCDPSession(page)
    await page.goto(`${e2e.app.url}/phone`)
    await quietlyWait(cdp, "document.querySelector('header[data-hydrated]')")
    await expect(quietly(cdp, 'navigator.userActivation.hasBeenActive')).resolves.toBe(false)
    // Sound is blocked, and the page says so before any call.
    await quietlyWait(cdp, 'document.querySelector(\'.demo-main > .rl-enable-sound[data-state="blocked"]\')')

    // As a person does it: click the field, type the number, click Call. No other click.
    await page.getByLabel('Phone number').click()
    await page.keyboard.type(e2e.sandbox.phone.numbers.answer)
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })

    // The gesture unblocked sound: no "Enable sound" anywhere, the Web Audio contexts run, and every remote audio
    // element plays (not paused by the autoplay policy).
    await expect
      .poll(() => page.getByRole('button', { name: 'Enable sound' }).count(), { timeout: 10_000 })
      .toBe(0)
    await expect(page.locator('.rl-enable-sound').count()).resolves.toBe(0)
    await expect
      .poll(() =>
        page.evaluate(() =>
          (window as never as { __ringlineAudioTap: { states(): string[] } }).__ringlineAudioTap.states(),
        ),
      )
      .not.toContain('suspended')
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const playing = [...document.querySelectorAll('audio')].filter(
              (a) => a.srcObject instanceof MediaStream,
            )
            return playing.length > 0 && playing.every((a) => !a.paused)
          }),
        { timeout: 15_000 },
      )
      .toBe(true)
    // The phone echoes the fake microphone's beeps back: the call is heard.
    await expect.poll(() => remoteAudioLevel(page), { timeout: 20_000 }).toBeGreaterThan(0.01)

    await page
      .getByRole('button', { name: /hang up/i })
      .first()
      .click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })
  })
})

describe('network quality warnings (CDP network emulation on a live team room)', () => {
  it('a lossy, slow network raises warnings as text; they clear once the network is good again', async () => {
    const room = `net-${Date.now().toString(36)}`
    const alice = await e2e.signIn('alice', { realPrompts: true })
    const bob = await e2e.signIn('bob', { realPrompts: true })
    // Chromium applies WebRTC network emulation to peer connections made after it is set (and lifts it from them
    // when cleared): Alice's network is bad from before she joins.
    const cdp = await alice.context.newCDPSession(alice.page)
    await cdp.send('Network.enable')
    const conditions = (latency: number, packetLoss: number) =>
      cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency,
        downloadThroughput: -1,
        uploadThroughput: -1,
        packetLoss,
        packetQueueLength: 0,
        packetReordering: false,
      })
    for (const { context, page } of [bob, alice]) {
      await page.goto(`${e2e.app.url}/`)
      await microphone(context, page, 'granted')
      await open(page, `${e2e.app.url}/team`)
      if (page === alice.page) await conditions(600, 30)
      await page.getByLabel('Room name').fill(room)
      await page.getByRole('button', { name: 'Join room' }).click()
      await page.locator('.rl-internal-call[data-state="connected"]').waitFor({ timeout: 45_000 })
    }
    const warnings = alice.page.locator('.rl-network-warnings .rl-network-warning')
    const names = async () =>
      (await warnings.evaluateAll((els) => els.map((el) => el.getAttribute('data-warning')))).sort()
    // 30 % loss and a 1.2 s round trip: the loss is measured (WebRTC stats) and said in words, and the slow line
    // shows as well — as `high-latency`, or as LiveKit's own `poor-network` when its quality score drops first
    // (which of the two the round trip reaches first depends on the machine's load).
    const seen = new Set<string>()
    await expect
      .poll(
        async () => {
          for (const name of await names()) if (name) seen.add(name)
          return seen.has('packet-loss') && (seen.has('high-latency') || seen.has('poor-network'))
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(true)
    await expect.poll(names, { timeout: 30_000, interval: 500 }).toContain('packet-loss')
    const region = alice.page.locator('.rl-network-warnings')
    await expect(region.getAttribute('role')).resolves.toBe('status')
    expect((await region.textContent()) ?? '').toContain('Audio is being lost on your connection.')
    // Bob's line is fine: he sees no warning of his own side.
    await expect(bob.page.locator('.rl-network-warning[data-side="local"]').count()).resolves.toBe(0)

    await conditions(0, 0)
    await expect.poll(names, { timeout: 90_000, interval: 1_000 }).toEqual([])
    await expect(alice.page.locator('.rl-internal-call').getAttribute('data-state')).resolves.toBe(
      'connected',
    )
  })
})
