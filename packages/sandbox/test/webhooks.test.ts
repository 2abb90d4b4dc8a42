import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebhookReceiver } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { itWithSip } from '../src/vitest'
import { info, joinRoom, rooms, sandbox, sip, unique, until } from './helpers'

interface Received {
  body: string
  authorization: string | undefined
  contentType: string | undefined
}

let server: Server
let url: string
const received: Received[] = []
let answer = 200

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
      })
      res.writeHead(answer)
      res.end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/livekit`
})

afterAll(async () => {
  await sandbox.webhooks.close()
  await new Promise<void>((r) => server.close(() => r()))
})

const receiver = new WebhookReceiver(info.livekit.apiKey, info.livekit.apiSecret)

describe('webhooks through the relay', () => {
  test('room_started, participant_joined, participant_left, room_finished reach a local receiver and verify', async () => {
    const prefix = unique('t-wh')
    const roomName = `${prefix}-room`
    const unsubscribe = await sandbox.webhooks.forward(url, { roomPrefix: prefix })
    // A second subscriber (SSE, another room filter) must not see these events.
    const other = await sandbox.webhooks.subscribe(undefined, { roomPrefix: unique('t-wh-other') })
    const stream = await sandbox.webhooks.subscribe(undefined, { roomPrefix: prefix })

    const seen = () =>
      received
        .map((r) => JSON.parse(r.body) as { event: string; room?: { name: string } })
        .filter((e) => e.room?.name === roomName)
    const p = await joinRoom(roomName, 'webhook-agent')
    // LiveKit says participant_joined once the participant's media connects; leaving before that (a busy machine)
    // is reported as participant_connection_aborted instead. Leave once it has joined.
    await until(
      () => `participant_joined at the receiver (got ${JSON.stringify(seen().map((e) => e.event))})`,
      () => seen().some((e) => e.event === 'participant_joined'),
      30_000,
    )
    await p.leave()
    await rooms.deleteRoom(roomName).catch(() => undefined)

    const wanted = ['room_started', 'participant_joined', 'participant_left', 'room_finished']
    await until(
      () =>
        `all four webhooks at the receiver (got ${JSON.stringify(seen().map((e) => e.event))}; the relay saw ${JSON.stringify(stream.deliveries.map((d) => d.event))})`,
      () => wanted.every((n) => seen().some((e) => e.event === n)),
      30_000,
    )
    // Each one verifies with the sandbox key pair, as LiveKit's own webhooks do.
    const events = await Promise.all(received.map((r) => receiver.receive(r.body, r.authorization)))
    const mine = events.filter((e) => e.room?.name === roomName)
    expect(mine.find((e) => e.event === 'participant_joined')?.participant?.identity).toBe('webhook-agent')
    expect(received.every((r) => r.contentType === 'application/webhook+json')).toBe(true)
    // A tampered body does not verify.
    const first = received[0]!
    await expect(receiver.receive(`${first.body} `, first.authorization)).rejects.toThrow()

    // The SSE stream got the same deliveries; the other filter got none.
    await stream.waitFor((d) => d.event === 'room_finished' && d.room === roomName, 10_000)
    expect(stream.deliveries.map((d) => d.body)).toEqual(expect.arrayContaining(received.map((r) => r.body)))
    expect(other.deliveries).toEqual([])
    stream.close()
    other.close()
    await unsubscribe()

    // After unsubscribing, nothing more arrives here.
    const before = received.length
    const p2 = await joinRoom(`${prefix}-again`, 'webhook-agent-2')
    await p2.leave()
    const recent = await until('the relay to see the next room', async () =>
      (await sandbox.webhooks.recent({ roomPrefix: `${prefix}-again` })).find(
        (d) => d.event === 'participant_left',
      ),
    )
    expect(recent.authorization).toBeTruthy()
    expect(received.length).toBe(before)
  })

  test('a subscriber answering 5xx makes LiveKit retry the event', async () => {
    const prefix = unique('t-wh-retry')
    received.length = 0
    answer = 503
    const unsubscribe = await sandbox.webhooks.forward(url, { roomPrefix: prefix })
    try {
      const p = await joinRoom(`${prefix}-room`, 'retry-agent')
      const joinedCount = () =>
        received.filter((r) => (JSON.parse(r.body) as { event: string }).event === 'participant_joined')
          .length
      await until('a retried participant_joined', () => joinedCount() >= 2, 30_000)
      const ids = received
        .map((r) => JSON.parse(r.body) as { id: string; event: string })
        .filter((e) => e.event === 'participant_joined')
        .map((e) => e.id)
      expect(new Set(ids).size).toBe(1) // the same event, delivered again
      answer = 200
      await p.leave()
    } finally {
      answer = 200
      await unsubscribe()
    }
  })

  itWithSip('participant_left of a rejected SIP call carries USER_REJECTED / USER_UNAVAILABLE', async () => {
    const prefix = unique('t-wh-reason')
    const stream = await sandbox.webhooks.subscribe(undefined, { roomPrefix: prefix })
    try {
      const cases = [
        { number: info.phone.numbers.busy, reason: 'USER_REJECTED' },
        { number: info.phone.numbers.decline, reason: 'USER_REJECTED' },
        { number: info.phone.numbers.noAnswer, reason: 'USER_UNAVAILABLE' },
      ]
      for (const c of cases) {
        const roomName = `${prefix}-${c.number.slice(-2)}`
        await sip
          .createSipParticipant(info.sip.outboundTrunkId, c.number, roomName, {
            participantIdentity: 'callee',
            waitUntilAnswered: true,
            ringingTimeout: 2,
          })
          .then(
            () => {
              throw new Error(`${c.number} answered`)
            },
            () => undefined,
          )
        const left = await stream.waitFor(
          (d) => d.event === 'participant_left' && d.room === roomName,
          15_000,
        )
        const event = await receiver.receive(left.body, left.authorization)
        expect(event.participant?.identity).toBe('callee')
        const raw = JSON.parse(left.body) as { participant: { disconnectReason: string; kind: string } }
        expect(raw.participant.kind).toBe('SIP')
        expect(raw.participant.disconnectReason, c.number).toBe(c.reason)
      }
    } finally {
      stream.close()
    }
  })
})
