// The sandbox on a machine where livekit-sip cannot be had (the Go module proxy refuses github.com/livekit/sip, as
// the one Ringline's CI reaches does). This file takes livekit-sip out of its own environment and points Go at a
// local module proxy that refuses every module the same way, so it runs — and checks the fallback — everywhere.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { RoomServiceClient, SipClient } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { findLiveKitBinary, packageRoot, resolveBinaries, which } from '../src/binaries'
import {
  LIVEKIT_SIP_BUILD,
  LIVEKIT_SIP_VERSION,
  type Sandbox,
  SandboxSetupError,
  sandboxStatus,
  startSandbox,
  stopSandbox,
} from '../src/index'
import { canBind } from '../src/procs'
import { SIP_SKIP_MARKER, sipAvailability, sipSkippedName } from '../src/vitest'

const portOffset = 400 + Number(process.env.RINGLINE_SANDBOX_PORT_OFFSET || 0)
const stateDir = mkdtempSync(join(tmpdir(), 'ringline-sandbox-nosip-'))
const cacheDir = mkdtempSync(join(tmpdir(), 'ringline-cache-nosip-'))
const proxyRequests: string[] = []
let proxy: Server
let env: NodeJS.ProcessEnv
let livekitServer: string
const hasGo = which('go') !== undefined
/** What the reason says with Go installed (the module proxy's answer) and without (nothing to build with). */
const expectedReason = hasGo
  ? new RegExp(
      `the Go module proxy \\(http://127\\.0\\.0\\.1:\\d+\\) refuses github\\.com/livekit/sip@${LIVEKIT_SIP_VERSION.replace(/\./g, '\\.')} \\(403 Forbidden: This module version is not available\\.\\)`,
    )
  : /Go .*not installed/

beforeAll(async () => {
  proxy = createServer((req, res) => {
    proxyRequests.push(req.url ?? '')
    res.writeHead(403, { 'content-type': 'text/plain' })
    res.end('This module version is not available.')
  })
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
  // The run's own livekit-server (the global setup started a sandbox with it), named explicitly.
  livekitServer = findLiveKitBinary('livekit-server')!
  env = {
    ...process.env,
    LIVEKIT_SERVER_BIN: livekitServer,
    RINGLINE_CACHE_DIR: cacheDir,
    GOPROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    // No PATH directory holding a livekit-sip.
    PATH: (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => dir && !existsSync(join(dir, 'livekit-sip')))
      .join(delimiter),
  }
  // Hermetic to this machine: Go gets its own module cache, build cache and home, so modules this machine
  // already holds (livekit-sip among them, once built) are never found instead of asking the proxy.
  const goHome = join(cacheDir, 'go-home')
  Object.assign(env, {
    HOME: goHome,
    GOPATH: join(goHome, 'go'),
    GOMODCACHE: join(goHome, 'go', 'pkg', 'mod'),
    GOCACHE: join(goHome, 'go-build'),
    GOFLAGS: '-modcacherw',
    GOTOOLCHAIN: 'local',
    GOSUMDB: 'off',
  })
  for (const k of [
    'LIVEKIT_SIP_BIN',
    'RINGLINE_REQUIRE_SIP',
    // This machine has no egress either (its module is refused by the same proxy): CI's requirement is not this test's.
    'RINGLINE_REQUIRE_EGRESS',
    'EGRESS_BIN',
    'RINGLINE_EGRESS_SRC',
    'RINGLINE_GO_MIRROR',
    'GOPRIVATE',
    'GONOPROXY',
    'GONOSUMDB',
    'GOWORK',
    'GOENV',
  ])
    delete env[k]
  mkdirSync(join(cacheDir, 'bin'), { recursive: true })
})

afterAll(async () => {
  await stopSandbox({ stateDir, log: false }).catch(() => undefined)
  await new Promise((r) => proxy.close(r))
  rmSync(stateDir, { recursive: true, force: true })
  rmSync(cacheDir, { recursive: true, force: true })
})

const script = join(packageRoot(), 'scripts', 'build-binaries.sh')

/** Runs the build script without blocking this process (which serves the fake module proxy). */
function runScript(
  target: string,
  extra: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [script, target], { env: { ...env, ...extra }, timeout: 180_000 })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

describe('without livekit-sip', () => {
  test('resolveBinaries: nothing on PATH or in the cache and a refusing module proxy → unavailable, with the reason, quickly', async () => {
    const lines: string[] = []
    const { binaries, sipUnavailableReason } = await resolveBinaries((l) => lines.push(l), env)
    // A refusal is learned by asking, not by building.
    expect(lines.join('\n')).not.toMatch(/building livekit-sip/)
    expect(existsSync(join(cacheDir, 'build', `livekit-sip-${LIVEKIT_SIP_VERSION}`))).toBe(false)
    expect(binaries.livekitServer).toBe(livekitServer)
    expect(binaries.livekitSip).toBeNull()
    expect(sipUnavailableReason).toMatch(expectedReason)
    if (hasGo) expect(proxyRequests).toContain(`/github.com/livekit/sip/@v/${LIVEKIT_SIP_VERSION}.info`)
    // requireSip turns it into an error that says why and what to do.
    const err = await resolveBinaries(() => {}, env, { requireSip: true }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SandboxSetupError)
    expect((err as Error).message).toMatch(/livekit-sip is required .* but not available: /)
    expect((err as Error).message).toMatch(expectedReason)
    expect((err as Error).message).toContain('fix: set LIVEKIT_SIP_BIN=/path/to/livekit-sip')
  })

  test('build-binaries.sh all: livekit-server on stdout, a warning naming the reason and the fix, exit 0; RINGLINE_REQUIRE_SIP=1 → exit 1', async () => {
    const ok = await runScript('all')
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout.trim()).toBe(livekitServer)
    expect(ok.stderr).toMatch(/WARNING: livekit-sip is not available: /)
    expect(ok.stderr).toMatch(expectedReason)
    expect(ok.stderr).toContain('fix: set LIVEKIT_SIP_BIN=/path/to/livekit-sip')
    const strict = await runScript('all', { RINGLINE_REQUIRE_SIP: '1' })
    expect(strict.status).toBe(1)
    expect(strict.stderr).toContain('RINGLINE_REQUIRE_SIP=1: failing because livekit-sip is not available')
    // Asked for alone, livekit-sip's absence is exit 3 with the reason.
    const alone = await runScript('livekit-sip')
    expect(alone.status).toBe(3)
    expect(alone.stderr).toMatch(/livekit-sip unavailable: /)
  })

  describe('a sandbox started without it', () => {
    let sandbox: Sandbox
    const log: string[] = []
    beforeAll(async () => {
      sandbox = await startSandbox({ stateDir, portOffset, env, log: (l) => log.push(l) })
    })
    afterAll(async () => {
      await sandbox?.stop()
    })

    test('runs everything else, says so loudly, and is healthy as started', async () => {
      expect(sandbox.info.sip.available).toBe(false)
      expect(sandbox.info.sip.unavailableReason).toMatch(expectedReason)
      expect(sandbox.info.binaries.livekitSip).toBeNull()
      expect(log.filter((l) => l.startsWith('WARNING: livekit-sip is NOT available'))).toHaveLength(1)
      const status = await sandboxStatus({ stateDir })
      expect(status.healthy).toBe(true)
      const byName = Object.fromEntries(status.processes.map((p) => [p.name, p]))
      for (const name of ['redis', 'hub', 'phone', 'livekit-server'] as const)
        expect(byName[name], name).toMatchObject({ running: true, healthy: true, skipped: false })
      expect(byName['livekit-sip']).toMatchObject({ running: false, skipped: true, pid: undefined })
      expect(byName['livekit-sip']!.detail).toMatch(/^NOT AVAILABLE: /)
      // livekit-sip's ports were neither needed nor taken.
      expect(await canBind(sandbox.ports.sip, 'udp')).toBe(true)
      // The same refusing proxy and empty cache leave egress out too: said as loudly; the local S3 still runs.
      expect(sandbox.info.recording?.available).toBe(false)
      expect(byName.s3, 's3').toMatchObject({ running: true, healthy: true, skipped: false })
      expect(byName.egress).toMatchObject({ running: false, skipped: true })
      expect(byName.egress!.detail).toMatch(/^NOT AVAILABLE: /)
      expect(log.filter((l) => l.startsWith('WARNING: egress (recording) is NOT available'))).toHaveLength(1)
      expect(sandbox.env.RINGLINE_RECORDING_ENDPOINT).toBe(`http://127.0.0.1:${sandbox.ports.s3}`)
    })

    test('the trunks and the dispatch rule are provisioned (they live in livekit-server + Redis) and rooms work', async () => {
      const sip = new SipClient(sandbox.livekit.url, sandbox.livekit.apiKey, sandbox.livekit.apiSecret)
      expect((await sip.listSipOutboundTrunk()).map((t) => t.sipTrunkId)).toContain(
        sandbox.sip.outboundTrunkId,
      )
      expect((await sip.listSipInboundTrunk()).map((t) => t.sipTrunkId)).toContain(sandbox.sip.inboundTrunkId)
      expect((await sip.listSipDispatchRule()).map((r) => r.sipDispatchRuleId)).toContain(
        sandbox.sip.dispatchRuleId,
      )
      const rooms = new RoomServiceClient(
        sandbox.livekit.url,
        sandbox.livekit.apiKey,
        sandbox.livekit.apiSecret,
      )
      await rooms.createRoom({ name: 'nosip-room' })
      expect((await rooms.listRooms()).map((r) => r.name)).toContain('nosip-room')
      // A call needs livekit-sip: LiveKit answers 503 (nobody to place it), it does not hang.
      const err = await sip
        .createSipParticipant(sandbox.sip.outboundTrunkId, sandbox.phone.numbers.answer, 'nosip-room', {
          waitUntilAnswered: true,
        })
        .catch((e: unknown) => e)
      expect(err).toMatchObject({ status: 503 })
    })

    test('phone.call() throws (synchronously) with the reason and the fix', () => {
      let thrown: unknown
      try {
        sandbox.phone.call(sandbox.sip.inboundNumber)
      } catch (e) {
        thrown = e
      }
      expect(thrown).toBeInstanceOf(SandboxSetupError)
      expect((thrown as Error).message).toMatch(/livekit-sip is not running in this sandbox \(.*403|Go/)
      expect((thrown as Error).message).toContain('LIVEKIT_SIP_BIN')
    })

    test('the CLI status shows it; RINGLINE_REQUIRE_SIP=1 makes status fail', () => {
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
      const status = (extra: NodeJS.ProcessEnv) =>
        spawnSync(
          process.execPath,
          ['--import', tsx, join(packageRoot(), 'src', 'cli.ts'), 'status', '--state-dir', stateDir],
          { env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 },
        )
      const plain = status({})
      expect(plain.status, plain.stderr).toBe(0)
      expect(plain.stdout).toContain(`sandbox ${stateDir}: healthy, WITHOUT SIP`)
      expect(plain.stdout).toMatch(/livekit-sip\s+-\s+NOT AVAILABLE: /)
      expect(plain.stdout).toContain('WARNING: livekit-sip is NOT available')
      expect(status({ RINGLINE_REQUIRE_SIP: '1' }).status).toBe(1)
    })

    test('attaching with requireSip (option or RINGLINE_REQUIRE_SIP=1) is an error; without it, a warning', async () => {
      for (const opts of [{ requireSip: true }, { env: { ...env, RINGLINE_REQUIRE_SIP: '1' } }]) {
        const err = await startSandbox({ stateDir, portOffset, env, reuse: true, log: false, ...opts }).catch(
          (e: unknown) => e,
        )
        expect(err).toBeInstanceOf(SandboxSetupError)
        expect((err as Error).message).toMatch(/livekit-sip is required .* has none: /)
      }
      const lines: string[] = []
      const attached = await startSandbox({
        stateDir,
        portOffset,
        env,
        reuse: true,
        log: (l) => lines.push(l),
      })
      expect(attached.reused).toBe(true)
      expect(attached.info.sip.available).toBe(false)
      expect(lines.some((l) => l.startsWith('WARNING: livekit-sip is NOT available'))).toBe(true)
      await attached.stop()
      expect((await sandboxStatus({ stateDir })).healthy).toBe(true) // the starter still holds it
    })
  })

  test('requireSip on a fresh start fails before starting anything', async () => {
    expect((await sandboxStatus({ stateDir })).info).toBeUndefined() // stopped by the suite above
    const err = await startSandbox({ stateDir, portOffset, env, requireSip: true, log: false }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(SandboxSetupError)
    expect((err as Error).message).toMatch(expectedReason)
    expect((await sandboxStatus({ stateDir })).info).toBeUndefined()
    expect(await canBind(7880 + portOffset, 'tcp')).toBe(true)
  })
})

describe('test helpers of @ringline/sandbox/vitest', () => {
  test('sipAvailability and the skipped name carry the reason and the marker the summary counts', () => {
    expect(
      sipAvailability({ sip: { available: false, unavailableReason: 'proxy said 403' } } as never),
    ).toEqual({
      available: false,
      reason: 'proxy said 403',
    })
    // States written before the field existed had livekit-sip.
    expect(sipAvailability({ sip: {} } as never)).toEqual({ available: true, reason: undefined })
    const name = sipSkippedName('outbound calls', 'proxy said 403')
    expect(name).toContain(SIP_SKIP_MARKER)
    expect(name).toMatch(/^outbound calls \[skipped: .*proxy said 403\]$/)
  })
})

/** A Go module mirror (the layout of a `file://` GOPROXY) holding one module, written with python3's zipfile. */
function writeMirror(dir: string, module: string, version: string, files: Record<string, string>) {
  const at = join(dir, ...module.split('/'), '@v')
  mkdirSync(at, { recursive: true })
  writeFileSync(join(at, 'list'), `${version}\n`)
  writeFileSync(
    join(at, `${version}.info`),
    JSON.stringify({ Version: version, Time: '2026-08-01T00:00:00Z' }),
  )
  writeFileSync(join(at, `${version}.mod`), files['go.mod'] ?? '')
  const zip = spawnSync(
    'python3',
    [
      '-c',
      'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1],"w")\nfor n,t in json.loads(sys.argv[3]).items(): z.writestr(sys.argv[2]+"/"+n,t)\nz.close()',
      join(at, `${version}.zip`),
      `${module}@${version}`,
      JSON.stringify(files),
    ],
    { encoding: 'utf8' },
  )
  if (zip.status !== 0) throw new Error(`writing the mirror zip failed: ${zip.stderr}`)
}

describe('RINGLINE_GO_MIRROR: modules the proxy refuses come from a local mirror', () => {
  const mirrorCache = mkdtempSync(join(tmpdir(), 'ringline-cache-mirror-'))
  const mirror = mkdtempSync(join(tmpdir(), 'ringline-gomirror-'))
  afterAll(() => {
    rmSync(mirrorCache, { recursive: true, force: true })
    rmSync(mirror, { recursive: true, force: true })
  })

  test('livekit-sip is taken from the mirror, built inside its own module, the rest still asked of the proxy', async () => {
    const media = 'v0.0.0-20260812193843-5a5218b19550'
    // First a mirror whose livekit-sip needs a media-sdk only the (refusing) proxy could give.
    writeMirror(mirror, 'github.com/livekit/sip', LIVEKIT_SIP_VERSION, {
      'go.mod': `module github.com/livekit/sip\n\ngo 1.21\n\nrequire github.com/livekit/media-sdk ${media}\n`,
    })
    const asked = proxyRequests.length
    const missing = await runScript('livekit-sip', {
      RINGLINE_CACHE_DIR: mirrorCache,
      RINGLINE_GO_MIRROR: mirror,
    })
    expect(missing.status, missing.stderr).toBe(3)
    expect(missing.stderr).toMatch(
      new RegExp(`refuses github\\.com/livekit/media-sdk@${media} \\(403 Forbidden`),
    )
    const after = proxyRequests.slice(asked)
    expect(after.some((u) => u.startsWith('/github.com/livekit/sip/'))).toBe(false)
    expect(after).toContain(`/github.com/livekit/media-sdk/@v/${media}.info`)

    // Then a complete one (a fresh module cache: Go caches a module version once): the binary is built from the
    // mirrored module and cached.
    rmSync(join(mirror, 'github.com'), { recursive: true, force: true })
    const fresh = {
      GOMODCACHE: join(mirrorCache, 'modcache'),
      RINGLINE_CACHE_DIR: mirrorCache,
      RINGLINE_GO_MIRROR: mirror,
    }
    writeMirror(mirror, 'github.com/livekit/sip', LIVEKIT_SIP_VERSION, {
      'go.mod': 'module github.com/livekit/sip\n\ngo 1.21\n',
      'cmd/livekit-sip/main.go': 'package main\n\nfunc main() { println("mirrored livekit-sip") }\n',
    })
    const built = await runScript('livekit-sip', fresh)
    expect(built.status, built.stderr).toBe(0)
    const bin = join(mirrorCache, 'bin', `livekit-sip-${LIVEKIT_SIP_BUILD}`)
    expect(built.stdout.trim()).toBe(bin)
    expect(built.stderr).toContain(`building livekit-sip ${LIVEKIT_SIP_VERSION} inside its module`)
    expect(spawnSync(bin, [], { encoding: 'utf8' }).stderr).toContain('mirrored livekit-sip')
    expect(proxyRequests.slice(asked).some((u) => u.startsWith('/github.com/livekit/sip/'))).toBe(false)
    // A mirror that is not a directory is a usage error, not a silent fallback to the proxy.
    const bad = await runScript('livekit-sip', {
      RINGLINE_CACHE_DIR: mirrorCache,
      RINGLINE_GO_MIRROR: join(mirror, 'nope'),
    })
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('is not a directory')
  }, 240_000)
})
