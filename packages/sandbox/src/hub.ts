/**
 * The sandbox hub: one small Node process next to the real servers.
 *
 * - Webhook relay: livekit-server posts every webhook to `POST /webhook`; the hub forwards the raw body and
 *   `Authorization` header unchanged to each subscriber (URL targets, or Server-Sent Events streams), so
 *   several test files and the user's app can all receive webhooks from the one livekit-server, each
 *   optionally filtered by room-name prefix.
 * - The phone's RTP endpoint: the SDP of every phone call points here. It echoes audio back to livekit-sip
 *   (so its media timeout never fires and a room hears itself) and records RFC 4733 digits and audio level.
 * - The phone's log: it follows sipp's message traces and answers `GET /phone/calls` with each call the
 *   phone saw, the digits it received and the audio it heard.
 * - Transfers: when the phone (sipp) accepts a REFER, the hub places the call to the Refer-To target as the
 *   transferee would, then tells that sipp call the target's final answer with an in-dialog INFO
 *   (`X-Transfer-Result: 200 OK`), which the phone reports to LiveKit by NOTIFY (scenarios/phone.xml).
 */
import { randomUUID } from 'node:crypto'
import { createSocket, type RemoteInfo } from 'node:dgram'
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { PHONE_NUMBERS, PHONE_TRANSFER_LEG_MS } from './config'
import { dtmfDigit, toneRtpPacket } from './pcap'
import { Phone } from './phone'
import { CallTracker, type PhoneTransfer, SippTraceParser, type TraceCall } from './sipp-trace'
import type { PhoneCallRecord, SandboxInfo, WebhookDelivery } from './types'

export interface HubConfig {
  httpPort: number
  rtpPort: number
  /** The phone simulator's message trace (sipp UAS). */
  phoneTrace: string
  /** Directory of placed calls: `<dir>/<id>/messages.log` (sipp UAC traces). */
  callsDir: string
  /** Targets that get every webhook from the start (e.g. `up --webhook-url`). */
  webhookUrls: string[]
  /** What the hub needs to place the calls of transfers the phone accepts; absent: REFERs get no call. */
  transfers?: {
    /** The phone's (sipp UAS) SIP port on 127.0.0.1: INFOs with the transfer's result go there. */
    phonePort: number
    /** livekit-sip's address (`127.0.0.1:5060`), for targets that are LiveKit's numbers; null without it. */
    sipAddress: string | null
    sipp: string
    stateDir: string
  }
}

/** Numbers LiveKit answers in the sandbox (inbound, free, caller id: +1555000…): a transfer to one goes to livekit-sip. */
const LIVEKIT_NUMBER = /^\+1555000\d{4}$/

/** `tel:+1555…`, `sip:+1555…@host`, `<sip:…>` → `+1555…` (null when the target names no number). */
export function targetNumber(referTo: string): string | null {
  const m = /^<?(?:tel:|sips?:)([^@;>]+)/i.exec(referTo.trim())
  const user = m ? decodeURIComponent(m[1]!).replace(/[\s()-]/g, '') : ''
  if (/^\+?\d{6,15}$/.test(user)) return user.startsWith('+') ? user : `+${user}`
  return null
}

interface Subscription {
  id: string
  url?: string
  roomPrefix?: string
  persistent: boolean
  /** From the hub config (`up --webhook-url`): never removed. */
  pinned?: boolean
  refusals: number
  stream?: ServerResponse
}

interface RtpSession {
  source: string
  firstAt: number
  lastAt: number
  packets: number
  audioPackets: number
  sumSquares: number
  samples: number
  /** Audio level over time: one [bucket start, sum of squares, samples] per LEVEL_BUCKET_MS with audio. */
  levels: Array<[number, number, number]>
  dtmf: { at: number; digit: string }[]
  lastEventKey: string
}

const SESSION_GAP_MS = 5000
/** Width of one audio-level bucket, and how many are kept per RTP session (10 minutes). */
const LEVEL_BUCKET_MS = 100
const MAX_LEVEL_BUCKETS = 6000
const MAX_RECENT = 500

/** μ-law byte → 16-bit linear sample (ITU-T G.711). */
function ulaw(b: number): number {
  const u = ~b & 0xff
  const t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)
  return u & 0x80 ? 0x84 - t : t - 0x84
}

/** A-law byte → 16-bit linear sample. */
function alaw(b: number): number {
  const a = b ^ 0x55
  const seg = (a & 0x70) >> 4
  let t = (a & 0x0f) << 4
  t = seg === 0 ? t + 8 : seg === 1 ? t + 0x108 : (t + 0x108) << (seg - 1)
  return a & 0x80 ? t : -t
}

class TraceFollower {
  private offset = 0
  private parser = new SippTraceParser()
  readonly tracker = new CallTracker()
  constructor(readonly path: string) {}

  poll(): void {
    if (!existsSync(this.path)) return
    const size = statSync(this.path).size
    if (size < this.offset) {
      // truncated (a restarted sipp): start over
      this.offset = 0
      this.parser = new SippTraceParser()
    }
    if (size === this.offset) return
    const fd = openSync(this.path, 'r')
    try {
      const buf = Buffer.alloc(size - this.offset)
      readSync(fd, buf, 0, buf.length, this.offset)
      this.offset = size
      for (const msg of this.parser.push(buf.toString('utf8'))) this.tracker.add(msg)
    } finally {
      closeSync(fd)
    }
  }

  /** Also parse the last entry (sipp writes each entry at once, so a trailing one is complete). */
  drain(): void {
    for (const msg of this.parser.flush()) this.tracker.add(msg)
  }
}

export async function startHub(config: HubConfig): Promise<{ close(): Promise<void> }> {
  const subscriptions = new Map<string, Subscription>()
  const recent: WebhookDelivery[] = []
  let nextId = 1
  for (const url of config.webhookUrls) {
    const id = `s${nextId++}`
    subscriptions.set(id, { id, url, persistent: true, pinned: true, refusals: 0 })
  }

  // ---- phone RTP endpoint ----
  const sessions = new Map<string, RtpSession[]>()
  const rtp = createSocket('udp4')
  rtp.on('message', (packet: Buffer, rinfo: RemoteInfo) => {
    if (packet.length < 12 || packet[0]! >> 6 !== 2) return
    const now = Date.now()
    const source = `${rinfo.address}:${rinfo.port}`
    let list = sessions.get(source)
    if (!list) {
      list = []
      sessions.set(source, list)
    }
    let s = list[list.length - 1]
    if (!s || now - s.lastAt > SESSION_GAP_MS) {
      s = {
        source,
        firstAt: now,
        lastAt: now,
        packets: 0,
        audioPackets: 0,
        sumSquares: 0,
        samples: 0,
        levels: [],
        dtmf: [],
        lastEventKey: '',
      }
      list.push(s)
      if (list.length > 50) list.shift()
    }
    s.lastAt = now
    s.packets++
    const pt = packet[1]! & 0x7f
    const cc = packet[0]! & 0x0f
    const hasExt = (packet[0]! & 0x10) !== 0
    let offset = 12 + cc * 4
    if (hasExt && packet.length >= offset + 4) offset += 4 + packet.readUInt16BE(offset + 2) * 4
    const payload = packet.subarray(offset)
    if (pt >= 96 && payload.length >= 4 && payload.length % 4 === 0) {
      // RFC 4733 telephone-event (livekit-sip uses a dynamic payload type): one digit per RTP timestamp.
      const key = `${packet.readUInt32BE(8)}:${packet.readUInt32BE(4)}`
      const digit = dtmfDigit(payload[0]!)
      if (digit !== undefined && key !== s.lastEventKey) {
        s.lastEventKey = key
        s.dtmf.push({ at: now, digit })
      }
      return // never echo DTMF back: the room would "receive" its own digits
    }
    if (pt === 0 || pt === 8) {
      s.audioPackets++
      let squares = 0
      for (const b of payload) {
        const v = pt === 0 ? ulaw(b) : alaw(b)
        squares += v * v
      }
      s.sumSquares += squares
      s.samples += payload.length
      const bucket = now - (now % LEVEL_BUCKET_MS)
      const last = s.levels[s.levels.length - 1]
      if (last && last[0] === bucket) {
        last[1] += squares
        last[2] += payload.length
      } else {
        s.levels.push([bucket, squares, payload.length])
        if (s.levels.length > MAX_LEVEL_BUCKETS) s.levels.shift()
      }
    } else {
      s.audioPackets++
    }
    if (rinfo.port > 0) rtp.send(packet, rinfo.port, rinfo.address) // echo
  })
  await new Promise<void>((resolve, reject) => {
    rtp.once('error', reject)
    rtp.bind({ port: config.rtpPort, address: '127.0.0.1', exclusive: true }, () => resolve())
  })

  // ---- phone traces ----
  const followers = new Map<string, TraceFollower>()
  const phoneFollower = new TraceFollower(config.phoneTrace)
  followers.set(config.phoneTrace, phoneFollower)
  const pollTraces = () => {
    if (existsSync(config.callsDir)) {
      for (const id of readdirSync(config.callsDir)) {
        const path = join(config.callsDir, id, 'messages.log')
        if (!followers.has(path) && existsSync(path)) followers.set(path, new TraceFollower(path))
      }
    }
    for (const f of followers.values()) {
      try {
        f.poll()
        f.drain()
      } catch {}
    }
  }

  // ---- transfers the phone accepted (REFER → 202): call the target, report its answer ----
  const transferLegs = new Map<string, string>() // `${callId}#${index}` → the placed call's Call-ID
  const transferPhone = config.transfers ? transferPlacer(config.transfers, config) : undefined
  const followTransfers = () => {
    if (!config.transfers || !transferPhone) return
    try {
      phoneFollower.poll()
      phoneFollower.drain()
    } catch {
      return
    }
    // The phone's own trace (LiveKit's calls to it) here; calls placed by `phone.call` are followed by pollTraces.
    for (const follower of followers.values()) {
      for (const call of follower.tracker.calls.values()) {
        call.transfers.forEach((t, index) => {
          const key = `${call.callId}#${index}`
          if (!t.accepted || transferLegs.has(key) || call.endedAt !== null) return
          transferLegs.set(key, '')
          void runTransfer(follower, call, t, index, key).catch((e: unknown) => {
            console.error(`[hub] transfer of ${call.callId} to ${t.to} failed: ${(e as Error).message}`)
          })
        })
      }
    }
  }
  const runTransfer = async (
    follower: TraceFollower,
    call: TraceCall,
    t: PhoneTransfer,
    index: number,
    key: string,
  ) => {
    const cfg = config.transfers!
    const target = targetNumber(t.to)
    let result = '404 Not Found'
    if (target) {
      const toLiveKit = LIVEKIT_NUMBER.test(target)
      if (toLiveKit && !cfg.sipAddress) {
        result = '503 Service Unavailable'
      } else {
        // The transferee calls the target: from its own number, saying who referred it. Calling another phone
        // number, its voice (a tone) comes from a socket of the hub's, which the INVITE's SDP offers.
        const voice = toLiveKit ? undefined : await toneSender(config.rtpPort)
        const leg = transferPhone!.placeCall(
          target,
          {
            from: self(call),
            timeoutMs: 120_000,
            ...(toLiveKit ? {} : { hangupAfterMs: PHONE_TRANSFER_LEG_MS }),
          },
          {
            via: toLiveKit ? cfg.sipAddress! : `127.0.0.1:${cfg.phonePort}`,
            headers: [`Referred-By: <sip:${other(call)}@127.0.0.1>`],
            ...(voice ? { sdpMediaPort: voice.port } : {}),
          },
        )
        transferLegs.set(key, leg.callId)
        // Its outcome is waited on below only when it was not answered; never let it reject unheard.
        void leg.result
          .catch((e: unknown) => {
            console.error(`[hub] the transfer call to ${target} failed: ${(e as Error).message}`)
          })
          .finally(() => voice?.stop())
        if (await leg.answered) {
          result = '200 OK'
          voice?.start()
        } else {
          const r = await leg.result.catch(() => null)
          result = r?.status ? `${r.status} ${r.reason || 'Failed'}` : '408 Request Timeout'
        }
      }
    }
    // sipp takes the INFO only once it waits for it: after its "100 Trying" NOTIFY (one per REFER before) was answered.
    const deadline = Date.now() + 10_000
    while ((follower.tracker.notifyAnswers.get(call.callId) ?? 0) < 2 * index + 1) {
      if (Date.now() > deadline || call.endedAt !== null) return
      await new Promise((r) => setTimeout(r, 50))
      follower.poll()
    }
    // The phone (sipp UAS) for LiveKit's calls; the sipp of that call for calls placed by `phone.call`.
    const address =
      call.direction === 'to-phone'
        ? `127.0.0.1:${cfg.phonePort}`
        : follower.tracker.localAddress.get(call.callId)
    if (address) await sendTransferResult(address, call.callId, result)
  }
  const callRecords = (number?: string, since = 0): PhoneCallRecord[] => {
    pollTraces()
    const out: PhoneCallRecord[] = []
    for (const f of followers.values()) {
      for (const c of f.tracker.calls.values()) {
        if (c.invitedAt < since) continue
        if (number && normalize(c.number) !== normalize(number)) continue
        const windowEnd = (c.endedAt ?? Date.now()) + 2000
        const matched = (c.remoteRtp ? (sessions.get(c.remoteRtp) ?? []) : []).filter(
          (s) => s.lastAt >= c.invitedAt && s.firstAt <= windowEnd,
        )
        const dtmf = matched
          .flatMap((s) => s.dtmf)
          .filter((d) => d.at >= c.invitedAt && d.at <= windowEnd)
          .sort((a, b) => a.at - b.at)
        const sumSquares = matched.reduce((n, s) => n + s.sumSquares, 0)
        const samples = matched.reduce((n, s) => n + s.samples, 0)
        const levels = matched
          .flatMap((s) => s.levels)
          .filter(([at]) => at >= c.invitedAt - LEVEL_BUCKET_MS && at <= windowEnd)
          .sort((a, b) => a[0] - b[0])
          .map(([at, squares, n]) => ({ at, rms: Math.sqrt(squares / n) / 32768 }))
        out.push({
          ...c,
          transfers: c.transfers.map((t, i) => ({
            ...t,
            callId: transferLegs.get(`${c.callId}#${i}`) || null,
          })),
          dtmfReceived: dtmf.map((d) => d.digit).join(''),
          audio: {
            packets: matched.reduce((n, s) => n + s.audioPackets, 0),
            rms: samples > 0 ? Math.sqrt(sumSquares / samples) / 32768 : 0,
            levels,
          },
        })
      }
    }
    return out.sort((a, b) => a.invitedAt - b.invitedAt)
  }

  // ---- webhook relay ----
  const matches = (sub: Subscription, room: string | undefined) =>
    !sub.roomPrefix || room?.startsWith(sub.roomPrefix)

  const deliver = async (delivery: WebhookDelivery): Promise<number> => {
    let worst = 200
    const targets = [...subscriptions.values()].filter((s) => matches(s, delivery.room))
    await Promise.all(
      targets.map(async (sub) => {
        if (sub.stream) {
          sub.stream.write(`id: ${delivery.id}\nevent: webhook\ndata: ${JSON.stringify(delivery)}\n\n`)
          return
        }
        try {
          const res = await fetch(sub.url!, {
            method: 'POST',
            headers: {
              'content-type': delivery.contentType,
              ...(delivery.authorization ? { authorization: delivery.authorization } : {}),
            },
            body: delivery.body,
            signal: AbortSignal.timeout(10_000),
          })
          await res.arrayBuffer().catch(() => undefined)
          sub.refusals = 0
          if (res.status >= 500 || res.status === 429) worst = Math.max(worst, 502)
        } catch (e) {
          const code = (e as { cause?: { code?: string } }).cause?.code
          if (code === 'ECONNREFUSED' && !sub.persistent) {
            // A test process that went away without unsubscribing: drop it after a few tries.
            if (++sub.refusals >= 3) subscriptions.delete(sub.id)
            return
          }
          worst = Math.max(worst, 502)
        }
      }),
    )
    return worst
  }

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      req.on('error', reject)
    })

  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(value))
  }

  let deliveries = 0
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const path = url.pathname
      if (req.method === 'GET' && path === '/health') {
        return json(res, 200, { ok: true, pid: process.pid, subscriptions: subscriptions.size, deliveries })
      }
      if (req.method === 'POST' && path === '/webhook') {
        const body = await readBody(req)
        let event: string | undefined
        let room: string | undefined
        let id = `hub-${Date.now()}-${deliveries}`
        try {
          const parsed = JSON.parse(body) as { id?: string; event?: string; room?: { name?: string } }
          event = parsed.event
          room = parsed.room?.name
          if (parsed.id) id = parsed.id
        } catch {}
        deliveries++
        const delivery: WebhookDelivery = {
          id,
          event: event ?? 'unknown',
          room,
          receivedAt: Date.now(),
          contentType: String(req.headers['content-type'] ?? 'application/webhook+json'),
          authorization: req.headers.authorization,
          body,
        }
        recent.push(delivery)
        if (recent.length > MAX_RECENT) recent.shift()
        const status = await deliver(delivery)
        res.writeHead(status === 200 ? 200 : 502)
        return res.end()
      }
      if (req.method === 'GET' && path === '/webhooks/recent') {
        const prefix = url.searchParams.get('roomPrefix') ?? ''
        const since = Number(url.searchParams.get('since') ?? 0)
        return json(
          res,
          200,
          recent.filter((d) => d.receivedAt >= since && (!prefix || d.room?.startsWith(prefix))),
        )
      }
      if (req.method === 'GET' && path === '/webhooks/stream') {
        const id = `s${nextId++}`
        const roomPrefix = url.searchParams.get('roomPrefix') || undefined
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        })
        res.write(`event: ready\ndata: ${JSON.stringify({ id })}\n\n`)
        subscriptions.set(id, { id, roomPrefix, persistent: false, refusals: 0, stream: res })
        req.on('close', () => subscriptions.delete(id))
        return
      }
      if (req.method === 'POST' && path === '/webhooks/subscriptions') {
        const body = JSON.parse(await readBody(req)) as {
          url?: string
          roomPrefix?: string
          persistent?: boolean
        }
        if (!body.url || !/^https?:\/\//.test(body.url))
          return json(res, 400, { error: 'url (http or https) is required' })
        // The same target and filter twice (e.g. two `up --webhook-url`) is one subscription.
        const same = [...subscriptions.values()].find(
          (x) => x.url === body.url && (x.roomPrefix ?? '') === (body.roomPrefix ?? ''),
        )
        if (same) {
          same.persistent ||= body.persistent === true
          return json(res, 201, { id: same.id })
        }
        const id = `s${nextId++}`
        subscriptions.set(id, {
          id,
          url: body.url,
          roomPrefix: body.roomPrefix || undefined,
          persistent: body.persistent === true,
          refusals: 0,
        })
        return json(res, 201, { id })
      }
      const del = /^\/webhooks\/subscriptions\/([\w-]+)$/.exec(path)
      if (req.method === 'DELETE' && del) {
        const sub = subscriptions.get(del[1]!)
        if (sub && !sub.pinned) subscriptions.delete(sub.id)
        return json(res, sub ? 200 : 404, { ok: !!sub })
      }
      if (req.method === 'GET' && path === '/phone/calls') {
        const number = url.searchParams.get('number') ?? undefined
        const since = Number(url.searchParams.get('since') ?? 0)
        return json(res, 200, callRecords(number, since))
      }
      json(res, 404, { error: 'not found' })
    } catch (e) {
      json(res, 500, { error: (e as Error).message })
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port: config.httpPort, host: '127.0.0.1', exclusive: true }, () => resolve())
  })
  const timer = setInterval(pollTraces, 250)
  timer.unref()
  // A REFER is waited on: follow the phone's own trace more often than the rest.
  const transferTimer = setInterval(followTransfers, 100)
  transferTimer.unref()

  return {
    async close() {
      clearInterval(timer)
      clearInterval(transferTimer)
      for (const s of subscriptions.values()) s.stream?.end()
      server.closeAllConnections?.()
      await new Promise<void>((r) => server.close(() => r()))
      await new Promise<void>((r) => rtp.close(() => r()))
    },
  }
}

/** The transferee's own number: the number LiveKit called (to-phone), or the one the phone called from. */
function self(call: TraceCall): string {
  return call.direction === 'to-phone' ? call.number : call.from
}

/** The other party of a call (who sent the REFER): LiveKit's caller id, or the LiveKit number the phone called. */
function other(call: TraceCall): string {
  return call.direction === 'to-phone' ? call.from : call.number
}

/**
 * The transferred caller's voice toward the phone: a UDP socket of its own (its port goes in the INVITE's SDP, so
 * the hub's RTP endpoint files what arrives from it under the target's call) sending a 440 Hz tone every 20 ms.
 */
async function toneSender(rtpPort: number): Promise<{ port: number; start(): void; stop(): void }> {
  const sock = createSocket('udp4')
  sock.on('message', () => {}) // the hub's echo of the tone
  sock.on('error', () => {})
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()))
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  return {
    port: sock.address().port,
    start() {
      if (timer || stopped) return
      let i = 0
      const t0 = Date.now()
      timer = setInterval(() => {
        // Catch up on timer drift so the stream keeps real time on a busy machine.
        while (i <= (Date.now() - t0) / 20) sock.send(toneRtpPacket(i++), rtpPort, '127.0.0.1')
      }, 20)
    },
    stop() {
      stopped = true
      if (timer) clearInterval(timer)
      sock.close()
    },
  }
}

/** A `Phone` in the hub, placing the calls of transfers (it needs only these fields of the sandbox's info). */
function transferPlacer(cfg: NonNullable<HubConfig['transfers']>, hub: HubConfig): Phone {
  const info = {
    sip: { available: true, address: cfg.sipAddress ?? `127.0.0.1:${cfg.phonePort}` },
    phone: { numbers: { ...PHONE_NUMBERS }, address: `127.0.0.1:${cfg.phonePort}`, defaultCaller: '' },
    stateDir: cfg.stateDir,
    ports: { phoneRtp: hub.rtpPort },
    binaries: { sipp: cfg.sipp },
    webhooks: { hubUrl: `http://127.0.0.1:${hub.httpPort}` },
  }
  return new Phone(info as unknown as SandboxInfo)
}

/** Tells the phone's call `callId` (waiting in scenarios/phone.xml) the transfer's result, by an in-dialog INFO. */
async function sendTransferResult(address: string, callId: string, result: string): Promise<void> {
  const [host = '127.0.0.1', portText = ''] = address.split(':')
  const phonePort = Number(portText)
  const sock = createSocket('udp4')
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()))
  const port = sock.address().port
  const msg = [
    `INFO sip:phone@${host}:${phonePort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${randomUUID()}`,
    `From: <sip:hub@127.0.0.1:${port}>;tag=hub`,
    `To: <sip:phone@${host}:${phonePort}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INFO',
    'Max-Forwards: 70',
    `X-Transfer-Result: ${result}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n')
  await new Promise<void>((resolve) => sock.send(msg, phonePort, host, () => resolve()))
  sock.close()
}

function normalize(n: string): string {
  return n.replace(/[\s()-]/g, '').replace(/^\+?/, '+')
}
