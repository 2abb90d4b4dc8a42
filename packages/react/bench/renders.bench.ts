// `pnpm --filter @ringline/react bench`: prints figures, asserts nothing (issue #17, "Renders").
// In headless Chromium, with the BUILT @ringline/core and @ringline/react bundled by esbuild (production React, its
// profiling build so <Profiler> counts):
//   1. a connected call nobody touches (CallControls, Dialer, IncomingCallOverlay): React commits a second, goal ≤ 1;
//   2. CallHistory over 10,000 calls scrolled to its end: frame rate, goal ≥ 55 fps, beside an empty page's rAF loop.
import { execSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { extname, join } from 'node:path'
import { build } from 'esbuild'
import { chromium, type Page } from 'playwright-core'
import { CHROMIUM_BASE_ARGS, CHROMIUM_PATH, FAKE_MEDIA_DEVICE_ARG } from '../../../test/chromium'
import type { FrameFigures } from './browser/frames'
import type { HistoryResult } from './browser/history'
import type { InCallResult } from './browser/inCall'

const here = new URL('.', import.meta.url).pathname
const packages = join(here, '../..')
const CALL_SECONDS = 10
const SCROLL_SECONDS = 5
/** A wheel's pace: 15 px a frame (900 px/s at 60 fps), for 3 s. */
const WHEEL_STEP = 15
const WHEEL_SECONDS = 3
const TOTAL_CALLS = 10_000
const PAGE_SIZE = 200

/** Newest modification time under `dir` (tests excluded), ms. */
function newest(dir: string): number {
  let max = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) max = Math.max(max, newest(path))
    else if (!/\.test(-d)?\.tsx?$/.test(entry.name)) max = Math.max(max, statSync(path).mtimeMs)
  }
  return max
}

/** Builds core and react when a dist/ is missing or older than its src/. */
function ensureBuilt() {
  const stale = ['core', 'react'].filter((pkg) => {
    try {
      return statSync(join(packages, pkg, 'dist/index.js')).mtimeMs < newest(join(packages, pkg, 'src'))
    } catch {
      return true
    }
  })
  if (!stale.length) return
  console.log(
    `dist/ missing or older than src/ (${stale.join(', ')}): building @ringline/core and @ringline/react`,
  )
  execSync('pnpm --filter @ringline/core --filter @ringline/react build', { cwd: packages, stdio: 'ignore' })
}

ensureBuilt()
const out = mkdtempSync(join(tmpdir(), 'ringline-renders-'))
await build({
  entryPoints: { inCall: join(here, 'browser/inCall.tsx'), history: join(here, 'browser/history.tsx') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir: out,
  jsx: 'automatic',
  // What users install: dist/ (no `@ringline/source` condition), production React with its profiling renderer.
  alias: { 'react-dom/client': 'react-dom/profiling' },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'error',
})

const types: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' }
const server = createServer((req, res) => {
  const name = new URL(req.url ?? '/', 'http://x').pathname.slice(1)
  const page = /^(inCall|history)\.html$/.exec(name)?.[1]
  const body = page
    ? `<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="${page}.css"></head>` +
      `<body><script type="module" src="${page}.js"></script></body></html>`
    : (() => {
        try {
          return readFileSync(join(out, name.replace(/\.\./g, '')))
        } catch {
          return null
        }
      })()
  if (body === null) {
    res.writeHead(404).end()
    return
  }
  res.writeHead(200, { 'content-type': types[extname(name)] ?? 'application/octet-stream' }).end(body)
})
await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening))
const address = server.address()
const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [...CHROMIUM_BASE_ARGS, FAKE_MEDIA_DEVICE_ARG, '--use-fake-ui-for-media-stream'],
})

/** A fresh page of `name`, its bundle loaded (its `run…` function defined). */
async function open(name: 'inCall' | 'history', query = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 } })
  page.on('pageerror', (error) => console.log(`  page error: ${error.message}`))
  await page.goto(`${origin}/${name}.html${query}`)
  await page.waitForFunction(() => typeof (window.runCallBench ?? window.runHistoryBench) === 'function')
  return page
}

const f1 = (n: number) => n.toFixed(1)
const frames = (r: FrameFigures) =>
  `${f1(r.averageFps)} fps average, ${f1(r.p5Fps)} fps 5th percentile (p95 frame ${f1(r.p95FrameMs)} ms), ` +
  `${r.longFrames} frames > 50 ms (max ${f1(r.maxFrameMs)} ms), ${r.frames} frames in ${f1(r.seconds)} s`

try {
  console.log(
    `\nRenders (issue #17), headless Chromium, production React (profiling build); ` +
      `load average (1 min) ${f1(loadavg()[0]!)}`,
  )

  for (const client of ['real', 'frozen'] as const) {
    const page = await open('inCall', `?client=${client}`)
    const r = (await page.evaluate((s) => window.runCallBench(s), CALL_SECONDS)) as InCallResult
    await page.close()
    const perWidget = Object.entries(r.renders)
      .filter(([id]) => id !== 'app')
      .map(([id, n]) => `${id} ${n}`)
      .join(', ')
    const what =
      client === 'real'
        ? 'real createCallClient over core fakes (events stream open, 2 s link stats)'
        : 'frozen createFakeCallClient'
    console.log(
      `connected call, no input, ${what}: ${f1(r.commits / r.seconds)} commits/s ` +
        `(goal ≤ 1/s): ${r.commits} commits in ${f1(r.seconds)} s (render ${f1(r.meanCommitMs)} ms mean), ` +
        `phase ${r.phase}, timer ${r.timerText}; ` +
        `renders per widget: ${perWidget || 'none'}`,
    )
  }

  const anchor = await open('history')
  const empty = (await anchor.evaluate((s) => window.runEmpty(s), SCROLL_SECONDS)) as FrameFigures
  await anchor.close()
  console.log(`empty page rAF loop (anchor, same machine and run): ${frames(empty)}`)

  for (const [label, options] of [
    ['scrolled to the end', { seconds: SCROLL_SECONDS, maxSeconds: 2 * SCROLL_SECONDS }],
    ["scrolled at a wheel's pace", { seconds: WHEEL_SECONDS, maxSeconds: WHEEL_SECONDS, step: WHEEL_STEP }],
  ] as const) {
    const page = await open('history')
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Performance.enable')
    const metrics = async () =>
      Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]))
    const before = await metrics()
    const h = (await page.evaluate((o) => window.runHistoryBench(o), {
      total: TOTAL_CALLS,
      pageSize: PAGE_SIZE,
      ...options,
    })) as HistoryResult
    const after = await metrics()
    await page.close()
    // Main-thread time a frame (wall time in tasks, so a busy machine inflates it too), ms.
    const perFrame = (name: string) =>
      f1((((after[name] ?? 0) - (before[name] ?? 0)) * 1000) / Math.max(1, h.frames))
    console.log(
      `CallHistory, ${TOTAL_CALLS.toLocaleString('en-US')} calls (pages of ${PAGE_SIZE}) ${label} ` +
        `(${h.step} px a frame)${h.reachedEnd ? '' : `, ${h.rowsLoaded} rows loaded`}: ${frames(h)} ` +
        `(goal ≥ 55 fps); max DOM rows ${h.maxDomRows}, ${h.pagesFetched} pages fetched, ` +
        `${h.commits} commits (${f1(h.commits / Math.max(1, h.frames))} a frame, render ${f1(h.meanCommitMs)} ms mean, ` +
        `${f1(h.maxCommitMs)} ms max); main thread a frame ${perFrame('TaskDuration')} ms ` +
        `(script ${perFrame('ScriptDuration')}, style ${perFrame('RecalcStyleDuration')}, layout ${perFrame('LayoutDuration')})` +
        (h.otherRequests.length ? `; other requests: ${[...new Set(h.otherRequests)].join(', ')}` : ''),
    )
  }
  console.log(`load average (1 min) at the end: ${f1(loadavg()[0]!)} on this machine's CPUs`)
} finally {
  await browser.close()
  server.close()
  rmSync(out, { recursive: true, force: true })
}
