// One LiveKit room connection (the body of livekitTransport's sessions). Loaded with import() when the first
// session starts, beside livekit-client itself, so pages that never call do not carry it.

import type { dtmfDigitFromCode } from './dtmf'
import type {
  LivekitModuleLike,
  LivekitTransportOptions,
  ParticipantLike,
  RemoteTrackLike,
  RoomLike,
  TranscriptionSegmentLike,
} from './livekitTransport'
import type { microphoneError } from './microphoneError'
import { watchSpeech } from './mutedSpeech'
import type { ConnectionQualityLevel, LinkStats } from './networkQuality'
import { createParticipantSnapshots } from './participantSnapshots'
import { playOnMicrophone } from './playOnMicrophone'
import type { Connection } from './protocol'
import { TRANSCRIPTION_ATTRIBUTES, TRANSCRIPTION_TOPIC } from './protocol/constants'
import { transcriptSegmentFromStream, transcriptSegmentsFromLegacy } from './protocol/transcriptSegments'
import { createRemoteAudioElements } from './remoteAudioElements'
import { RinglineError } from './ringlineError'
import type {
  AudioDeviceKind,
  DisconnectCause,
  ParticipantState,
  SessionConnectOptions,
  TransportFact,
  TransportSession,
} from './types'

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

/**
 * Helpers this session shares with the rest of core, handed in by livekitTransport: this chunk imports none of
 * them, so a bundler that splits by file does not load them on pages that never use them. What only lazily loaded
 * code uses (the muted-speech watch, the transcript parsers) it imports itself: no eager file imports those.
 */
export interface SessionHelpers {
  microphoneError: typeof microphoneError
  dtmfDigitFromCode: typeof dtmfDigitFromCode
}

/** A session of the LiveKit transport; `load` gives the livekit-client module. Internal. */
export function createLivekitSession(
  options: LivekitTransportOptions,
  load: () => Promise<LivekitModuleLike>,
  onFact: (fact: TransportFact) => void,
  helpers: SessionHelpers,
): TransportSession {
  const { microphoneError, dtmfDigitFromCode } = helpers
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
      else if (state === 'reconnecting' || state === 'signalReconnecting') reportConnection('reconnecting')
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
    on(E.TranscriptionReceived, ((segments: TranscriptionSegmentLike[], participant?: ParticipantLike) => {
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

  /** Publishes the microphone (the chosen input, if any) into `r`; its errors become microphone errors. */
  const publishMicrophone = async (r: RoomLike, opts: SessionConnectOptions) => {
    try {
      await r.localParticipant.setMicrophoneEnabled(
        true,
        opts.audioInput ? { deviceId: opts.audioInput } : undefined,
      )
    } catch (error) {
      throw microphoneError(error)
    }
    refresh()
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
    if (opts.microphone && !given.localParticipant.isMicrophoneEnabled) await publishMicrophone(given, opts)
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
      if (opts.audioOutput) await room.switchActiveDevice('audiooutput', opts.audioOutput).catch(() => false)
      if (opts.microphone) await publishMicrophone(room, opts)
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
      const restore = await playOnMicrophone(local, source, track, () => closed, microphoneError)
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
}
