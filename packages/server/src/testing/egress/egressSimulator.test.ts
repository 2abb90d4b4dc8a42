import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  EgressClient,
  EncodedFileOutput,
  EncodedFileType,
  S3Upload,
  WebhookReceiver,
} from 'livekit-server-sdk'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createEgressSimulator, type EgressSimulator } from './egressSimulator'

const key = 'sim-key'
const secret = 'sim-secret-0123456789abcdef0123456789'
const received: { headers: IncomingHttpHeaders; body: string; status: number }[] = []
let failFirst = true
const hook = createServer((req, res) => {
  let body = ''
  req.on('data', (c: Buffer) => {
    body += c.toString()
  })
  req.on('end', () => {
    const status = failFirst ? 503 : 200
    failFirst = false
    received.push({ headers: req.headers, body, status })
    res.writeHead(status).end()
  })
})
let sim: EgressSimulator
const server = setupServer()

beforeAll(async () => {
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve))
  const { port } = hook.address() as AddressInfo
  sim = createEgressSimulator({
    livekitUrl: 'ws://livekit.test',
    apiKey: key,
    apiSecret: secret,
    verifyRoom: false,
    retryDelayMs: 10,
    webhook: `http://127.0.0.1:${port}/webhooks/livekit`,
  })
  server.use(...sim.handlers)
  server.listen({ onUnhandledRequest: 'bypass' })
})

afterAll(async () => {
  server.close()
  await new Promise((resolve) => hook.close(resolve))
})

it('sends webhooks like livekit-server: bare JWT with sha256 claim, webhook+json, protojson, retried on 5xx', async () => {
  const client = new EgressClient('ws://livekit.test', key, secret)
  const info = await client.startRoomCompositeEgress(
    'room-1',
    {
      file: new EncodedFileOutput({
        fileType: EncodedFileType.OGG,
        filepath: 'a/b.ogg',
        output: {
          case: 's3',
          value: new S3Upload({
            bucket: 'b',
            region: 'r',
            accessKey: 'k',
            secret: 's',
            endpoint: 'http://127.0.0.1:1',
            forcePathStyle: true,
          }),
        },
      }),
    },
    { audioOnly: true },
  )
  expect(info.egressId).toMatch(/^EG_/)
  await sim.idle()

  // The first delivery got 503 and was retried with the same event id.
  expect(received.map((r) => r.status)).toEqual([503, 200, 200])
  const [first, retry] = received
  expect(JSON.parse(first!.body).id).toBe(JSON.parse(retry!.body).id)
  for (const r of received) {
    expect(r.headers['content-type']).toBe('application/webhook+json')
    expect(r.headers.authorization).toMatch(/^eyJ/)
  }
  const receiver = new WebhookReceiver(key, secret)
  const event = await receiver.receive(retry!.body, retry!.headers.authorization)
  expect(event.event).toBe('egress_started')
  expect(event.egressInfo?.egressId).toBe(info.egressId)
  await expect(receiver.receive(`${retry!.body} `, retry!.headers.authorization)).rejects.toThrow(/sha256/)

  // protojson: lowerCamelCase names, enums by name, int64 as strings, zero values omitted.
  const json = JSON.parse(received[2]!.body)
  expect(json.event).toBe('egress_updated')
  expect(json.egressInfo.status).toBe('EGRESS_ACTIVE')
  expect(typeof json.egressInfo.updatedAt).toBe('string')
  expect(json.egressInfo.roomName).toBe('room-1')
  expect(typeof json.createdAt).toBe('string')
  expect(json.egressInfo.error).toBeUndefined()

  const listed = await client.listEgress({ roomName: 'room-1', active: true })
  expect(listed.map((e) => e.egressId)).toEqual([info.egressId])
  await client.stopEgress(info.egressId)
  await expect(client.stopEgress(info.egressId)).rejects.toMatchObject({
    code: 'failed_precondition',
    status: 412,
  })
  await expect(client.stopEgress('EG_nope')).rejects.toMatchObject({ code: 'not_found' })
  await sim.idle()
  // The upload fails (nothing listens on port 1), so the egress ends FAILED with the reason.
  const ended = JSON.parse(received.at(-1)!.body)
  expect(ended.event).toBe('egress_ended')
  expect(ended.egressInfo.status).toBe('EGRESS_FAILED')
  expect(ended.egressInfo.error).toMatch(/failed to upload a\/b\.ogg/)
  expect(await client.listEgress({ roomName: 'room-1', active: true })).toEqual([])
})
