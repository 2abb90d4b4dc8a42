import { spawn } from 'node:child_process'
import { accessSync, constants, existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const LIVEKIT_SERVER_VERSION = 'v1.13.5'
export const LIVEKIT_SIP_VERSION = 'v1.11.0'

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
  livekitSip: string
}

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

interface LiveKitBinary {
  name: 'livekit-server' | 'livekit-sip'
  envVar: 'LIVEKIT_SERVER_BIN' | 'LIVEKIT_SIP_BIN'
  version: string
}

const LIVEKIT_BINARIES: LiveKitBinary[] = [
  { name: 'livekit-server', envVar: 'LIVEKIT_SERVER_BIN', version: LIVEKIT_SERVER_VERSION },
  { name: 'livekit-sip', envVar: 'LIVEKIT_SIP_BIN', version: LIVEKIT_SIP_VERSION },
]

/** livekit-server / livekit-sip without building: env, then PATH, then the build cache. */
export function findLiveKitBinary(
  name: LiveKitBinary['name'],
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const b = LIVEKIT_BINARIES.find((x) => x.name === name)!
  const cached = join(cacheDir(env), 'bin', `${b.name}-${b.version}`)
  return fromEnv(env, b.envVar) ?? which(b.name, env) ?? (isExecutable(cached) ? cached : undefined)
}

/**
 * Resolves all four binaries, building livekit-server / livekit-sip through the Go module proxy with
 * scripts/build-binaries.sh when they are nowhere to be found (one time, cached in ~/.cache/ringline/bin).
 * Returns the time spent building, so startup figures can leave it out.
 */
export async function resolveBinaries(
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ binaries: Binaries; buildMs: number }> {
  const system = findSystemBinaries(env)
  let buildMs = 0
  const found: Partial<Record<LiveKitBinary['name'], string>> = {}
  for (const b of LIVEKIT_BINARIES) {
    const path = findLiveKitBinary(b.name, env)
    if (path) {
      found[b.name] = path
      continue
    }
    const t0 = Date.now()
    found[b.name] = await buildBinary(b, log, env)
    buildMs += Date.now() - t0
  }
  return {
    binaries: {
      ...system,
      livekitServer: found['livekit-server']!,
      livekitSip: found['livekit-sip']!,
    },
    buildMs,
  }
}

async function buildBinary(
  b: LiveKitBinary,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const script = join(packageRoot(), 'scripts', 'build-binaries.sh')
  if (!existsSync(script))
    throw new SandboxSetupError(`${b.name} not found and ${script} is missing`, `set ${b.envVar}`)
  if (!which('go', env)) {
    throw new SandboxSetupError(
      `${b.name} was not found (${b.envVar}, PATH, ${join(cacheDir(env), 'bin')}) and Go is not installed to build it`,
      `install Go >= 1.26 (https://go.dev/dl), or set ${b.envVar} to a ${b.name} ${b.version} binary`,
    )
  }
  if (b.name === 'livekit-sip' && !which('pkg-config', env)) {
    throw new SandboxSetupError(
      'livekit-sip needs cgo libraries to build',
      'sudo apt-get install -y pkg-config libopus-dev libopusfile-dev libsoxr-dev gcc',
    )
  }
  log(
    `building ${b.name} ${b.version} with Go (one time, a few minutes; cached in ${join(cacheDir(env), 'bin')})`,
  )
  const extraPath = ['/usr/local/go/bin', env.PATH].filter(Boolean).join(delimiter)
  const output = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolvePromise) => {
      const child = spawn('bash', [script, b.name], {
        env: { ...env, PATH: extraPath },
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
  const path = output.stdout.trim().split('\n').pop()
  if (output.code !== 0 || !path || !isExecutable(path)) {
    const tail = output.stderr.trim().split('\n').slice(-8).join('\n  ')
    throw new SandboxSetupError(
      `building ${b.name} failed:\n  ${tail}`,
      `set ${b.envVar} to a prebuilt ${b.name} ${b.version}`,
    )
  }
  return path
}
