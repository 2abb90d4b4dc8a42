// Ringline as a consumer gets it: @ringline/core, @ringline/server and @ringline/sandbox packed into tarballs,
// installed with npm into a folder outside the workspace (no workspace links, no source condition), and mounted by
// small host apps (hosts/*.mjs started with plain `node`; hosts/next/, a Next.js App Router app built with
// `next build` and run with `next start`; hosts/express-vite/, an Express server with a page built by `vite build`
// from @ringline/react's tarball; the README's snippets). Each host places one real call on the sandbox:
// livekit-sip dials the sipp phone, the phone answers, LiveKit's webhooks reach the host through the sandbox relay,
// and the host hangs up — the Express + Vite page does it in Chromium, with its Dialer and CallControls. The
// installed sandbox's `npx ringline-sandbox up` prints clean KEY=value lines. `RINGLINE_HOSTS=express-vite,next`
// starts only those hosts (a local run; CI runs all).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { audioLevel, connectSandbox } from '@ringline/sandbox'
import { describeWithSip, sipAvailable } from '@ringline/sandbox/vitest'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { CHROMIUM_BASE_ARGS, CHROMIUM_PATH, FAKE_MEDIA_DEVICE_ARG } from '../../../test/chromium'

const appDir = fileURLToPath(new URL('..', import.meta.url))
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
const hostsDir = join(appDir, 'hosts')
/** A host app: how it is built (if at all) and started in the install folder, with `node`. */
interface HostSpec {
  name: string
  build?: string[]
  start(port: number): string[]
  /** Its calls are placed by its page in Chromium (the browser joins the room), not by this test over HTTP. */
  browser?: boolean
}
const NEXT_BIN = 'node_modules/next/dist/bin/next'
const VITE_BIN = 'node_modules/vite/bin/vite.js'
const ALL_HOSTS: HostSpec[] = [
  ...readdirSync(hostsDir)
    .filter((f) => f.endsWith('.mjs'))
    .sort()
    .map((f) => ({ name: f, start: () => [f] })),
  {
    name: 'next',
    build: [NEXT_BIN, 'build', 'next'],
    start: (port: number) => [NEXT_BIN, 'start', 'next', '--port', String(port), '--hostname', '127.0.0.1'],
  },
  {
    name: 'express-vite',
    build: [VITE_BIN, 'build', 'express-vite', '--logLevel', 'warn'],
    start: () => ['express-vite/server.mjs'],
    browser: true,
  },
]
const only = process.env.RINGLINE_HOSTS?.split(',').map((h) => h.trim())
const HOSTS = only ? ALL_HOSTS.filter((h) => only.includes(h.name)) : ALL_HOSTS
const HOST_DEPS = [
  'express',
  'hono',
  '@hono/node-server',
  'next',
  'react',
  'react-dom',
  'livekit-client',
  'vite',
  '@vitejs/plugin-react',
]
const USER = 'alice'
// biome-ignore lint/suspicious/noExplicitAny: response JSON, asserted field by field
type Json = any

let dir: string
const hosts = new Map<string, RunningHost>()

interface RunningHost {
  base: string
  /** Resolves with the ms from spawn to the first 200 from GET /health; rejects when the host exits first. */
  healthy: Promise<number>
  stop(): Promise<void>
}

/** Starts the host in the install dir with only what a deployment would set: the sandbox's env and PORT. */
function startHost(spec: HostSpec): RunningHost {
  const host = spec.name
  const sandbox = connectSandbox(inject('ringlineSandbox'))
  let output = ''
  let exited: Error | undefined
  const child: { process?: ChildProcess } = {}
  const portReady = freePort()
  const running: RunningHost = {
    base: '',
    healthy: portReady.then(async (port) => {
      running.base = `http://127.0.0.1:${port}`
      const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...sandbox.info.env, PORT: String(port) }
      const proc = spawn(process.execPath, spec.start(port), {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      child.process = proc
      proc.stdout?.on('data', (d) => {
        output += d
      })
      proc.stderr?.on('data', (d) => {
        output += d
      })
      const started = Date.now()
      // Start-up loads the server and opens its embedded PGlite store: seconds, but minutes when the three hosts
      // start together on a loaded 2-core machine (seen: 70-80 s at a load average of 25). A readiness limit only.
      await until(
        `${host}: GET /health answering 200`,
        async () => {
          if (proc.exitCode !== null) exited = new Error(`${host} exited ${proc.exitCode}:\n${output}`)
          if (exited) throw exited
          const res = await fetch(`${running.base}/api/ringline/health`)
          return res.status === 200 ? true : undefined
        },
        180_000,
        () => exited,
      )
      return Date.now() - started
    }),
    async stop() {
      const proc = child.process
      if (proc && proc.exitCode === null) {
        const gone = new Promise((r) => proc.once('exit', r))
        proc.kill('SIGTERM')
        await Promise.race([gone, sleep(5000)])
        if (proc.exitCode === null) proc.kill('SIGKILL')
      }
      if (output.trim()) console.log(`[hosts] ${host} output:\n${output}`)
    },
  }
  running.healthy.catch(() => undefined) // awaited by its suite; no unhandled rejection meanwhile
  return running
}

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** The workspace's version of a host dependency (what this package's devDependencies pin). */
function workspaceVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8'))
  const version = pkg.devDependencies[name]
  if (!version) throw new Error(`apps/hosts/package.json has no devDependency ${name}`)
  return version
}

/** Packs a workspace package into `dest` (pnpm rewrites workspace: and catalog: ranges); returns the tarball's name. */
function pack(pkgDir: string, dest: string): string {
  if (!readdirSync(pkgDir).includes('dist')) {
    run(
      'pnpm',
      [
        '--filter',
        '@ringline/core',
        '--filter',
        '@ringline/server',
        '--filter',
        '@ringline/react',
        '--filter',
        '@ringline/sandbox',
        'build',
      ],
      repoRoot,
    )
  }
  const tarball = run('pnpm', ['pack', '--pack-destination', dest], pkgDir).trim().split('\n').pop()!
  return tarball.split('/').pop()!
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ringline-hosts-'))
  const t0 = Date.now()
  const core = pack(join(repoRoot, 'packages/core'), dir)
  const server = pack(join(repoRoot, 'packages/server'), dir)
  const react = pack(join(repoRoot, 'packages/react'), dir)
  const sandboxTarball = pack(join(repoRoot, 'packages/sandbox'), dir)
  const packed = Date.now()
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'ringline-hosts',
        private: true,
        type: 'module',
        dependencies: {
          '@ringline/core': `file:./${core}`,
          '@ringline/server': `file:./${server}`,
          '@ringline/react': `file:./${react}`,
          '@ringline/sandbox': `file:./${sandboxTarball}`,
          ...Object.fromEntries(HOST_DEPS.map((d) => [d, workspaceVersion(d)])),
        },
        // The server's and react's tarballs depend on @ringline/core@<version>, not on the registry: use the tarball.
        overrides: { '@ringline/core': '$@ringline/core' },
      },
      null,
      2,
    ),
  )
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir)
  const installed = Date.now()
  console.log(
    `[hosts] packed ${core}, ${server}, ${react}, ${sandboxTarball} in ${packed - t0} ms; npm install in ${installed - packed} ms (${dir})`,
  )
  for (const host of HOSTS) cpSync(join(hostsDir, host.name), join(dir, host.name), { recursive: true })
  for (const host of HOSTS) {
    if (!host.build) continue
    try {
      execFileSync(process.execPath, host.build, {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, NEXT_TELEMETRY_DISABLED: '1' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string }
      throw new Error(`building host ${host.name} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`)
    }
  }
  console.log(`[hosts] built the hosts in ${Date.now() - installed} ms`)
  // All hosts start together (start-up is the slow part); each suite below waits for its own.
  if (sipAvailable()) for (const host of HOSTS) hosts.set(host.name, startHost(host))
})

afterAll(async () => {
  await Promise.all([...hosts.values()].map((h) => h.stop()))
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the packed packages', () => {
  it('install from the tarballs, not the workspace', () => {
    const installed = (name: string) =>
      JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8'))
    expect(installed('@ringline/server').version).toBe(
      JSON.parse(readFileSync(join(repoRoot, 'packages/server/package.json'), 'utf8')).version,
    )
    expect(installed('@ringline/core').version).toBe(
      JSON.parse(readFileSync(join(repoRoot, 'packages/core/package.json'), 'utf8')).version,
    )
    // One copy of core: the server's dependency resolved to the top-level tarball (the override), nothing nested.
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'))
    expect(Object.keys(lock.packages).filter((p) => p.endsWith('node_modules/@ringline/core'))).toEqual([
      'node_modules/@ringline/core',
    ])
    expect(lock.packages['node_modules/@ringline/core'].resolved).toMatch(/^file:ringline-core-.*\.tgz$/)
  })

  it("ship a `ringline-sandbox` bin whose `up` prints only KEY=value lines (an outside project attaching to the run's sandbox)", () => {
    const info = inject('ringlineSandbox')
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, RINGLINE_SANDBOX_DIR: info.stateDir }
    const out = execFileSync('npx', ['--no', 'ringline-sandbox', 'up'], {
      cwd: dir,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const lines = out.trimEnd().split('\n')
    for (const line of lines) expect(line).toMatch(/^[A-Z][A-Z0-9_]*=\S*$/)
    expect(
      Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])),
    ).toEqual(info.env)
  })

  it('ship a `ringline` bin that runs', () => {
    // execFileSync throws on a non-zero exit.
    const out = run('npx', ['--no', 'ringline', 'help'], dir)
    expect(out).toMatch(/^Usage: ringline <command>/)
    expect(out).toMatch(/^ {2}migrate /m)
    expect(out).toMatch(/^ {2}doctor /m)
  })
})

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  await new Promise((r) => server.close(r))
  return port
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Polls `fn` until it returns a value; errors are retried, except the one `fatal()` returns. */
async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  fatal: () => Error | undefined = () => undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await fn()
      if (value !== undefined) return value
    } catch (error) {
      if (error === fatal()) throw error
      last = error
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (${last})` : ''}`)
    await sleep(200)
  }
}

for (const { name: host } of HOSTS.filter((h) => !h.browser)) {
  describeWithSip(`host ${host}, from the tarballs, on the sandbox`, () => {
    const sandbox = connectSandbox(inject('ringlineSandbox'))
    let base: string
    let unforward: (() => Promise<void>) | undefined

    // The browser's same-origin headers (as req() in the server's tests), and the user `authorize` reads.
    const headers = () => ({
      origin: base,
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/json',
      'x-user': USER,
    })
    const api = async (
      method: string,
      path: string,
      body?: unknown,
    ): Promise<{ status: number; body: Json }> => {
      const res = await fetch(`${base}/api/ringline${path}`, {
        method,
        headers: headers(),
        ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
      })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : null }
    }

    beforeAll(async () => {
      const running = hosts.get(host)
      if (!running) throw new Error(`${host} was not started`)
      const ms = await running.healthy
      base = running.base
      console.log(`[hosts] ${host} healthy ${ms} ms after start`)
      unforward = await sandbox.webhooks.forward(`${base}/api/ringline/webhooks/livekit`)
    })

    afterAll(async () => {
      await unforward?.()
    })

    it('places an answered call, then hangs it up', async () => {
      const number = sandbox.phone.numbers.answer
      const since = Date.now()
      const created = await api('POST', '/calls', { to: number })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const id: string = created.body.call.id
      expect(created.body.connection).toMatchObject({ token: expect.any(String) })

      // The phone got LiveKit's INVITE and answered it.
      const rang = await sandbox.phone.waitFor(number, (s) => s.calls.some((c) => c.answeredAt !== null), {
        since,
        timeoutMs: 30_000,
      })
      expect(rang.invites).toBeGreaterThanOrEqual(1)

      // The dial result: the record says in-progress.
      const live = await until(`${host}: call ${id} in-progress`, async () => {
        const res = await api('GET', `/calls/${id}`)
        return res.body?.call?.status === 'in-progress' ? res.body.call : undefined
      })
      expect(live.sipCallId).toMatch(/^SCL_/)
      expect(live.answeredAt).not.toBeNull()
      // LiveKit's participant_joined webhook, relayed to the host's webhook route and verified there: outbound
      // calls learn their participants only from webhooks.
      const phoneLeg = await until(`${host}: the phone's participant_joined webhook`, async () => {
        const res = await api('GET', `/calls/${id}`)
        return res.body?.participants?.find((p: Json) => p.kind === 'sip' && p.joinedAt !== null)
      })

      const hung = await api('POST', `/calls/${id}/hangup`)
      expect(hung.status, JSON.stringify(hung.body)).toBe(200)
      expect(hung.body.call).toMatchObject({ status: 'completed', endReason: 'completed' })
      const after = await api('GET', `/calls/${id}`)
      expect(after.body.call).toMatchObject({ status: 'completed' })

      // LiveKit's BYE reached the phone.
      await sandbox.phone.waitFor(number, (s) => s.calls.some((c) => c.endedBy === 'remote'), { since })
      // And the participant_left webhook of the hang-up reached the host too.
      await until(`${host}: the phone's participant_left webhook`, async () => {
        const res = await api('GET', `/calls/${id}`)
        const leg = res.body?.participants?.find((p: Json) => p.identity === phoneLeg.identity)
        return leg?.leftAt ? leg : undefined
      })
    })
  })
}

for (const { name: host } of HOSTS.filter((h) => h.browser)) {
  describeWithSip(`host ${host}, from the tarballs: its page calls in Chromium`, () => {
    const sandbox = connectSandbox(inject('ringlineSandbox'))
    let base: string
    let unforward: (() => Promise<void>) | undefined
    let browser: Browser | undefined

    beforeAll(async () => {
      const running = hosts.get(host)
      if (!running) throw new Error(`${host} was not started`)
      const ms = await running.healthy
      base = running.base
      console.log(`[hosts] ${host} healthy ${ms} ms after start`)
      unforward = await sandbox.webhooks.forward(`${base}/api/ringline/webhooks/livekit`)
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: [
          ...CHROMIUM_BASE_ARGS,
          FAKE_MEDIA_DEVICE_ARG,
          '--use-fake-ui-for-media-stream',
          '--autoplay-policy=no-user-gesture-required',
        ],
      })
    })

    afterAll(async () => {
      await browser?.close()
      await unforward?.()
    })

    it("dials the phone with the page's Dialer, talks, and hangs up with its CallControls", async () => {
      const number = sandbox.phone.numbers.answer
      const since = Date.now()
      const context = await browser!.newContext({ permissions: ['microphone'] })
      // Signed in: the session cookie server.mjs's `authorize` reads.
      await context.addCookies([{ name: 'user', value: USER, url: base }])
      const page = await context.newPage()
      page.on('console', (m) => {
        if (m.type() === 'error') console.log(`[hosts] ${host} page: ${m.text()}`)
      })
      await page.goto(base)
      await page.getByLabel('Phone number').fill(number)
      await page.getByRole('button', { name: 'Call', exact: true }).click()
      // The server waits for this browser in the room, then dials; the phone answers.
      await page.locator('.rl-call-controls[data-state="connected"]').waitFor({ timeout: 60_000 })
      await sandbox.phone.waitFor(number, (s) => s.calls.some((c) => c.answeredAt !== null), {
        since,
        timeoutMs: 30_000,
      })
      // The session cookie is the user `authorize` reads: the record is Alice's, in progress.
      const latest = async (): Promise<Json> => {
        const res = await context.request.get(`${base}/api/ringline/calls?limit=5`)
        return ((await res.json()) as Json).calls?.find((c: Json) => c.toNumber === number)
      }
      await until(`${host}: the call in-progress`, async () =>
        (await latest())?.status === 'in-progress' ? true : undefined,
      )
      expect(await latest()).toMatchObject({ direction: 'outbound', createdBy: USER })
      // The browser's (fake) microphone reaches the phone.
      await sleep(3_000)
      const heard = (await sandbox.phone.received(number, { since })).calls
      expect(audioLevel(heard[heard.length - 1]!.audio, Date.now() - 2_500, Date.now())).toBeGreaterThan(
        0.003,
      )

      await page.getByRole('button', { name: 'Hang up' }).click()
      await page.locator('.rl-call-controls[data-state="ended"]').waitFor({ timeout: 20_000 })
      await sandbox.phone.waitFor(number, (s) => s.calls.some((c) => c.endedBy === 'remote'), { since })
      await until(`${host}: the call completed`, async () =>
        (await latest())?.status === 'completed' ? true : undefined,
      )
      await context.close()
    })
  })
}
