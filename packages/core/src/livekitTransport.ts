import { dtmfDigitFromCode } from './dtmf'
import { microphoneError } from './microphoneError'
import { type LevelMeterFactory, watchSpeech } from './mutedSpeech'
import type { ConnectionQualityLevel, LinkStats } from './networkQuality'
import { createParticipantSnapshots } from './participantSnapshots'
import { playOnMicrophone } from './playOnMicrophone'
import type { Connection } from './protocol'
import { TRANSCRIPTION_ATTRIBUTES, TRANSCRIPTION_TOPIC } from './protocol/constants'
import { transcriptSegmentFromStream, transcriptSegmentsFromLegacy } from './protocol/transcript'
import { createRemoteAudioElements } from './remoteAudioElements'
import { RinglineError } from './ringlineError'
import type {
  AudioDeviceKind,
  CallTransport,
  DisconnectCause,
  ParticipantState,
  SessionConnectOptions,
  TransportFact,
  TransportSession,
} from './types'

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

const QUALITY_ORDER: readonly ConnectionQualityLevel[] = ['unknown', 'excellent', 'good', 'poor', 'lost']

function qualityOf(value: unknown): ConnectionQualityLevel {
  return QUALITY_ORDER.includes(value as ConnectionQualityLevel)
    ? (value as ConnectionQualityLevel)
    : 'unknown'
}

function worseQuality(a: ConnectionQualityLevel, b: ConnectionQualityLevel): ConnectionQualityLevel {
  return QUALITY_ORDER.indexOf(a) >= QUALITY_ORDER.indexOf(b) ? a : b
}

const CAUSES: Record<string, DisconnectCause> = {
  CLIENT_INITIATED: 'client-initiated',
  DUPLICATE_IDENTITY: 'duplicate-identity',
  SERVER_SHUTDOWN: 'server-shutdown',
  PARTICIPANT_REMOVED: 'participant-removed',
  ROOM_DELETED: 'room-deleted',
  ROOM_CLOSED: 'room-closed',
  USER_UNAVAILABLE: 'user-unavailable',
  USER_REJECTED: 'user-rejected',
  SIP_TRUNK_FAILURE: 'sip-trunk-failure',
  CONNECTION_TIMEOUT: 'connection-timeout',
  MEDIA_FAILURE: 'media-failure',
  JOIN_FAILURE: 'join-failure',
  SIGNAL_CLOSE: 'signal-close',
  STATE_MISMATCH: 'unknown',
  MIGRATION: 'unknown',
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
    createSession(onFact: (fact: TransportFact) => void): TransportSession {
      let lk: LivekitModuleLike | null = null
      let room: RoomLike | null = null
      let closed = false
      let refreshQueued = false
      let lastList: readonly ParticipantState[] = []
      const participants = createParticipantSnapshots(() => lk?.ParticipantKind)
      const audio = createRemoteAudioElements(options.audioContainer)
      const listeners: Array<[string, (...args: never[]) => void]> = []
      let textHandler = false
      /** The room is the app's (`SessionConnectOptions.room`): never connected or disconnected here. */
      let shared = false
      let stopSpeech: (() => void) | null = null
      let lastConnection: string | null = null
      // LiveKit's connection quality: ours, and the worst of the other participants' (agents excepted).
      const remoteQuality = new Map<string, ParticipantLike>()
      let lastQuality = ''
      const reportQuality = () => {
        if (!room || closed) return
        const local = qualityOf(room.localParticipant.connectionQuality)
        let remote: ConnectionQualityLevel = 'unknown'
        for (const p of remoteQuality.values()) {
          if (lk && p.kind === lk.ParticipantKind.AGENT) continue
          remote = worseQuality(remote, qualityOf(p.connectionQuality))
        }
        if (`${local}/${remote}` === lastQuality) return
        lastQuality = `${local}/${remote}`
        onFact({ type: 'network', local, remote })
      }
      let lastStats: LinkStats | null = null
      const reportConnection = (state: 'connecting' | 'connected' | 'reconnecting') => {
        if (state === lastConnection) return
        lastConnection = state
        onFact({ type: 'connection', state })
      }

      // Room events come in bursts (join + attributes + tracks); coalesce them into one participants fact.
      const refresh = () => {
        refreshQueued = false
        if (!room || closed) return
        const list = [participants.snapshot(room.localParticipant, true)]
        for (const p of room.remoteParticipants.values()) list.push(participants.snapshot(p, false))
        if (list.length === lastList.length && list.every((p, i) => p === lastList[i])) return
        lastList = list
        onFact({ type: 'participants', participants: list })
      }
      const scheduleRefresh = () => {
        if (refreshQueued) return
        refreshQueued = true
        queueMicrotask(refresh)
      }

      const causeOf = (reason: unknown): DisconnectCause => {
        if (typeof reason !== 'number' || !lk) return 'unknown'
        const name = lk.DisconnectReason[reason]
        return (typeof name === 'string' && CAUSES[name]) || 'unknown'
      }

      const on = (event: string | undefined, fn: (...args: never[]) => void) => {
        if (!event || !room) return
        room.on(event, fn)
        listeners.push([event, fn])
      }

      const attach = (E: Record<string, string>) => {
        on(E.ConnectionStateChanged, ((state: string) => {
          if (state === 'connected' || state === 'connecting') reportConnection(state)
          else if (state === 'reconnecting' || state === 'signalReconnecting')
            reportConnection('reconnecting')
        }) as never)
        on(E.Disconnected, ((reason?: number) => {
          lastConnection = 'disconnected'
          onFact({
            type: 'connection',
            state: 'disconnected',
            cause: closed ? 'client-initiated' : causeOf(reason),
          })
        }) as never)
        for (const name of [
          'ParticipantConnected',
          'ParticipantAttributesChanged',
          'ParticipantNameChanged',
          'ActiveSpeakersChanged',
          'TrackMuted',
          'TrackUnmuted',
          'TrackPublished',
          'TrackUnpublished',
          'LocalTrackPublished',
          'LocalTrackUnpublished',
        ]) {
          on(E[name], scheduleRefresh)
        }
        on(E.ParticipantDisconnected, ((p: ParticipantLike, reason?: number) => {
          // Report the list first so the machine never sees a leave before the status that preceded it.
          refresh()
          if (remoteQuality.delete(p.identity)) reportQuality()
          const left = participants.forget(p)
          onFact({ type: 'participant-left', participant: left, cause: causeOf(reason) })
        }) as never)
        on(E.TrackSubscribed, ((track: RemoteTrackLike) => {
          if (!shared) audio.attach(track)
          scheduleRefresh()
        }) as never)
        on(E.TrackUnsubscribed, ((track: RemoteTrackLike) => {
          audio.detach(track)
          scheduleRefresh()
        }) as never)
        on(E.AudioPlaybackStatusChanged, (() => {
          if (room) onFact({ type: 'audio-playback', canPlay: room.canPlaybackAudio })
        }) as never)
        on(E.SipDTMFReceived, ((dtmf: { code: number; digit: string }, participant?: ParticipantLike) => {
          const digit = dtmf.digit || dtmfDigitFromCode(dtmf.code)
          if (digit) onFact({ type: 'dtmf', digit, code: dtmf.code, identity: participant?.identity ?? null })
        }) as never)
        on(E.ConnectionQualityChanged, ((_quality: string, p?: ParticipantLike) => {
          if (p && room && p.identity !== room.localParticipant.identity) remoteQuality.set(p.identity, p)
          reportQuality()
        }) as never)
        on(E.MediaDevicesError, ((error: Error) => onFact({ type: 'media-error', error })) as never)
        // Transcriptions: text streams on `lk.transcription` (LiveKit Agents ≥ 1.0), and the legacy event.
        on(E.TranscriptionReceived, ((
          segments: TranscriptionSegmentLike[],
          participant?: ParticipantLike,
        ) => {
          const list = transcriptSegmentsFromLegacy(
            segments,
            participants.speakerOf(room, participant?.identity ?? ''),
            null,
          )
          if (list.length > 0) onFact({ type: 'transcript', segments: list })
        }) as never)
        if (room?.registerTextStreamHandler) {
          const r = room
          try {
            r.registerTextStreamHandler?.(TRANSCRIPTION_TOPIC, (reader, participant) => {
              const trackId = reader.info.attributes?.[TRANSCRIPTION_ATTRIBUTES.trackId]
              // The speaker is the owner of the transcribed track (an agent transcribes the caller), else the sender.
              const speaker = participants.speakerOf(r, participant.identity, trackId)
              reader.readAll().then(
                (text) => {
                  if (closed) return
                  const segment = transcriptSegmentFromStream(reader.info, text, speaker)
                  if (segment) onFact({ type: 'transcript', segments: [segment] })
                },
                () => undefined,
              )
            })
            textHandler = true
          } catch {
            // A shared room whose app already reads the topic keeps its handler (livekit-client allows one).
          }
        }
      }

      const requireRoom = (): RoomLike => {
        if (!room || closed) throw new RinglineError('CALL_NOT_ACTIVE', 'There is no connected call.')
        return room
      }

      const watchMutedSpeech = (enabled: boolean) => {
        stopSpeech?.()
        stopSpeech = null
        if (!enabled || !room || closed) return
        const source = lk?.Track.Source.Microphone ?? 'microphone'
        const track = room.localParticipant.getTrackPublication(source)?.track?.mediaStreamTrack
        if (!track || track.readyState === 'ended') return
        stopSpeech = watchSpeech(
          track,
          (speaking) => {
            if (!closed) onFact({ type: 'muted-speech', speaking })
          },
          { meter: options.speechMeter },
        )
      }

      /** Use a room the app already joined: listen to it, publish the microphone, leave its audio to the app. */
      const adopt = async (given: RoomLike, connection: Connection, opts: SessionConnectOptions) => {
        if (given.name && given.name !== connection.roomName) {
          throw new RinglineError(
            'CONNECTION_FAILED',
            `The call is in room "${connection.roomName}", not in the attached room "${given.name}".`,
          )
        }
        room = given
        shared = true
        attach((lk as LivekitModuleLike).RoomEvent)
        if (given.state === 'connected') reportConnection('connected')
        else if (given.state === 'reconnecting' || given.state === 'signalReconnecting')
          reportConnection('reconnecting')
        else throw new RinglineError('CONNECTION_FAILED', 'The attached LiveKit room is not connected.')
        refresh()
        onFact({ type: 'audio-playback', canPlay: given.canPlaybackAudio })
        if (opts.microphone && !given.localParticipant.isMicrophoneEnabled) {
          try {
            await given.localParticipant.setMicrophoneEnabled(
              true,
              opts.audioInput ? { deviceId: opts.audioInput } : undefined,
            )
          } catch (error) {
            throw microphoneError(error)
          }
          refresh()
        }
      }

      return {
        async connect(connection: Connection, opts: SessionConnectOptions) {
          const module = await load()
          if (closed) return
          lk = module
          if (opts.room) {
            await adopt(opts.room, connection, opts)
            return
          }
          const audioCaptureDefaults = {
            echoCancellation: true,
            noiseSuppression: true,
            autoGainControl: true,
            ...(opts.audioInput ? { deviceId: opts.audioInput } : {}),
          }
          room = options.createRoom
            ? options.createRoom(module)
            : (new module.Room({
                adaptiveStream: false,
                dynacast: false,
                audioCaptureDefaults,
                ...(opts.audioOutput ? { audioOutput: { deviceId: opts.audioOutput } } : {}),
                ...options.roomOptions,
              }) as RoomLike)
          attach(module.RoomEvent)
          reportConnection('connecting')
          try {
            await room.connect(connection.serverUrl, connection.token, {
              autoSubscribe: true,
              ...options.connectOptions,
            })
          } catch (error) {
            throw new RinglineError('CONNECTION_FAILED', 'Could not connect to the call server (LiveKit).', {
              cause: error,
            })
          }
          if (closed) return
          reportConnection('connected')
          for (const p of room.remoteParticipants.values()) {
            for (const pub of p.audioTrackPublications.values()) if (pub.track) audio.attach(pub.track)
          }
          refresh()
          onFact({ type: 'audio-playback', canPlay: room.canPlaybackAudio })
          if (opts.audioOutput)
            await room.switchActiveDevice('audiooutput', opts.audioOutput).catch(() => false)
          if (opts.microphone) {
            try {
              await room.localParticipant.setMicrophoneEnabled(
                true,
                opts.audioInput ? { deviceId: opts.audioInput } : undefined,
              )
            } catch (error) {
              throw microphoneError(error)
            }
            refresh()
          }
        },

        async disconnect() {
          if (closed) return
          closed = true
          stopSpeech?.()
          stopSpeech = null
          const r = room
          audio.detachAll()
          if (!r) return
          try {
            if (!shared) await r.disconnect()
          } finally {
            for (const [event, fn] of listeners) r.off(event, fn)
            listeners.length = 0
            if (textHandler) r.unregisterTextStreamHandler?.(TRANSCRIPTION_TOPIC)
            textHandler = false
          }
        },

        async setMicrophoneEnabled(enabled) {
          try {
            await requireRoom().localParticipant.setMicrophoneEnabled(enabled)
          } catch (error) {
            throw error instanceof RinglineError ? error : microphoneError(error)
          }
          scheduleRefresh()
        },

        watchMutedSpeech,

        setRemoteAudioEnabled(enabled) {
          audio.setEnabled(enabled)
        },

        async publishDtmf(code, digit) {
          await requireRoom().localParticipant.publishDtmf(code, digit)
        },

        // Hold music rides the microphone's own publication (see playOnMicrophone).
        async playInsteadOfMicrophone(track) {
          const local = requireRoom().localParticipant
          const source = lk?.Track.Source.Microphone ?? 'microphone'
          const restore = await playOnMicrophone(local, source, track, () => closed)
          scheduleRefresh()
          return async () => {
            await restore()
            if (!closed) scheduleRefresh()
          }
        },

        async switchDevice(kind: AudioDeviceKind, deviceId: string) {
          if (!room || closed) return
          await room.switchActiveDevice(kind, deviceId)
          // A muted microphone moved to another device: listen to the new one.
          if (kind === 'audioinput' && stopSpeech) watchMutedSpeech(true)
        },

        async linkStats() {
          if (!room || closed) return lastStats
          const source = lk?.Track.Source.Microphone ?? 'microphone'
          const mic = room.localParticipant.getTrackPublication(source)?.track
          const receivers: RemoteTrackLike[] = []
          for (const p of room.remoteParticipants.values()) {
            for (const pub of p.audioTrackPublications.values()) if (pub.track) receivers.push(pub.track)
          }
          const [sender, ...received] = await Promise.all([
            mic?.getSenderStats?.().catch(() => undefined),
            ...receivers.map((t) => t.getReceiverStats?.().catch(() => undefined)),
          ])
          const stats: LinkStats = {
            rttMs: typeof sender?.roundTripTime === 'number' ? sender.roundTripTime * 1000 : null,
            sent: sender?.packetsSent ?? 0,
            sentLost: sender?.packetsLost ?? 0,
            received: 0,
            receivedLost: 0,
          }
          for (const r of received) {
            stats.received += r?.packetsReceived ?? 0
            stats.receivedLost += r?.packetsLost ?? 0
          }
          lastStats = stats
          return stats
        },

        async startAudio() {
          if (!room || closed) return
          await room.startAudio()
          onFact({ type: 'audio-playback', canPlay: room.canPlaybackAudio })
        },
      }
    },
  }
}
