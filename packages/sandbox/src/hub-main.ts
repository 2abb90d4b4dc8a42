/** Entry point of the sandbox hub process: `node hub-main.js <hub.json>`. */
import { readFileSync } from 'node:fs'
import { type HubConfig, startHub } from './hub'

const configPath = process.argv[2]
if (!configPath) {
  console.error('usage: hub-main <hub.json>')
  process.exit(2)
}
const config = JSON.parse(readFileSync(configPath, 'utf8')) as HubConfig
startHub(config).then(
  (hub) => {
    console.log(
      `[hub] listening on 127.0.0.1:${config.httpPort} (http), 127.0.0.1:${config.rtpPort} (phone rtp), pid ${process.pid}`,
    )
    const shutdown = () => {
      hub.close().finally(() => process.exit(0))
      setTimeout(() => process.exit(0), 2000).unref()
    }
    process.on('SIGTERM', shutdown)
    process.on('SIGINT', shutdown)
  },
  (e: unknown) => {
    console.error(`[hub] failed to start: ${(e as Error).message}`)
    process.exit(1)
  },
)
