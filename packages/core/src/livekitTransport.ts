import { dtmfDigitFromCode } from './dtmf'
import { microphoneError } from './microphoneError'
import type { LevelMeterFactory } from './mutedSpeech'
import type { CallTransport, TransportFact, TransportSession } from './types'

/** The parts of a livekit-client track publication Ringline reads. */
export interface TrackPublicationLike {
  kind?: string
  trackSid?: string
  isMuted: boolean
  track?: RemoteTrackLike | undefined
}

/** The parts of a livekit-client remote track Ringline uses. */
export interface RemoteTrackLike {
  kind: string
  sid?: string
  attach(): HTMLMediaElement
  detach(): HTMLMediaElement[]
  setVolume?(volume: number): void
  /** livekit-client's receiver statistics of a remote audio track (cumulative packet counters). */
  getReceiverStats?(): Promise<{ packetsLost?: number; packetsReceived?: number } | undefined>
}

/** The parts of a livekit-client participant Ringline reads. */
export interface ParticipantLike {
  identity: string
  name?: string | undefined
  kind: number
  attributes: Readonly<Record<string, string>>
  isSpeaking: boolean
  audioTrackPublications: Map<string, TrackPublicationLike>
  /** LiveKit's connection quality of the participant (`excellent`, `good`, `poor`, `lost`, `unknown`). */
  connectionQuality?: string
}

/** The parts of a livekit-client `LocalParticipant` Ringline uses. */
export interface LocalParticipantLike extends ParticipantLike {
  isMicrophoneEnabled: boolean
  setMicrophoneEnabled(enabled: boolean, options?: { deviceId?: string }): Promise<unknown>
  publishDtmf(code: number, digit: string): Promise<void>
  /** The local publication of a source (`'microphone'`), as livekit-client returns it. */
  getTrackPublication(source: string): { track?: LocalAudioTrackLike | undefined } | undefined
}

/** The parts of a livekit-client `LocalAudioTrack` Ringline uses (hold music rides the microphone's track). */
export interface LocalAudioTrackLike {
  mediaStreamTrack: MediaStreamTrack
  isMuted: boolean
  replaceTrack(track: MediaStreamTrack, options: { userProvidedTrack: boolean }): Promise<unknown>
  unmute(): Promise<unknown>
  restartTrack(): Promise<unknown>
  /** livekit-client's sender statistics (cumulative counters; `roundTripTime` in seconds, as the remote reports it). */
  getSenderStats?(): Promise<
    { packetsSent?: number; packetsLost?: number; roundTripTime?: number } | undefined
  >
}

/** The parts of a livekit-client `Room` Ringline uses; a test double implements just these. */
export interface RoomLike {
  /** The room's name (livekit-client sets it once connected). */
  name?: string
  state: string
  localParticipant: LocalParticipantLike
  remoteParticipants: Map<string, ParticipantLike>
  canPlaybackAudio: boolean
  on(event: string, listener: (...args: never[]) => void): unknown
  off(event: string, listener: (...args: never[]) => void): unknown
  connect(url: string, token: string, options?: Record<string, unknown>): Promise<void>
  disconnect(stopTracks?: boolean): Promise<void>
  startAudio(): Promise<void>
  switchActiveDevice(kind: MediaDeviceKind, deviceId: string, exact?: boolean): Promise<boolean>
  /** livekit-client ≥ 2.9: receive text streams of a topic (transcriptions arrive on `lk.transcription`). */
  registerTextStreamHandler?(
    topic: string,
    handler: (reader: TextStreamReaderLike, participant: { identity: string }) => void,
  ): void
  unregisterTextStreamHandler?(topic: string): void
}

/** The parts of a livekit-client `TextStreamReader` Ringline reads. */
export interface TextStreamReaderLike {
  info: { id: string; timestamp: number; attributes?: Record<string, string> }
  readAll(): Promise<string>
}

/** A livekit-client `TranscriptionSegment` (legacy `RoomEvent.TranscriptionReceived`). */
export interface TranscriptionSegmentLike {
  id: string
  text: string
  final: boolean
  language?: string
  firstReceivedTime?: number
}

/** The parts of the `livekit-client` module Ringline uses. */
export interface LivekitModuleLike {
  Room: new (options?: Record<string, unknown>) => unknown
  RoomEvent: Record<string, string>
  ParticipantKind: Record<string, string | number>
  DisconnectReason: Record<string | number, string | number>
  Track: { Source: Record<string, string> }
}

/** Options of `livekitTransport`. */
export interface LivekitTransportOptions {
  /** The livekit-client module, or a loader; default `import('livekit-client')` on first call. */
  livekit?: LivekitModuleLike | (() => Promise<LivekitModuleLike>)
  /** Make the room (tests inject a fake room here). Default `new Room(roomOptions)`. */
  createRoom?: (livekit: LivekitModuleLike) => RoomLike
  /** Extra `RoomOptions` for `new Room()`. */
  roomOptions?: Record<string, unknown>
  /** Extra `RoomConnectOptions` for `room.connect()`. */
  connectOptions?: Record<string, unknown>
  /** Where hidden `<audio>` elements for remote audio go; default `document.body`, null to not insert them. */
  audioContainer?: (() => HTMLElement | null) | null
  /** Level meter for the speaking-while-muted check; default Web Audio on a clone of the muted microphone. */
  speechMeter?: LevelMeterFactory
}

// Handed to the lazily loaded session (see SessionHelpers): the rest of core uses them too.
const helpers = {
  microphoneError,
  dtmfDigitFromCode,
}

type SessionModule = typeof import('./livekitSession')
let sessionModule: SessionModule | null = null

/** Use this session module instead of loading it on the first call (the testing entry's fakes start synchronously). Internal. */
export function provideLivekitSession(module: SessionModule): void {
  sessionModule = module
}

/** The session module, loaded once (on the first call, or ahead of it by `prepare`). */
function loadSessionModule(): Promise<SessionModule> {
  return sessionModule
    ? Promise.resolve(sessionModule)
    : import('./livekitSession').then((m) => {
        sessionModule = m
        return m
      })
}

/** The LiveKit transport: joins rooms with livekit-client, audio only; loads livekit-client on first use. */
export function livekitTransport(options: LivekitTransportOptions = {}): CallTransport {
  let modulePromise: Promise<LivekitModuleLike> | null = null
  const load = () => {
    if (!modulePromise) {
      const given = options.livekit
      modulePromise =
        typeof given === 'function'
          ? given()
          : given
            ? Promise.resolve(given)
            : (import('livekit-client') as unknown as Promise<LivekitModuleLike>)
    }
    return modulePromise
  }

  return {
    name: 'livekit',
    async prepare() {
      await Promise.all([load(), loadSessionModule()]).catch(() => undefined)
    },
    createSession(onFact: (fact: TransportFact) => void): TransportSession {
      // The session's code comes with livekit-client: both load when the first call starts, side by side.
      let real: TransportSession | null = null
      let remoteAudio = true
      const create = (m: SessionModule) => {
        real = m.createLivekitSession(options, load, onFact, helpers)
        if (!remoteAudio) real.setRemoteAudioEnabled(false)
        return real
      }
      const ready = sessionModule ? Promise.resolve(create(sessionModule)) : loadSessionModule().then(create)
      ready.catch(() => undefined)
      const session = async () => real ?? (await ready)
      return {
        async connect(connection, opts) {
          void load().catch(() => undefined)
          await (await session()).connect(connection, opts)
        },
        async disconnect() {
          await (await session()).disconnect()
        },
        async setMicrophoneEnabled(enabled) {
          await (await session()).setMicrophoneEnabled(enabled)
        },
        // Before the room exists there is no microphone to listen to: nothing to do.
        watchMutedSpeech(enabled) {
          real?.watchMutedSpeech?.(enabled)
        },
        setRemoteAudioEnabled(enabled) {
          remoteAudio = enabled
          real?.setRemoteAudioEnabled(enabled)
        },
        async publishDtmf(code, digit) {
          await (await session()).publishDtmf(code, digit)
        },
        async playInsteadOfMicrophone(track) {
          return (await session()).playInsteadOfMicrophone(track)
        },
        async switchDevice(kind, deviceId) {
          await (await session()).switchDevice(kind, deviceId)
        },
        async linkStats() {
          return (await (await session()).linkStats?.()) ?? null
        },
        async startAudio() {
          await (await session()).startAudio()
        },
      }
    },
  }
}
