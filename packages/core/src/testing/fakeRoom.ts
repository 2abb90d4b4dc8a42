// A stand-in for livekit-client's Room: same event names and argument order, driven by the test.
import type {
  LivekitModuleLike,
  LocalAudioTrackLike,
  LocalParticipantLike,
  ParticipantLike,
  RemoteTrackLike,
  RoomLike,
  TextStreamReaderLike,
  TrackPublicationLike,
} from '../livekitTransport'

/** livekit-client's event names, participant kinds and disconnect reasons (the values the real module has). */
export const fakeLivekit: LivekitModuleLike = {
  Room: class {} as unknown as LivekitModuleLike['Room'],
  RoomEvent: {
    Connected: 'connected',
    Reconnecting: 'reconnecting',
    SignalReconnecting: 'signalReconnecting',
    Reconnected: 'reconnected',
    Disconnected: 'disconnected',
    ConnectionStateChanged: 'connectionStateChanged',
    ParticipantConnected: 'participantConnected',
    ParticipantDisconnected: 'participantDisconnected',
    ParticipantAttributesChanged: 'participantAttributesChanged',
    ParticipantNameChanged: 'participantNameChanged',
    ActiveSpeakersChanged: 'activeSpeakersChanged',
    TrackPublished: 'trackPublished',
    TrackUnpublished: 'trackUnpublished',
    TrackSubscribed: 'trackSubscribed',
    TrackUnsubscribed: 'trackUnsubscribed',
    TrackMuted: 'trackMuted',
    TrackUnmuted: 'trackUnmuted',
    LocalTrackPublished: 'localTrackPublished',
    LocalTrackUnpublished: 'localTrackUnpublished',
    AudioPlaybackStatusChanged: 'audioPlaybackChanged',
    SipDTMFReceived: 'sipDTMFReceived',
    MediaDevicesError: 'mediaDevicesError',
    TranscriptionReceived: 'transcriptionReceived',
    ConnectionQualityChanged: 'connectionQualityChanged',
  },
  ParticipantKind: {
    STANDARD: 0,
    INGRESS: 1,
    EGRESS: 2,
    SIP: 3,
    AGENT: 4,
    0: 'STANDARD',
    3: 'SIP',
    4: 'AGENT',
  },
  DisconnectReason: Object.fromEntries(
    [
      'UNKNOWN_REASON',
      'CLIENT_INITIATED',
      'DUPLICATE_IDENTITY',
      'SERVER_SHUTDOWN',
      'PARTICIPANT_REMOVED',
      'ROOM_DELETED',
      'STATE_MISMATCH',
      'JOIN_FAILURE',
      'MIGRATION',
      'SIGNAL_CLOSE',
      'ROOM_CLOSED',
      'USER_UNAVAILABLE',
      'USER_REJECTED',
      'SIP_TRUNK_FAILURE',
      'CONNECTION_TIMEOUT',
      'MEDIA_FAILURE',
    ].flatMap((name, i) => [
      [name, i],
      [i, name],
    ]),
  ),
  Track: { Source: { Microphone: 'microphone', Unknown: 'unknown' } },
}

/** Names of livekit-client's DisconnectReason values the fake understands. */
export type FakeDisconnectReason =
  | 'CLIENT_INITIATED'
  | 'DUPLICATE_IDENTITY'
  | 'PARTICIPANT_REMOVED'
  | 'ROOM_DELETED'
  | 'USER_UNAVAILABLE'
  | 'USER_REJECTED'
  | 'SIP_TRUNK_FAILURE'
  | 'SIGNAL_CLOSE'
  | 'CONNECTION_TIMEOUT'

type Listener = (...args: never[]) => void

let streamSeq = 0

/** A remote participant of the fake room. */
export class FakeParticipant implements ParticipantLike {
  identity: string
  name: string | undefined
  kind: number
  attributes: Record<string, string>
  isSpeaking = false
  audioTrackPublications = new Map<string, TrackPublicationLike>()
  connectionQuality = 'unknown'
  constructor(init: {
    identity: string
    name?: string
    kind?: 'sip' | 'user' | 'agent'
    attributes?: Record<string, string>
  }) {
    this.identity = init.identity
    this.name = init.name
    this.kind = init.kind === 'sip' ? 3 : init.kind === 'agent' ? 4 : 0
    this.attributes = { ...init.attributes }
  }
}

/** A fake remote audio track that records attach/detach and volume. */
export class FakeAudioTrack implements RemoteTrackLike {
  kind = 'audio'
  volume = 1
  attached = 0
  /** Cumulative receiver counters, as `getReceiverStats()` reports them; set by the test. */
  stats = { packetsReceived: 0, packetsLost: 0 }
  async getReceiverStats() {
    return { ...this.stats }
  }
  attach(): HTMLMediaElement {
    this.attached++
    return { setAttribute() {}, remove() {}, style: {}, isConnected: true } as unknown as HTMLMediaElement
  }
  detach(): HTMLMediaElement[] {
    this.attached = 0
    return []
  }
  setVolume(volume: number) {
    this.volume = volume
  }
}

/** The fake room: implement `RoomLike`, and let the test play LiveKit's part. */
export class FakeRoom implements RoomLike {
  state = 'disconnected'
  canPlaybackAudio = true
  remoteParticipants = new Map<string, FakeParticipant>()
  connectCalls: Array<{ url: string; token: string }> = []
  /** The track the microphone publication sends (its own, or one swapped in, e.g. hold music); null unpublished. */
  sending: MediaStreamTrack | null = null
  /** The microphone publication's track, once the microphone was enabled. */
  microphoneTrack: (LocalAudioTrackLike & { restarts: number }) | null = null
  dtmf: Array<[number, string]> = []
  /** Cumulative sender counters of the microphone (`roundTripTime` in seconds); set by the test. */
  senderStats: { packetsSent: number; packetsLost: number; roundTripTime?: number } = {
    packetsSent: 0,
    packetsLost: 0,
  }
  switched: Array<[string, string]> = []
  disconnectCalls = 0
  /** Make `connect` fail with this error. */
  failConnect: Error | null = null
  /** Make enabling the microphone fail with this error (e.g. a NotAllowedError DOMException). */
  failMicrophone: Error | null = null
  #listeners = new Map<string, Set<Listener>>()
  /** Text stream handlers by topic, as `registerTextStreamHandler` keeps them. */
  textHandlers = new Map<string, (reader: TextStreamReaderLike, participant: { identity: string }) => void>()

  localParticipant: LocalParticipantLike & { microphoneCalls: boolean[] }

  constructor() {
    const room = this
    this.localParticipant = {
      identity: 'me',
      name: 'Me',
      kind: 0,
      attributes: {},
      isSpeaking: false,
      audioTrackPublications: new Map(),
      connectionQuality: 'unknown',
      isMicrophoneEnabled: false,
      microphoneCalls: [],
      async setMicrophoneEnabled(enabled: boolean) {
        this.microphoneCalls.push(enabled)
        if (enabled && room.failMicrophone) throw room.failMicrophone
        this.isMicrophoneEnabled = enabled
        if (enabled && !room.microphoneTrack) room.microphoneTrack = room.#createMicrophoneTrack()
        if (room.microphoneTrack) room.microphoneTrack.isMuted = !enabled
        room.emit('localTrackPublished')
      },
      getTrackPublication(source: string) {
        return source === 'microphone' && room.microphoneTrack ? { track: room.microphoneTrack } : undefined
      },
      async publishDtmf(code: number, digit: string) {
        room.dtmf.push([code, digit])
      },
    }
  }

  #createMicrophoneTrack(): LocalAudioTrackLike & { restarts: number } {
    const room = this
    const own = { kind: 'audio', readyState: 'live', stop() {} } as unknown as MediaStreamTrack
    room.sending = own
    return {
      mediaStreamTrack: own,
      isMuted: false,
      restarts: 0,
      getSenderStats: async () => ({ ...room.senderStats }),
      async replaceTrack(track: MediaStreamTrack) {
        this.mediaStreamTrack = track
        room.sending = track
      },
      async unmute() {
        this.isMuted = false
        room.localParticipant.isMicrophoneEnabled = true
      },
      async restartTrack() {
        this.restarts++
        const fresh = { kind: 'audio', readyState: 'live', stop() {} } as unknown as MediaStreamTrack
        this.mediaStreamTrack = fresh
        room.sending = fresh
      },
    }
  }

  on(event: string, listener: Listener) {
    const set = this.#listeners.get(event) ?? new Set<Listener>()
    this.#listeners.set(event, set)
    set.add(listener)
    return this
  }
  off(event: string, listener: Listener) {
    this.#listeners.get(event)?.delete(listener)
    return this
  }
  emit(event: string, ...args: unknown[]) {
    for (const listener of [...(this.#listeners.get(event) ?? [])])
      (listener as (...a: unknown[]) => void)(...args)
    return true
  }
  /** Number of listeners attached (to check they are removed). */
  listenerCount() {
    let n = 0
    for (const set of this.#listeners.values()) n += set.size
    return n
  }

  async connect(url: string, token: string) {
    this.connectCalls.push({ url, token })
    this.setState('connecting')
    await Promise.resolve()
    if (this.failConnect) {
      this.state = 'disconnected'
      throw this.failConnect
    }
    this.setState('connected')
  }
  async disconnect() {
    this.disconnectCalls++
    if (this.state === 'disconnected') return
    this.setState('disconnected')
    this.emit('disconnected', 1)
  }
  registerTextStreamHandler(
    topic: string,
    handler: (reader: TextStreamReaderLike, participant: { identity: string }) => void,
  ) {
    // livekit-client refuses a second handler for a topic.
    if (this.textHandlers.has(topic))
      throw new Error(`A text stream handler for topic "${topic}" has already been set.`)
    this.textHandlers.set(topic, handler)
  }
  unregisterTextStreamHandler(topic: string) {
    this.textHandlers.delete(topic)
  }
  async startAudio() {
    this.setCanPlaybackAudio(true)
  }
  async switchActiveDevice(kind: MediaDeviceKind, deviceId: string) {
    this.switched.push([kind, deviceId])
    return true
  }

  // ── the test plays LiveKit ──

  setState(state: 'connecting' | 'connected' | 'reconnecting' | 'signalReconnecting' | 'disconnected') {
    this.state = state
    this.emit('connectionStateChanged', state)
  }
  /** The server dropped us (room deleted, removed, network gone for good). */
  disconnectFromServer(reason: FakeDisconnectReason) {
    this.state = 'disconnected'
    this.emit('connectionStateChanged', 'disconnected')
    this.emit('disconnected', fakeLivekit.DisconnectReason[reason])
  }
  addParticipant(init: ConstructorParameters<typeof FakeParticipant>[0]): FakeParticipant {
    const p = new FakeParticipant(init)
    this.remoteParticipants.set(p.identity, p)
    this.emit('participantConnected', p)
    return p
  }
  /** Add a SIP participant with a `sip.callStatus`. */
  addSipParticipant(status?: string, identity = 'sip_+14155550123'): FakeParticipant {
    return this.addParticipant({
      identity,
      name: `Phone ${identity.slice(4)}`,
      kind: 'sip',
      attributes: status ? { 'sip.callStatus': status } : {},
    })
  }
  setAttributes(identity: string, changed: Record<string, string>) {
    const p = this.remoteParticipants.get(identity)
    if (!p) throw new Error(`no participant ${identity}`)
    p.attributes = { ...p.attributes, ...changed }
    this.emit('participantAttributesChanged', changed, p)
  }
  removeParticipant(identity: string, reason?: FakeDisconnectReason) {
    const p = this.remoteParticipants.get(identity)
    if (!p) throw new Error(`no participant ${identity}`)
    this.remoteParticipants.delete(identity)
    this.emit(
      'participantDisconnected',
      p,
      reason === undefined ? undefined : fakeLivekit.DisconnectReason[reason],
    )
  }
  publishAudio(identity: string, muted = false): FakeAudioTrack {
    const p = this.remoteParticipants.get(identity)
    if (!p) throw new Error(`no participant ${identity}`)
    const track = new FakeAudioTrack()
    const pub = { kind: 'audio', isMuted: muted, track }
    p.audioTrackPublications.set(`TR_${identity}`, pub)
    this.emit('trackPublished', pub, p)
    this.emit('trackSubscribed', track, pub, p)
    return track
  }
  setSpeaking(identities: string[]) {
    for (const p of this.remoteParticipants.values()) p.isSpeaking = identities.includes(p.identity)
    this.emit(
      'activeSpeakersChanged',
      [...this.remoteParticipants.values()].filter((p) => p.isSpeaking),
    )
  }
  receiveDtmf(code: number, digit: string, identity?: string) {
    this.emit(
      'sipDTMFReceived',
      { code, digit },
      identity ? this.remoteParticipants.get(identity) : undefined,
    )
  }
  /** A participant sends a whole text stream on a topic (what LiveKit Agents do for `lk.transcription`). */
  sendText(
    identity: string,
    topic: string,
    text: string,
    attributes: Record<string, string> = {},
    timestamp = Date.now(),
  ): Promise<void> {
    const handler = this.textHandlers.get(topic)
    if (!handler) return Promise.resolve()
    const done = Promise.resolve(text)
    handler({ info: { id: `TS_${++streamSeq}`, timestamp, attributes }, readAll: () => done }, { identity })
    return done.then(() => undefined)
  }
  /** A legacy `TranscriptionReceived` event for a participant's segments. */
  receiveTranscription(
    identity: string,
    segments: Array<{ id: string; text: string; final: boolean; firstReceivedTime?: number }>,
  ) {
    this.emit('transcriptionReceived', segments, this.remoteParticipants.get(identity))
  }
  /** LiveKit reports a participant's connection quality (`'me'` for the local one). */
  setQuality(identity: string, quality: 'excellent' | 'good' | 'poor' | 'lost' | 'unknown') {
    const p = identity === 'me' ? this.localParticipant : this.remoteParticipants.get(identity)
    if (!p) throw new Error(`no participant ${identity}`)
    p.connectionQuality = quality
    this.emit('connectionQualityChanged', quality, p)
  }
  setCanPlaybackAudio(can: boolean) {
    this.canPlaybackAudio = can
    this.emit('audioPlaybackChanged', can)
  }
}
