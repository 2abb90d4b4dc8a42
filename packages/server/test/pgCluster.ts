// A throwaway PostgreSQL 15 cluster on 127.0.0.1 (Debian's binaries): the test cluster of postgresSetup.ts, and
// private ones the failure drills stop and start.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BIN = '/usr/lib/postgresql/15/bin'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

/** initdb refuses to run as root: run the binaries as `postgres` then. */
function run(bin: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0
  const [cmd, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', join(BIN, bin), ...args]]
    : [join(BIN, bin), args]
  const result = spawnSync(cmd, argv, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${bin} failed: ${result.stderr || result.stdout}`)
}

/** A running cluster: its URL (database `postgres`, user `ringline`, trust auth) and its lifecycle. */
export interface PgCluster {
  url: string
  port: number
  /** Stops the server (`fast`: open connections are terminated, as in a restart or failover). */
  stop(mode?: 'fast' | 'immediate'): void
  /** Starts it again on the same port and data. */
  start(): void
  /** Stops it and deletes its data. */
  destroy(): void
}

/** Creates and starts a cluster in a fresh temp dir, on a free port. */
export async function startPgCluster(): Promise<PgCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'ringline-pg-'))
  chmodSync(dir, 0o777)
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir])
  const data = join(dir, 'data')
  const port = await freePort()
  run('initdb', ['-D', data, '-U', 'ringline', '--auth=trust', '-E', 'UTF8', '--no-sync'])
  let running = false
  const start = () => {
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-o',
      `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`,
      'start',
    ])
    running = true
  }
  const stop = (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return
    run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop'])
    running = false
  }
  start()
  return {
    url: `postgres://ringline@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    destroy() {
      try {
        stop('immediate')
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
