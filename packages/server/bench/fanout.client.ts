// The subscribers of the fan-out bench, in their own process (forked by fanout.server.ts): N raw node:http
// `GET /events` streams, each a distinct user, parsing every SSE frame and noting when each event was parsed on
// the machine-wide monotonic clock (`process.hrtime.bigint()`, CLOCK_MONOTONIC, the server's clock too).
import { Agent, request } from 'node:http'

/** Messages from the server process. */
export type ToClient = { type: 'connect'; port: number; subscribers: number } | { type: 'results' }

/** Messages to the server process. */
export type FromClient =
  | { type: 'spawned' }
  | { type: 'connected'; ms: number; failed: number; firstError?: string }
  | { type: 'complete'; id: string }
  | { type: 'results'; parsedAt: Record<string, number[]>; errors: number; cpuMs: number }

const send = (message: FromClient, then?: () => void): void => {
  process.send?.(message, undefined, {}, () => then?.())
}

const parsedAt = new Map<string, number[]>()
let subscribers = 0
let errors = 0
let agent: Agent | undefined
// CPU time used since every subscriber was connected (the broadcasts' share).
let cpuSinceConnected: NodeJS.CpuUsage | undefined

/** Handles one complete SSE block (the text between blank lines): notes an event's parse time by its id. */
function onBlock(block: string): boolean {
  let data = ''
  for (const line of block.split('\n')) if (line.startsWith('data: ')) data += line.slice(6)
  if (!data) return false
  const event = JSON.parse(data) as { id: string; type: string }
  const at = Number(process.hrtime.bigint())
  let times = parsedAt.get(event.id)
  if (!times) {
    times = []
    parsedAt.set(event.id, times)
  }
  times.push(at)
  if (times.length === subscribers) send({ type: 'complete', id: event.id })
  return true
}

/** Opens one subscriber's stream; resolves when its first frame (`: connected`) arrived. */
function subscribe(port: number, userId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/ringline/events',
        headers: { accept: 'text/event-stream', 'x-bench-user': userId },
        agent,
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`HTTP ${res.statusCode} for ${userId}`))
          res.resume()
          return
        }
        res.setEncoding('utf8')
        let buffer = ''
        let first = true
        res.on('data', (chunk: string) => {
          buffer += chunk
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            onBlock(block)
            if (first) {
              first = false
              resolve()
            }
          }
        })
        res.on('error', () => {
          errors += 1
        })
      },
    )
    req.on('error', (error) => {
      errors += 1
      reject(error)
    })
    req.end()
  })
}

process.on('message', async (message: ToClient) => {
  if (message.type === 'connect') {
    subscribers = message.subscribers
    agent = new Agent({ keepAlive: true, maxSockets: subscribers + 16, maxTotalSockets: subscribers + 16 })
    const start = performance.now()
    const outcomes = await Promise.allSettled(
      Array.from({ length: subscribers }, (_, i) => subscribe(message.port, `u${i}`)),
    )
    const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')
    cpuSinceConnected = process.cpuUsage()
    send({
      type: 'connected',
      ms: performance.now() - start,
      failed: failures.length,
      ...(failures[0] ? { firstError: String(failures[0].reason) } : {}),
    })
  } else if (message.type === 'results') {
    const cpu = process.cpuUsage(cpuSinceConnected)
    const cpuMs = (cpu.user + cpu.system) / 1000
    send({ type: 'results', parsedAt: Object.fromEntries(parsedAt), errors, cpuMs }, () => {
      agent?.destroy()
      process.disconnect()
    })
  }
})

send({ type: 'spawned' })
