import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  ParticipantKind,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
} from '@livekit/rtc-node'
import { AccessToken, RoomServiceClient, SipClient } from 'livekit-server-sdk'
import { inject } from 'vitest'
import { connectSandbox } from '../src/index'

export const info = inject('ringlineSandbox')
export const sandbox = connectSandbox(info)
export const rooms = new RoomServiceClient(info.livekit.url, info.livekit.apiKey, info.livekit.apiSecret)
export const sip = new SipClient(info.livekit.url, info.livekit.apiKey, info.livekit.apiSecret)

export const unique = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`

/** A phone number nobody else dials in this run; the phone answers unknown numbers and echoes. */
export const uniqueAnsweringNumber = () =>
  `+1555019${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Polls `check` until truthy. For facts that have no event (or whose event may have fired already). */
export async function until<T>(
  what: string | (() => string),
  check: () => T | Promise<T>,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v) return v as NonNullable<T>
      last = v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what} (last: ${String(last)})`,
      )
    await sleep(intervalMs)
  }
}

export async function token(room: string, identity: string): Promise<string> {
  const at = new AccessToken(info.livekit.apiKey, info.livekit.apiSecret, { identity, ttl: '10m' })
  at.addGrant({ room, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true })
  return at.toJwt()
}

export interface TestParticipant {
  room: Room
  /** sip.callStatus values of SIP participants, in the order this participant observed them, by identity. */
  callStatuses: Map<string, string[]>
  dtmf: { digit: string; from: string }[]
  publishTone(frequency?: number): Promise<void>
  stopTone(): void
  /** Resolves with the first remote SIP participant (already present or joining later). */
  sipParticipant(timeoutMs?: number): Promise<RemoteParticipant>
  /** RMS (0..1) of the audio received from `identity` over `ms`. */
  measureAudio(identity: string, ms: number): Promise<number>
  leave(): Promise<void>
}

/** Joins `roomName` with @livekit/rtc-node and records what it sees of SIP participants. */
export async function joinRoom(roomName: string, identity = unique('agent')): Promise<TestParticipant> {
  const room = new Room()
  const callStatuses = new Map<string, string[]>()
  const dtmf: { digit: string; from: string }[] = []
  const record = (p: RemoteParticipant) => {
    if (p.kind !== ParticipantKind.SIP) return
    const status = p.attributes['sip.callStatus']
    if (!status) return
    const list = callStatuses.get(p.identity) ?? []
    if (list[list.length - 1] !== status) list.push(status)
    callStatuses.set(p.identity, list)
  }
  room.on(RoomEvent.ParticipantConnected, record)
  room.on(RoomEvent.ParticipantAttributesChanged, (_changed, p) => {
    if (p !== room.localParticipant) record(p as RemoteParticipant)
  })
  room.on(RoomEvent.DtmfReceived, (_code, digit, p) => dtmf.push({ digit, from: p.identity }))
  const subscribed = new Map<string, RemoteTrack>()
  room.on(RoomEvent.TrackSubscribed, (track, _pub, p) => {
    if (track.kind === TrackKind.KIND_AUDIO) subscribed.set(p.identity, track)
  })
  await room.connect(info.livekit.wsUrl, await token(roomName, identity), {
    autoSubscribe: true,
    dynacast: false,
  })
  for (const p of room.remoteParticipants.values()) record(p)

  let toneRunning = false
  let source: AudioSource | undefined
  return {
    room,
    callStatuses,
    dtmf,
    async publishTone(frequency = 440) {
      const sampleRate = 48_000
      source = new AudioSource(sampleRate, 1, 200)
      const track = LocalAudioTrack.createAudioTrack('tone', source)
      const opts = new TrackPublishOptions()
      opts.source = TrackSource.SOURCE_MICROPHONE
      await room.localParticipant!.publishTrack(track, opts)
      let phase = 0
      const samples = sampleRate / 100 // 10 ms frames
      toneRunning = true
      const src = source
      void (async () => {
        // captureFrame resolves once the 200 ms queue has room, so this loop runs at real time.
        while (toneRunning) {
          const frame = AudioFrame.create(sampleRate, 1, samples)
          for (let i = 0; i < samples; i++) {
            frame.data[i] = Math.round(Math.sin(phase) * 0.3 * 32767)
            phase += (2 * Math.PI * frequency) / sampleRate
          }
          try {
            await src.captureFrame(frame)
          } catch {
            return
          }
        }
      })()
    },
    stopTone() {
      toneRunning = false
    },
    sipParticipant(timeoutMs = 20_000) {
      return until(
        'a SIP participant in the room',
        () => [...room.remoteParticipants.values()].find((p) => p.kind === ParticipantKind.SIP),
        timeoutMs,
      )
    },
    async measureAudio(identity: string, ms: number) {
      const track = await until(`an audio track from ${identity}`, () => subscribed.get(identity), 20_000)
      const stream = new AudioStream(track, 16_000, 1)
      const reader = stream.getReader()
      let sum = 0
      let n = 0
      const deadline = Date.now() + ms
      while (Date.now() < deadline) {
        const { value, done } = await reader.read()
        if (done || !value) break
        for (const s of value.data) {
          sum += s * s
          n++
        }
      }
      await reader.cancel().catch(() => undefined)
      return n > 0 ? Math.sqrt(sum / n) / 32768 : 0
    },
    async leave() {
      toneRunning = false
      await room.disconnect().catch(() => undefined)
      await source?.close().catch(() => undefined)
    },
  }
}

/** Waits until a participant's sip.callStatus reaches `status` (events first, polling as a net). */
export function waitForCallStatus(p: TestParticipant, identity: string, status: string, timeoutMs = 20_000) {
  return until(
    `${identity} sip.callStatus=${status} (seen: ${JSON.stringify(p.callStatuses.get(identity) ?? [])})`,
    () => {
      const remote = p.room.remoteParticipants.get(identity)
      if (remote && remote.attributes['sip.callStatus'] === status) {
        const list = p.callStatuses.get(identity) ?? []
        if (list[list.length - 1] !== status) list.push(status)
        p.callStatuses.set(identity, list)
      }
      return p.callStatuses.get(identity)?.includes(status)
    },
    timeoutMs,
  )
}
