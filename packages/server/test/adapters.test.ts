import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNextHandlers } from '../src/adapters/next'
import { toNodeHandler } from '../src/adapters/node'
import { testRingline, USERS } from './helpers'
import { SseReader } from './sse'
import { signedWebhook } from './webhookSigner'

describe('toNodeHandler', () => {
  const ringline = testRingline()
  const node = toNodeHandler(ringline)
  let server: Server
  let base: string
  // Simulates Express having buffered the body already (express.raw / a rawBody-keeping json parser).
  let prebuffer: ((req: IncomingMessage) => Promise<void>) | undefined
  beforeAll(async () => {
    server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
      if (prebuffer) await prebuffer(req)
      await node(req, res)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    await ringline.close()
  })

  it('serves JSON routes with status, headers and body', async () => {
    const res = await fetch(`${base}/api/ringline/rooms/node-room/join`, {
      method: 'POST',
      headers: { authorization: 'Bearer alice', 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ displayName: 'Al' }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-request-id')).toBeTruthy()
    expect((await res.json()).room.roomName).toBe('int-acme-node-room')
  })

  it('passes a webhook body through byte for byte, streamed or already buffered', async () => {
    for (const mode of ['stream', 'buffer'] as const) {
      prebuffer =
        mode === 'buffer'
          ? async (req) => {
              const chunks: Buffer[] = []
              for await (const c of req) chunks.push(c as Buffer)
              ;(req as IncomingMessage & { body?: Buffer }).body = Buffer.concat(chunks)
            }
          : undefined
      const signed = await signedWebhook({
        event: 'room_started',
        room: { name: 'int-acme-ünïcode', sid: 'RM_n' },
      })
      const res = await fetch(`${base}/api/ringline/webhooks/livekit`, {
        method: 'POST',
        headers: Object.fromEntries(signed.headers),
        body: await signed.text(),
      })
      expect(res.status, mode).toBe(200)
    }
    prebuffer = undefined
  })

  it('streams SSE responses as they are produced', async () => {
    const controller = new AbortController()
    const res = await fetch(`${base}/api/ringline/events`, {
      headers: { authorization: 'Bearer alice' },
      signal: controller.signal,
    })
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const reader = new SseReader(res)
    await reader.until((f) => f.some((x) => x.comment === 'connected'))
    await ringline.api.joinRoom(USERS.bob!, 'streamed')
    await reader.until((f) => f.some((x) => (x.data as { name?: string })?.name === 'streamed'))
    controller.abort()
  })

  it('does not touch globals', () => {
    expect(globalThis.fetch.name).toBe('fetch')
    expect(typeof (globalThis as { Request?: unknown }).Request).toBe('function')
  })
})

describe('toNextHandlers', () => {
  it('maps every method to the handler', async () => {
    const seen: string[] = []
    const handlers = toNextHandlers(async (request) => {
      seen.push(request.method)
      return new Response(null, { status: 204 })
    })
    for (const method of ['GET', 'POST', 'PUT', 'DELETE'] as const) {
      const res = await handlers[method](new Request('http://x/api/ringline/health', { method }))
      expect(res.status).toBe(204)
    }
    expect(seen).toEqual(['GET', 'POST', 'PUT', 'DELETE'])
  })
})
