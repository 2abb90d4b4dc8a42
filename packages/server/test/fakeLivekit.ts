import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One Twirp method of the fake: gets the JSON body, returns the JSON answer. */
export type TwirpMethod = (body: Record<string, unknown>) => unknown | Promise<unknown>

/**
 * A LiveKit server API on 127.0.0.1 that answers the Twirp methods given (`'RoomService/DeleteRoom'`, …) and 404s
 * the rest, for races a real livekit-server cannot be made to lose on cue. Every call is recorded in `calls`.
 */
export async function fakeLivekitApi(methods: Record<string, TwirpMethod>): Promise<{
  url: string
  calls: Array<{ method: string; body: Record<string, unknown> }>
  close(): Promise<void>
}> {
  const calls: Array<{ method: string; body: Record<string, unknown> }> = []
  const server = createServer((request, response) => {
    let raw = ''
    request.on('data', (chunk) => {
      raw += chunk
    })
    request.on('end', async () => {
      const method = request.url?.replace(/^\/twirp\/livekit\./, '') ?? ''
      const handle = methods[method]
      if (!handle) {
        response.writeHead(404, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ code: 'bad_route', msg: `no handler for ${method}` }))
        return
      }
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>
      calls.push({ method, body })
      try {
        const answer = await handle(body)
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer ?? {}))
      } catch (error) {
        response.writeHead(500, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ code: 'internal', msg: (error as Error).message }))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
