// The example app as a person sees it: its four pages in light and dark, compared with committed screenshots
// (e2e/screenshots/*.png) within a tolerance, plus the checks a screenshot alone would not name (the shell follows
// the theme, a one-row history is one row tall, the Dialer says what the call is doing).
//
// A missing screenshot is written on a local run and fails under CI; RINGLINE_UPDATE_SCREENSHOTS=1 rewrites them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeWithSip } from '@ringline/sandbox/vitest'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type E2E, open, startE2E } from './harness'

const BASELINES = join(import.meta.dirname, 'screenshots')
const UPDATE = process.env.RINGLINE_UPDATE_SCREENSHOTS === '1'
/** A pixel differs when a channel moves more than this (0–255): anti-aliasing stays below it. */
const CHANNEL_TOLERANCE = 48
/**
 * Share of pixels allowed to differ before a screenshot counts as changed. 0.5% let a whole new <select> in the
 * History filter row pass (its face is the panel's colour: only its border and text differ), so: 0.05%, about 450
 * pixels of a 1200×760 page — a label of a few words, not a control.
 */
const MAX_DIFF_RATIO = 0.0005
const SCHEMES = ['light', 'dark'] as const
type Scheme = (typeof SCHEMES)[number]

let e2e: E2E

beforeAll(async () => {
  e2e = await startE2E({ port: 3120 })
})

afterAll(async () => {
  await e2e?.close()
})

/** Differing pixels between two PNGs, counted in the page (Chromium decodes PNG; no image library needed). */
async function comparePng(page: Page, actual: Buffer, expected: Buffer) {
  return page.evaluate(
    async ({ a, b, tolerance }) => {
      const decode = async (base64: string) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
        const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
        const ctx = canvas.getContext('2d')!
        ctx.drawImage(bitmap, 0, 0)
        return {
          width: bitmap.width,
          height: bitmap.height,
          data: ctx.getImageData(0, 0, bitmap.width, bitmap.height).data,
        }
      }
      const [x, y] = await Promise.all([decode(a), decode(b)])
      if (x.width !== y.width || x.height !== y.height)
        return {
          sameSize: false,
          diff: x.width * x.height,
          total: x.width * x.height,
          size: `${x.width}x${x.height} vs ${y.width}x${y.height}`,
        }
      let diff = 0
      for (let i = 0; i < x.data.length; i += 4) {
        if (
          Math.abs(x.data[i]! - y.data[i]!) > tolerance ||
          Math.abs(x.data[i + 1]! - y.data[i + 1]!) > tolerance ||
          Math.abs(x.data[i + 2]! - y.data[i + 2]!) > tolerance
        )
          diff++
      }
      return { sameSize: true, diff, total: x.width * x.height, size: `${x.width}x${x.height}` }
    },
    { a: actual.toString('base64'), b: expected.toString('base64'), tolerance: CHANNEL_TOLERANCE },
  )
}

/** Screenshots the page and compares it with its committed baseline. */
async function expectScreenshot(page: Page, name: string, mask: string[] = []) {
  await page.evaluate(() => document.fonts.ready)
  // Before any click the page offers "Enable sound" or not depending on whether the harness's own calls counted
  // as a user gesture: that step is left out of the screenshots (ready.e2e.test.ts tests it in a browser that
  // blocks autoplay).
  await page.addStyleTag({ content: '.rl-enable-sound { display: none !important; }' })
  const actual = await page.screenshot({
    fullPage: true,
    animations: 'disabled',
    caret: 'hide',
    mask: mask.map((selector) => page.locator(selector)),
  })
  const file = join(BASELINES, `${name}.png`)
  if (UPDATE || !existsSync(file)) {
    if (process.env.CI && !UPDATE)
      throw new Error(`no baseline screenshot ${file}: run the test locally and commit it`)
    mkdirSync(BASELINES, { recursive: true })
    writeFileSync(file, actual)
    return
  }
  const result = await comparePng(page, actual, readFileSync(file))
  console.info(`[screenshots] ${name}: ${result.diff} of ${result.total} pixels differ (${result.size})`)
  if (!result.sameSize || result.diff / result.total > MAX_DIFF_RATIO) {
    const out = join(tmpdir(), `ringline-screenshot-${name}.png`)
    writeFileSync(out, actual)
    throw new Error(
      `${name}: ${result.diff} of ${result.total} pixels differ (${result.size}); this run's screenshot is ${out}. ` +
        'If the change is intended, rerun with RINGLINE_UPDATE_SCREENSHOTS=1 and commit e2e/screenshots.',
    )
  }
}

/** Relative luminance (0 dark … 1 light) of a computed CSS colour. */
async function luminance(page: Page, selector: string, property: 'background-color' | 'color') {
  return page
    .locator(selector)
    .first()
    .evaluate((el, prop) => {
      const canvas = document.createElement('canvas').getContext('2d')!
      canvas.fillStyle = getComputedStyle(el).getPropertyValue(prop)
      canvas.fillRect(0, 0, 1, 1)
      const [r, g, b] = canvas.getImageData(0, 0, 1, 1).data
      const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4)
      return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!)
    }, property)
}

/** Contexts of the running test, closed after it (each open page holds an `/events` stream of bob's). */
const openContexts: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(openContexts.splice(0).map((c) => c.close().catch(() => undefined)))
})

async function signedIn(scheme: Scheme) {
  const { context, page } = await e2e.signIn('bob')
  openContexts.push(context)
  await page.setViewportSize({ width: 1200, height: 760 })
  await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' })
  return page
}

describe('the example app in light and dark', () => {
  for (const scheme of SCHEMES) {
    it(`${scheme}: the shell follows the theme with the components`, async () => {
      const page = await signedIn(scheme)
      await open(page, `${e2e.app.url}/phone`)
      await page.locator('.rl-dialer').waitFor()
      const body = await luminance(page, 'body', 'background-color')
      const header = await luminance(page, '.demo-header', 'background-color')
      const dialer = await luminance(page, '.rl-dialer-input', 'background-color')
      const link = await luminance(page, '.demo-header nav a', 'color')
      if (scheme === 'dark') {
        // Dark panels on a dark page, light text on it: not dark panels on a white page.
        expect(body).toBeLessThan(0.05)
        expect(header).toBeLessThan(0.05)
        expect(dialer).toBeLessThan(0.1)
        expect(link).toBeGreaterThan(0.3)
      } else {
        expect(body).toBeGreaterThan(0.9)
        expect(header).toBeGreaterThan(0.8)
        expect(link).toBeLessThan(0.3)
      }
      await expectScreenshot(page, `phone-${scheme}`)
    })

    it(`${scheme}: team room and settings`, async () => {
      const page = await signedIn(scheme)
      await open(page, `${e2e.app.url}/team`)
      await page.locator('.rl-internal-call').waitFor()
      await expectScreenshot(page, `team-${scheme}`)
      await open(page, `${e2e.app.url}/settings`)
      const card = page.locator('.rl-voice-settings')
      await card.waitFor()
      // Loaded: past "Checking…" and not busy (the page keeps its /events stream open, so no network idle).
      await page.waitForFunction(() => {
        const el = document.querySelector('.rl-voice-settings')
        const voice = document.querySelector('.rl-voice-config')
        return (
          !!el &&
          el.getAttribute('data-status') !== 'loading' &&
          el.getAttribute('aria-busy') !== 'true' &&
          !!voice &&
          voice.getAttribute('data-state') !== 'loading'
        )
      })
      await expectScreenshot(page, `settings-${scheme}`)
    })
  }
})

describeWithSip('the example app with a call in its history', () => {
  it('says "Calling…" only while the call is set up, and the history of one call is one row tall', async () => {
    const page = await signedIn('light')
    await open(page, `${e2e.app.url}/phone`)
    await page.getByLabel('Phone number').fill(e2e.sandbox.phone.numbers.answer)
    await page.getByRole('button', { name: 'Call', exact: true }).click()
    await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 30_000 })
    const dialer = page.locator('.rl-dialer')
    await expect.poll(() => dialer.getAttribute('data-state')).toBe('in-call')
    await expect(page.locator('.rl-dialer-call').textContent()).resolves.toBe('In a call')
    await page
      .getByRole('button', { name: /hang up/i })
      .first()
      .click()
    await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 30_000 })

    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' })
      await open(page, `${e2e.app.url}/history`)
      const rows = page.locator('.rl-history-row')
      await rows.first().waitFor({ timeout: 30_000 })
      await expect.poll(() => rows.count()).toBe(1)
      const row = await rows.first().boundingBox()
      const viewport = await page.locator('.rl-history-viewport').boundingBox()
      // No tall empty panel under a single row.
      expect(viewport!.height).toBeLessThan(row!.height * 1.5)
      // Times and durations change from run to run: masked.
      await expectScreenshot(page, `history-${scheme}`, [
        '.rl-history-time',
        '.rl-history-duration',
        '.rl-history-stats dd',
      ])
    }
  })
})
