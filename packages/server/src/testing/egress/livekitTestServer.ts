import { type ChildProcess, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync, readdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import { processEnv } from '../../config'

/** A real livekit-server for integration tests. */
export interface TestLivekit {
  /** `http://127.0.0.1:<port>` for server SDK clients. */
  url: string
  /** `ws://127.0.0.1:<port>` for room participants. */
  wsUrl: string
  apiKey: string
  apiSecret: string
  /** Where it came from: the sandbox of the vitest run, or a livekit-server this helper started. */
  source: 'sandbox' | 'spawned'
  stop(): Promise<void>
}

async function freeTcpPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(() => resolve()))
  return port
}

function findBinary(): string | undefined {
  const env = processEnv()
  if (env.LIVEKIT_SERVER_BIN) return env.LIVEKIT_SERVER_BIN
  const dir = join(env.RINGLINE_CACHE_DIR ?? join(homedir(), '.cache', 'ringline'), 'bin')
  if (existsSync(dir)) {
    const found = readdirSync(dir)
      .filter((f) => /^livekit-server-v[\d.]+$/.test(f))
      .sort()
      .pop()
    if (found) return join(dir, found)
  }
  return undefined
}

/**
 * The sandbox's livekit-server when the vitest run provides one (`inject('ringlineSandbox')`), otherwise a
 * livekit-server started from the sandbox's binary cache (`~/.cache/ringline/bin`, or `LIVEKIT_SERVER_BIN`)
 * on free ports of 127.0.0.1, without Redis.
 */
export async function startTestLivekit(): Promise<TestLivekit> {
  const sandbox = (inject as (key: string) => unknown)('ringlineSandbox') as
    | { livekit?: { url: string; wsUrl?: string; apiKey: string; apiSecret: string } }
    | undefined
  if (sandbox?.livekit) {
    const { url, apiKey, apiSecret } = sandbox.livekit
    const http = url.replace(/^ws/, 'http')
    return {
      url: http,
      wsUrl: sandbox.livekit.wsUrl ?? http.replace(/^http/, 'ws'),
      apiKey,
      apiSecret,
      source: 'sandbox',
      stop: async () => {},
    }
  }
  const binary = findBinary()
  if (!binary) {
    throw new Error(
      'No livekit-server: run the tests with the @ringline/sandbox global setup, build it with packages/sandbox/scripts/build-binaries.sh, or set LIVEKIT_SERVER_BIN.',
    )
  }
  const port = await freeTcpPort()
  const tcpPort = await freeTcpPort()
  const udpPort = await freeUdpPort()
  const apiKey = 'ringline-test-key'
  const apiSecret = 'ringline-test-secret-0123456789abcdef0123'
  const config = [
    `port: ${port}`,
    'bind_addresses: ["127.0.0.1"]',
    'rtc:',
    `  tcp_port: ${tcpPort}`,
    `  udp_port: ${udpPort}`,
    '  use_external_ip: false',
    '  node_ip: 127.0.0.1',
    'keys:',
    `  ${apiKey}: ${apiSecret}`,
    'logging:',
    '  level: warn',
  ].join('\n')
  const child: ChildProcess = spawn(binary, ['--config-body', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`livekit-server exited (${child.exitCode}): ${stderr}`)
    try {
      if ((await fetch(url)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`livekit-server did not start on ${url}: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    apiKey,
    apiSecret,
    source: 'spawned',
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    },
  }
}
