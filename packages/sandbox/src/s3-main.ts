/** Entry point of the sandbox's local S3 (s3rver): `node s3-main.js <s3.json>`. */
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

export interface S3Config {
  port: number
  /** Where objects are kept (a folder of the state dir). */
  directory: string
  /** Created (if missing) at start. */
  bucket: string
}

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>
  close(): Promise<void>
}
// s3rver (CommonJS) ships no types: the one constructor and the two methods used here.
const S3rver = createRequire(import.meta.url)('s3rver') as new (
  options: Record<string, unknown>,
) => S3rverInstance

const configPath = process.argv[2]
if (!configPath) {
  console.error('usage: s3-main <s3.json>')
  process.exit(2)
}
const config = JSON.parse(readFileSync(configPath, 'utf8')) as S3Config
mkdirSync(config.directory, { recursive: true })
const server = new S3rver({
  address: '127.0.0.1',
  port: config.port,
  directory: config.directory,
  silent: false,
  configureBuckets: [{ name: config.bucket, configs: [] }],
})
server.run().then(
  (addr) => {
    console.log(
      `[s3] s3rver listening on ${addr.address}:${addr.port}, bucket ${config.bucket}, pid ${process.pid}`,
    )
    const shutdown = () => {
      server.close().finally(() => process.exit(0))
      setTimeout(() => process.exit(0), 2000).unref()
    }
    process.on('SIGTERM', shutdown)
    process.on('SIGINT', shutdown)
  },
  (e: unknown) => {
    console.error(`[s3] failed to start: ${(e as Error).message}`)
    process.exit(1)
  },
)
