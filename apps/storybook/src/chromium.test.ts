// @vitest-environment node
// Every story of the built Storybook in real Chromium, light and dark: it renders a Ringline component, raises no
// page error, and axe finds no violation — colour contrast included, which jsdom cannot compute.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM_BASE_ARGS, CHROMIUM_PATH, FAKE_MEDIA_DEVICE_ARG } from '../../../test/chromium'

const app = join(import.meta.dirname, '..')
const dist = join(app, 'storybook-static')
const axeSource = readFileSync(join(app, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}
/** Page-level rules that do not apply to a component rendered alone on a page. */
const PAGE_RULES = ['region', 'landmark-one-main', 'page-has-heading-one', 'landmark-unique']
const SCHEMES = ['light', 'dark'] as const

let server: Server
let base: string
let browser: Browser

/** RINGLINE_STORIES=<regexp> narrows a local run to matching story ids (CI runs them all). */
const only = process.env.CI ? null : process.env.RINGLINE_STORIES

/** Story ids of the built Storybook (docs pages left out). */
function storyIds(): string[] {
  if (!existsSync(join(dist, 'index.json'))) {
    // CI builds Storybook before the tests; a local run of this file alone builds it here (~20 s).
    execFileSync('pnpm', ['build'], { cwd: app, stdio: 'inherit' })
  }
  const index = JSON.parse(readFileSync(join(dist, 'index.json'), 'utf8')) as {
    entries: Record<string, { id: string; type: string }>
  }
  return Object.values(index.entries)
    .filter((e) => e.type === 'story' && (!only || new RegExp(only).test(e.id)))
    .map((e) => e.id)
}

const ids = storyIds()

beforeAll(async () => {
  server = createServer((request, res) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    )
    const file = join(dist, path === '/' ? 'index.html' : path)
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    res.end(readFileSync(file))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    // A fake device so components that list microphones find one.
    args: [...CHROMIUM_BASE_ARGS, FAKE_MEDIA_DEVICE_ARG, '--use-fake-ui-for-media-stream'],
  })
})

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => server?.close(resolve))
})

/**
 * Shows a story in the already loaded preview through Storybook's own channel (no reload: the bundle loads once per
 * page) and resolves when it has rendered and its play function has finished, or with the error it raised.
 */
async function showStory(page: Page, id: string): Promise<string | null> {
  return page.evaluate(
    (storyId) =>
      new Promise<string | null>((resolve) => {
        type Channel = {
          on(event: string, fn: (payload: unknown) => void): void
          off(event: string, fn: (payload: unknown) => void): void
          emit(event: string, payload: unknown): void
        }
        const channel = (window as unknown as { __STORYBOOK_ADDONS_CHANNEL__: Channel })
          .__STORYBOOK_ADDONS_CHANNEL__
        const events: Record<string, (payload: unknown) => string | null> = {
          storyRendered: () => null,
          storyErrored: (p) => `story errored: ${JSON.stringify(p).slice(0, 300)}`,
          storyThrewException: (p) => `story threw: ${(p as { message?: string })?.message ?? String(p)}`,
          playFunctionThrewException: (p) =>
            `play function threw: ${(p as { message?: string })?.message ?? String(p)}`,
          storyMissing: () => 'story missing',
        }
        const handlers = Object.entries(events).map(([event, toResult]) => {
          const handler = (payload: unknown) => {
            for (const [e, h] of handlers) channel.off(e, h)
            clearTimeout(timer)
            resolve(toResult(payload))
          }
          return [event, handler] as const
        })
        const timer = setTimeout(() => {
          for (const [e, h] of handlers) channel.off(e, h)
          resolve('not rendered within 20 s')
        }, 20_000)
        for (const [e, h] of handlers) channel.on(e, h)
        channel.emit('setCurrentStory', { storyId, viewMode: 'story' })
      }),
    id,
  )
}

describe.each(SCHEMES)('stories in Chromium, %s', (scheme) => {
  it(`every story renders without page errors and passes axe with colour contrast (${ids.length} stories)`, async () => {
    expect(ids.length).toBeGreaterThan(only ? 0 : 50)
    const context = await browser.newContext({ colorScheme: scheme })
    const problems: string[] = []
    const queue = [...ids]
    const worker = async () => {
      const page = await context.newPage()
      let errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      /** Loads the preview (again, after a reload it did by itself) with axe in it. */
      const load = async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            // No story in the URL: every story, the first included, is then shown through the channel (asking for
            // the story already shown renders nothing and reports nothing).
            await page.goto(`${base}/iframe.html?viewMode=story&globals=theme:${scheme}`)
            await page.waitForFunction(() => '__STORYBOOK_ADDONS_CHANNEL__' in window, null, {
              timeout: 15_000,
            })
            await page.addScriptTag({ content: axeSource })
            return
          } catch (error) {
            if (attempt >= 3) throw error
            await page.waitForLoadState('load').catch(() => {})
          }
        }
      }
      /** One story: shown, found, checked with axe; the problems it has. */
      const check = async (id: string): Promise<string[]> => {
        errors = []
        const failure = await showStory(page, id)
        if (failure) return [`${id}: ${failure}`]
        if ((await page.locator('[class*="rl-"][data-state]').count()) === 0)
          return [`${id}: no Ringline component with data-state rendered`]
        const violations = await page.evaluate(async (disabled) => {
          const axe = (window as unknown as { axe: typeof import('axe-core') }).axe
          const result = await axe.run(
            { exclude: [['#storybook-docs']] },
            { rules: Object.fromEntries(disabled.map((rule) => [rule, { enabled: false }])) },
          )
          return result.violations.map(
            (v) =>
              `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`).join('; ')}`,
          )
        }, PAGE_RULES)
        return [...violations.map((v) => `${id}: ${v}`), ...errors.map((e) => `${id}: page error: ${e}`)]
      }
      await load()
      for (let id = queue.shift(); id; id = queue.shift()) {
        try {
          problems.push(...(await check(id)))
        } catch (error) {
          // MSW's service worker may reload a page once while it takes control: load again, check the story again.
          if (!/Execution context was destroyed|navigation/i.test(String(error))) throw error
          await load()
          problems.push(...(await check(id)))
        }
      }
      await page.close()
    }
    // One page: pages sharing MSW's service worker reload each other while it takes control.
    await worker()
    await context.close()
    expect(problems).toEqual([])
  }, 600_000)
})
