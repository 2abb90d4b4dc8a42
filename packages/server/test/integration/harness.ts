import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import {
  AudioFrame,
  AudioSource,
  LocalAudioTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
} from '@livekit/rtc-node'
import type { RinglineEvent } from '@ringline/core/protocol'
import { connectSandbox, type SandboxInfo } from '@ringline/sandbox'
import { inject } from 'vitest'
import { toNodeHandler } from '../../src/adapters/node'
import { createRingline, type Ringline } from '../../src/ringline'
import { memoryStore } from '../../src/sql/memoryStore'
import type { Principal, RinglineConfig } from '../../src/types'
import { captureLogger } from '../helpers'

declare module 'vitest' {
  export interface ProvidedContext {
    ringlineSandbox: SandboxInfo
  }
}

/** A Ringline wired to the sandbox: real LiveKit, real SIP, webhooks relayed to its node:http server. */
export interface Harness {
  ringline: Ringline
  sandbox: ReturnType<typeof connectSandbox>
  tenant: string
  users: Record<'alice' | 'bob' | 'carol', Principal>
  baseUrl: string
  events: RinglineEvent[]
  logger: ReturnType<typeof captureLogger>
  /** Resolves with the first event (seen or future) matching `predicate`. */
  waitForEvent<T extends RinglineEvent>(
    predicate: (e: RinglineEvent) => e is T,
    timeoutMs?: number,
  ): Promise<T>
  waitForEvent(predicate: (e: RinglineEvent) => boolean, timeoutMs?: number): Promise<RinglineEvent>
  /** POSTs to a route as a user (JSON, same origin). */
  // biome-ignore lint/suspicious/noExplicitAny: response JSON, asserted field by field
  post(user: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
  close(): Promise<void>
}

/** The overrides but `sip`, which is merged into the harness's own SIP settings. */
function withoutSip({ sip: _sip, ...rest }: Partial<RinglineConfig>): Partial<RinglineConfig> {
  return rest
}

/** `overrides.sip` is merged into the sandbox's SIP settings. `info`: the sandbox to wire to (default the run's shared one; a failure drill passes its own). */
export async function startHarness(
  overrides: Partial<RinglineConfig> = {},
  info: SandboxInfo = inject('ringlineSandbox'),
): Promise<Harness> {
  const sandbox = connectSandbox(info)
  const tenant = `it${Math.random().toString(36).slice(2, 8)}`
  const users = {
    alice: { userId: 'alice', tenantId: tenant, name: 'Alice', role: 'member' as const },
    bob: { userId: 'bob', tenantId: tenant, name: 'Bob', role: 'member' as const },
    carol: { userId: 'carol', tenantId: tenant, name: 'Carol', role: 'admin' as const },
  }
  const logger = captureLogger()
  const ringline = createRingline({
    livekit: {
      url: sandbox.livekit.url,
      apiKey: sandbox.livekit.apiKey,
      apiSecret: sandbox.livekit.apiSecret,
    },
    sip: {
      outboundTrunkId: sandbox.sip.outboundTrunkId,
      callerId: sandbox.sip.callerId,
      ringingTimeout: 8,
      // These tests have no browser in the room; one test below joins one and keeps the wait.
      waitForCallerSeconds: 0,
      // The sandbox phone calls from 127.0.0.1 (Twilio-connected numbers would otherwise accept Twilio's ranges only).
      inboundAllowedAddresses: ['127.0.0.1'],
      ...overrides.sip,
    },
    store: memoryStore(),
    authorize: (request) => users[(request.headers.get('x-user') ?? '') as keyof typeof users] ?? null,
    calls: { allowUnassignedNumbers: true, maxConcurrentPerUser: 20 },
    logger,
    ...withoutSip(overrides),
  })
  const events: RinglineEvent[] = []
  const waiters = new Set<{ predicate: (e: RinglineEvent) => boolean; resolve: (e: RinglineEvent) => void }>()
  // Every user's stream, merged (each event once): outbound events go to their caller only.
  for (const user of Object.values(users)) {
    ringline.api.subscribe(user, (event) => {
      if (events.some((e) => e.id === event.id)) return
      events.push(event)
      for (const w of waiters) if (w.predicate(event)) w.resolve(event)
    })
  }
  const server: Server = createServer(toNodeHandler(ringline))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const unforward = await sandbox.webhooks.forward(`${baseUrl}/api/ringline/webhooks/livekit`)
  return {
    ringline,
    sandbox,
    tenant,
    users,
    baseUrl,
    events,
    logger,
    waitForEvent(predicate: (e: RinglineEvent) => boolean, timeoutMs = 20_000): Promise<never> {
      const seen = events.find(predicate)
      if (seen) return Promise.resolve(seen as never)
      return new Promise((resolve, reject) => {
        const waiter = { predicate, resolve: (e: RinglineEvent) => resolve(e as never) }
        waiters.add(waiter)
        setTimeout(() => {
          waiters.delete(waiter)
          reject(
            new Error(
              `no matching event within ${timeoutMs} ms; saw ${events.map((e) => `${e.type}:${'call' in e ? e.call.status : ''}`).join(', ')}`,
            ),
          )
        }, timeoutMs)
      })
    },
    async post(user, path, body = {}) {
      const res = await fetch(`${baseUrl}/api/ringline${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user': user },
        body: JSON.stringify(body),
      })
      return { status: res.status, body: await res.json() }
    },
    async close() {
      await unforward()
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
      await ringline.close()
    },
  }
}

/**
 * Mutes or unmutes a local track the way a client does (LiveKit's mute request on the signal connection, so the
 * server's TrackInfo says `muted`). @livekit/rtc-node 1.1 has the request in its FFI but no method for it.
 */
function setTrackMuted(track: LocalAudioTrack, muted: boolean): void {
  const require = createRequire(import.meta.url)
  const ffi = require(require.resolve('@livekit/rtc-node').replace(/index\.c?js$/, 'ffi_client.cjs')) as {
    FfiClient: { instance: { request(req: unknown): unknown } }
  }
  ffi.FfiClient.instance.request({
    message: { case: 'localTrackMute', value: { trackHandle: track.ffi_handle.handle, mute: muted } },
  })
}

/**
 * Joins a room with @livekit/rtc-node and publishes a microphone track playing a tone (what answers an inbound SIP
 * call); `setMuted` mutes that microphone as a client's mute button does; `setAmplitude(0)` makes it send silence
 * (`amplitude`: the start, default 8000).
 */
export async function joinWithAudio(
  url: string,
  token: string,
  amplitude = 8000,
): Promise<{
  room: Room
  setMuted(muted: boolean): void
  setAmplitude(value: number): void
  stop(): Promise<void>
}> {
  const room = new Room()
  await room.connect(url, token, { autoSubscribe: true, dynacast: false })
  const source = new AudioSource(48_000, 1)
  const track = LocalAudioTrack.createAudioTrack('mic', source)
  await room.localParticipant?.publishTrack(
    track,
    new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }),
  )
  let running = true
  let phase = 0
  const pump = (async () => {
    while (running) {
      const frame = AudioFrame.create(48_000, 1, 480)
      for (let i = 0; i < 480; i++) {
        frame.data[i] = Math.round(Math.sin(phase) * amplitude)
        phase += (2 * Math.PI * 440) / 48_000
      }
      await source.captureFrame(frame)
    }
  })()
  return {
    room,
    setMuted: (muted) => setTrackMuted(track, muted),
    setAmplitude(value) {
      amplitude = value
    },
    async stop() {
      running = false
      await pump.catch(() => undefined)
      await room.disconnect()
    },
  }
}
