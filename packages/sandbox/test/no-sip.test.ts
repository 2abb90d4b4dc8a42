// The sandbox on a machine where livekit-sip cannot be had (the Go module proxy refuses github.com/livekit/sip, as
// the one Ringline's CI reaches does). This file takes livekit-sip out of its own environment and points Go at a
// local module proxy that refuses every module the same way, so it runs — and checks the fallback — everywhere.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
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
  for (const k of ['LIVEKIT_SIP_BIN', 'RINGLINE_REQUIRE_SIP', 'GOPRIVATE', 'GONOPROXY', 'GOWORK'])
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
    const child = spawn('bash', [script, target], { env: { ...env, ...extra }, timeout: 60_000 })
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
    const t0 = Date.now()
    const { binaries, sipUnavailableReason } = await resolveBinaries((l) => lines.push(l), env)
    expect(Date.now() - t0).toBeLessThan(30_000) // a refusal is learned by asking, not by building
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
      const t0 = Date.now()
      const err = await sip
        .createSipParticipant(sandbox.sip.outboundTrunkId, sandbox.phone.numbers.answer, 'nosip-room', {
          waitUntilAnswered: true,
        })
        .catch((e: unknown) => e)
      expect(err).toMatchObject({ status: 503 })
      expect(Date.now() - t0).toBeLessThan(15_000)
    })

    test('phone.call() throws at once with the reason and the fix', () => {
      const t0 = Date.now()
      let thrown: unknown
      try {
        sandbox.phone.call(sandbox.sip.inboundNumber)
      } catch (e) {
        thrown = e
      }
      expect(Date.now() - t0).toBeLessThan(100)
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
