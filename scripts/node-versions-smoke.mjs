// Run by scripts/node-versions.mjs with each Node binary: the built @ringline/server (dist/, as published) answers
// requests on its embedded PGlite store, and the `ringline` bin prints its help, migrates a PGlite folder and runs
// `doctor --json`. Throws (exit 1) with what differed; prints one line per step.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const serverDir = join(root, 'packages/server')

function check(ok, what, got) {
  if (!ok) throw new Error(`${what}; got ${typeof got === 'string' ? got : JSON.stringify(got)}`)
  console.log(`  ${process.version}: ${what}`)
}

const expected = process.env.RINGLINE_EXPECT_NODE
check(!expected || process.version === `v${expected}`, `runs on Node ${expected}`, process.version)

// The package entry as a consumer's `import '@ringline/server'` resolves it (exports → import → dist/index.js).
const { createRingline } = await import(join(serverDir, 'dist/index.js'))
const ringline = createRingline({
  authorize: (request) => (request.headers.get('x-user') ? { userId: 'alice', tenantId: 'demo' } : null),
})
await ringline.ready()
const origin = 'http://app.test'
const request = (method, path, body) =>
  ringline.handler(
    new Request(`${origin}/api/ringline${path}`, {
      method,
      headers: {
        origin,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
        'x-user': 'alice',
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }),
  )
try {
  const list = await request('GET', '/calls')
  const listed = await list.json()
  check(
    list.status === 200 &&
      Array.isArray(listed.calls) &&
      listed.calls.length === 0 &&
      listed.nextCursor === null,
    'GET /calls answers { calls: [], nextCursor: null } from PGlite',
    { status: list.status, listed },
  )
  const refused = await request('POST', '/calls', { to: '+15550002000' })
  const error = (await refused.json()).error
  check(
    refused.status === 400 &&
      error?.code === 'INVALID_PHONE_NUMBER' &&
      error.details?.reason === 'NOT_ASSIGNED',
    'POST /calls to an unassigned number answers 400 INVALID_PHONE_NUMBER (NOT_ASSIGNED)',
    { status: refused.status, error },
  )
} finally {
  await ringline.close()
}

// The bin as npm links it: `node bin/ringline.js`, which loads dist/cli.js.
const bin = join(serverDir, 'bin/ringline.js')
const cli = (args, env = {}) => {
  try {
    return {
      code: 0,
      out: execFileSync(process.execPath, [bin, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    }
  } catch (e) {
    return { code: e.status, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}
const help = cli(['--help'])
check(help.code === 0 && /^Usage: ringline <command>/.test(help.out), 'ringline --help', help)

const dir = mkdtempSync(join(tmpdir(), 'ringline-node-versions-'))
try {
  const env = { RINGLINE_DATA_DIR: join(dir, 'pglite') }
  const migrate = cli(['migrate'], env)
  check(
    migrate.code === 0 && /^Applied migrations: /.test(migrate.out),
    'ringline migrate on a PGlite folder',
    migrate,
  )
  // Nothing else is configured: doctor exits 1 for the missing LiveKit settings, and reports the store as migrated.
  const doctor = cli(['doctor', '--json'], env)
  const report = JSON.parse(doctor.out)
  const store = report.checks.find((c) => c.name === 'store')
  check(
    doctor.code === 1 && report.ok === false && store?.status === 'ok',
    'ringline doctor --json: the store migrated, LiveKit settings missing (exit 1)',
    doctor,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
