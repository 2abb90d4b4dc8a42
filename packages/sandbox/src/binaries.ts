import { spawn, spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, readFileSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const LIVEKIT_SERVER_VERSION = 'v1.13.5'
export const LIVEKIT_SIP_VERSION = 'v1.11.0'
/**
 * The cached livekit-sip's name suffix: the sandbox builds it with a fix of a race in sipgo (see patch_sipgo in
 * scripts/build-binaries.sh); a new patch level is a new cache entry.
 */
export const LIVEKIT_SIP_BUILD = `${LIVEKIT_SIP_VERSION}-p1`
export const EGRESS_VERSION = 'v1.14.0'

/** An error whose message says exactly what to run to fix it. */
export class SandboxSetupError extends Error {
  override name = 'SandboxSetupError'
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(fix ? `${message}\n  fix: ${fix}` : message)
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Finds `name` on PATH (plus /usr/sbin and /sbin, where Debian puts redis-server on some images). */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean)
  for (const extra of ['/usr/sbin', '/sbin', '/usr/local/go/bin']) if (!dirs.includes(extra)) dirs.push(extra)
  for (const dir of dirs) {
    const p = join(dir, name)
    if (isExecutable(p)) return p
  }
  return undefined
}

export function packageRoot(): string {
  // src/*.ts, dist/*.js and dist/*.cjs all sit one level below the package root.
  return resolve(dirname(fileURLToPath(import.meta.url)), '..')
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.RINGLINE_CACHE_DIR ?? join(homedir(), '.cache', 'ringline')
}

export interface Binaries {
  redisServer: string
  sipp: string
  livekitServer: string
  /** null when livekit-sip is not available (see `sipUnavailableReason`). */
  livekitSip: string | null
  /** null when egress is not available (see `resolveEgress`); absent in older callers. */
  egress?: string | null
}

/** What to do about a missing livekit-sip (the same words as scripts/build-binaries.sh). */
export const LIVEKIT_SIP_FIX = `set LIVEKIT_SIP_BIN=/path/to/livekit-sip (a livekit-sip ${LIVEKIT_SIP_VERSION} binary), or put livekit-sip on PATH; e.g. one built from github.com/livekit/sip on a machine that can reach GitHub, or taken from the livekit/sip Docker image`

function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]
  if (!v) return undefined
  if (!isExecutable(v))
    throw new SandboxSetupError(
      `${name}=${v} is not an executable file`,
      `unset ${name} or point it at the binary`,
    )
  return v
}

/** Debian tools: from REDIS_SERVER_BIN / SIPP_BIN, then PATH. */
export function findSystemBinaries(env: NodeJS.ProcessEnv = process.env): {
  redisServer: string
  sipp: string
} {
  const redisServer = fromEnv(env, 'REDIS_SERVER_BIN') ?? which('redis-server', env)
  const sipp = fromEnv(env, 'SIPP_BIN') ?? which('sipp', env)
  const missing = [!redisServer && 'redis-server', !sipp && 'sip-tester'].filter(Boolean) as string[]
  if (missing.length > 0) {
    throw new SandboxSetupError(
      `missing ${missing.map((m) => (m === 'sip-tester' ? 'sipp (Debian package sip-tester)' : m)).join(' and ')}`,
      `sudo apt-get install -y ${missing.join(' ')}`,
    )
  }
  return { redisServer: redisServer!, sipp: sipp! }
}

interface LiveKitBinary<N extends string = 'livekit-server' | 'livekit-sip'> {
  name: N
  envVar: string
  version: string
  /** The cached binary's name after the tool's (default `version`). */
  build?: string
}

const LIVEKIT_BINARIES: LiveKitBinary[] = [
  { name: 'livekit-server', envVar: 'LIVEKIT_SERVER_BIN', version: LIVEKIT_SERVER_VERSION },
  { name: 'livekit-sip', envVar: 'LIVEKIT_SIP_BIN', version: LIVEKIT_SIP_VERSION, build: LIVEKIT_SIP_BUILD },
]

/** livekit-server / livekit-sip without building: env, then PATH, then the build cache. */
export function findLiveKitBinary(
  name: 'livekit-server' | 'livekit-sip',
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const b = LIVEKIT_BINARIES.find((x) => x.name === name)!
  const cached = join(cacheDir(env), 'bin', `${b.name}-${b.build ?? b.version}`)
  return fromEnv(env, b.envVar) ?? which(b.name, env) ?? (isExecutable(cached) ? cached : undefined)
}

/**
 * Resolves the binaries, building livekit-server / livekit-sip through the Go module proxy with
 * scripts/build-binaries.sh when they are nowhere to be found (one time, cached in ~/.cache/ringline/bin).
 * livekit-server is required. livekit-sip is optional unless `requireSip`: when it cannot be had,
 * `binaries.livekitSip` is null and `sipUnavailableReason` says why. Returns the time spent building, so
 * startup figures can leave it out.
 */
export async function resolveBinaries(
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  options: { requireSip?: boolean } = {},
): Promise<{ binaries: Binaries; buildMs: number; sipUnavailableReason: string | undefined }> {
  const system = findSystemBinaries(env)
  let buildMs = 0
  const found: Partial<Record<'livekit-server' | 'livekit-sip', string>> = {}
  let sipUnavailableReason: string | undefined
  for (const b of LIVEKIT_BINARIES) {
    let path: string | undefined
    try {
      path = findLiveKitBinary(b.name, env)
    } catch (e) {
      // LIVEKIT_SIP_BIN pointing at nothing: as unavailable as no binary at all.
      if (b.name !== 'livekit-sip' || !(e instanceof SandboxSetupError)) throw e
      sipUnavailableReason = e.message.split('\n')[0]
      break
    }
    if (path) {
      found[b.name] = path
      continue
    }
    const t0 = Date.now()
    const built = await buildBinary(b, log, env)
    // Only a real build counts (learning that livekit-sip cannot be had takes about a second).
    if ('path' in built) {
      buildMs += Date.now() - t0
      found[b.name] = built.path
    } else if (b.name === 'livekit-sip') sipUnavailableReason = built.reason
    else throw new SandboxSetupError(built.reason, built.fix)
  }
  if (sipUnavailableReason && options.requireSip) {
    throw new SandboxSetupError(
      `livekit-sip is required (RINGLINE_REQUIRE_SIP=1 or requireSip: true) but not available: ${sipUnavailableReason}`,
      LIVEKIT_SIP_FIX,
    )
  }
  return {
    binaries: {
      ...system,
      livekitServer: found['livekit-server']!,
      livekitSip: found['livekit-sip'] ?? null,
    },
    buildMs,
    sipUnavailableReason,
  }
}

type BuildResult = { path: string } | { reason: string; fix: string }

async function buildBinary(
  b: LiveKitBinary<'livekit-server' | 'livekit-sip' | 'egress'>,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<BuildResult> {
  const script = join(packageRoot(), 'scripts', 'build-binaries.sh')
  if (!existsSync(script))
    return { reason: `${b.name} not found and ${script} is missing`, fix: `set ${b.envVar}` }
  if (!which('go', env)) {
    return {
      reason: `${b.name} was not found (${b.envVar}, PATH, ${join(cacheDir(env), 'bin')}) and Go is not installed to build it`,
      fix: `install Go >= 1.26 (https://go.dev/dl), or set ${b.envVar} to a ${b.name} ${b.version} binary`,
    }
  }
  // Optional binaries: the script writes why they cannot be had to a reason file.
  const isSip = b.name === 'livekit-sip' || b.name === 'egress'
  // The script asks the module proxy first and says "building …" only once it builds.
  if (!isSip)
    log(
      `building ${b.name} ${b.version} with Go (one time, a few minutes; cached in ${join(cacheDir(env), 'bin')})`,
    )
  const reasonFile = isSip
    ? join(tmpdir(), `ringline-${b.name}-reason-${process.pid}-${Date.now()}`)
    : undefined
  const extraPath = ['/usr/local/go/bin', env.PATH].filter(Boolean).join(delimiter)
  const output = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolvePromise) => {
      const child = spawn('bash', [script, b.name], {
        env: {
          ...env,
          PATH: extraPath,
          ...(reasonFile
            ? {
                [b.name === 'egress' ? 'RINGLINE_EGRESS_REASON_FILE' : 'RINGLINE_SIP_REASON_FILE']:
                  reasonFile,
              }
            : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString()
      })
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        for (const line of d.toString().split('\n'))
          if (line.startsWith('[ringline-sandbox]')) log(line.slice(19))
      })
      child.on('close', (code) => resolvePromise({ code, stdout, stderr }))
    },
  )
  let reason: string | undefined
  if (reasonFile) {
    try {
      reason = readFileSync(reasonFile, 'utf8').trim() || undefined
    } catch {}
    rmSync(reasonFile, { force: true })
  }
  const path = output.stdout.trim().split('\n').pop()
  if (output.code !== 0 || !path || !isExecutable(path)) {
    const tail = output.stderr.trim().split('\n').slice(-8).join('\n  ')
    return {
      reason: reason ?? `building ${b.name} failed:\n  ${tail}`,
      fix:
        b.name === 'egress'
          ? EGRESS_FIX
          : isSip
            ? LIVEKIT_SIP_FIX
            : `set ${b.envVar} to a prebuilt ${b.name} ${b.version}`,
    }
  }
  return { path }
}

/** What to do about a missing egress (the same words as scripts/build-binaries.sh). */
export const EGRESS_FIX = `run scripts/setup-system.sh (GStreamer packages), then packages/sandbox/scripts/build-binaries.sh egress; or set EGRESS_BIN=/path/to/egress (a livekit egress ${EGRESS_VERSION} binary)`

/**
 * GStreamer elements egress loads for audio-only recordings (room composite to OGG/Opus, MP4/Opus, MP3, and
 * participant egress, which loads x264enc even for audio). A missing element is an internal error in egress:
 * the service stops taking requests and exits, so they are checked before it starts.
 */
export const EGRESS_GST_ELEMENTS = [
  'appsrc',
  'rtpopusdepay',
  'opusdec',
  'audiorate',
  'queue',
  'audioconvert',
  'audioresample',
  'capsfilter',
  'audiomixer',
  'audiotestsrc',
  'opusenc',
  'oggmux',
  'mp4mux',
  'lamemp3enc',
  'tee',
  'filesink',
  'x264enc',
] as const

/** The elements of `elements` that `gst-inspect-1.0` does not find, or a reason when it cannot be asked. */
export function missingGstElements(
  elements: readonly string[] = EGRESS_GST_ELEMENTS,
  env: NodeJS.ProcessEnv = process.env,
): { missing: string[]; error?: string } {
  const inspect = which('gst-inspect-1.0', env)
  if (!inspect)
    return {
      missing: [...elements],
      error: 'gst-inspect-1.0 (Debian package gstreamer1.0-tools) is not installed',
    }
  const missing = elements.filter(
    (e) => spawnSync(inspect, ['--exists', e], { env, stdio: 'ignore', timeout: 30_000 }).status !== 0,
  )
  return { missing }
}

/**
 * egress, or why it cannot run here: EGRESS_BIN, PATH, the cache, else built with scripts/build-binaries.sh
 * (one time). Then its GStreamer elements are checked. Never throws; `requireEgress` is the caller's business.
 */
export async function resolveEgress(
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ path: string | null; buildMs: number; reason: string | undefined }> {
  let path: string | undefined
  let buildMs = 0
  const cached = join(cacheDir(env), 'bin', `egress-${EGRESS_VERSION}`)
  if (env.EGRESS_BIN) {
    if (!isExecutable(env.EGRESS_BIN))
      return { path: null, buildMs, reason: `EGRESS_BIN=${env.EGRESS_BIN} is not an executable file` }
    path = env.EGRESS_BIN
  } else path = which('egress', env) ?? (isExecutable(cached) ? cached : undefined)
  if (!path) {
    const t0 = Date.now()
    const built = await buildBinary(
      { name: 'egress', envVar: 'EGRESS_BIN', version: EGRESS_VERSION },
      log,
      env,
    )
    if (!('path' in built)) return { path: null, buildMs, reason: built.reason }
    buildMs = Date.now() - t0
    path = built.path
  }
  const { missing, error } = missingGstElements(EGRESS_GST_ELEMENTS, env)
  if (error) return { path: null, buildMs, reason: `egress cannot be checked: ${error}` }
  if (missing.length > 0)
    return {
      path: null,
      buildMs,
      reason: `GStreamer elements egress loads are missing: ${missing.join(', ')} (apt-get install -y gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly; scripts/setup-system.sh does it)`,
    }
  return { path, buildMs, reason: undefined }
}
