// Types shared across the files of @ringline/core. Wire types live in ./protocol.
import type { CountryCode } from 'libphonenumber-js'
import type { ApiClient, HeadersOption } from './apiClient'
import type { CallTimeouts } from './callTimers'
import type { ConsultClient } from './consult'
import type { DesktopNotifierOptions } from './desktopNotifier'
import type { MediaDevicesLike, PermissionsLike } from './deviceManager'
import type { BackoffOptions, EventSourceConstructor } from './eventStream'
import type { RoomLike } from './livekitTransport'
import type {
  ConnectionQualityLevel,
  LinkStats,
  NetworkThresholds,
  NetworkWarning,
  NetworkWarningName,
  NetworkWarningRule,
} from './networkQuality'
import type { NotifyManager } from './notifyManager'
import type {
  CallDirection,
  CallRecord,
  CallWithConnection,
  Connection,
  CreateCallRequest,
  DispatchAgentResponse,
  ErrorCode,
  RinglineEvent,
  TranscriptSegment,
} from './protocol'
import type { RinglineError } from './ringlineError'
import type { SoundManager, SoundManagerOptions } from './soundManager'
import type { BroadcastChannelConstructor, LockManagerLike } from './tabCoordinator'

/** Connection status of the `/events` stream. */
export type EventsStatus = 'offline' | 'connecting' | 'online'

/** Whether the browser lets this page play sound right now; `blocked` until a user gesture unlocks it. */
export type AudioReadiness = 'blocked' | 'ready'

/**
 * The microphone as a person meets it: `unknown` until the browser says, `prompt` (will be asked), `granted`,
 * `denied` (blocked for the site), `blocked-by-policy` (a Permissions Policy or frame forbids it), `no-device`
 * (none connected), `in-use` (another app holds it or it cannot be read). `microphoneHelp()` gives the way out.
 */
export type MicrophonePermission =
  | 'unknown'
  | 'prompt'
  | 'granted'
  | 'denied'
  | 'blocked-by-policy'
  | 'no-device'
  | 'in-use'

/** Why a call ended (phase `ended`). */
export type EndReason =
  | 'local-hangup'
  | 'remote-hangup'
  | 'busy'
  | 'no-answer'
  | 'declined'
  | 'canceled'
  | 'answered-elsewhere'
  | 'missed'

/** A failure carried by the `failed` phase: a stable code and a message a person can act on. */
export interface CallError {
  code: ErrorCode
  message: string
}

/** Value of the `sip.callStatus` attribute LiveKit SIP sets on a SIP participant. */
export type SipCallStatus = 'dialing' | 'ringing' | 'automation' | 'active' | 'hangup'

/** What kind of peer a participant is. */
export type ParticipantKind = 'user' | 'sip' | 'agent' | 'other'

/** One participant of the room behind the active call, as a plain immutable value. */
export interface ParticipantState {
  identity: string
  name: string | null
  kind: ParticipantKind
  isLocal: boolean
  speaking: boolean
  muted: boolean
  /** `sip.callStatus` for SIP participants, else null. */
  sipStatus: SipCallStatus | null
  attributes: Readonly<Record<string, string>>
}

/** What a LiveKit agent says it is doing (its `lk.agent.state` attribute); `unknown` before it says. */
export type AgentState = 'initializing' | 'idle' | 'listening' | 'thinking' | 'speaking' | 'unknown'

/** An AI agent present in the call's room (a participant of kind AGENT). */
export interface CallAgent {
  identity: string
  name: string | null
  state: AgentState
}

/** The other side of a call: a phone number for phone calls, the room name for internal calls. */
export interface CallRemote {
  number: string | null
  name: string | null
  contactId: string | null
}

/** A blind transfer in flight or done. */
export interface CallTransfer {
  to: string
  status: 'pending' | 'completed' | 'failed'
  error: CallError | null
}

/** Fields every call has, whatever its phase. */
export interface CallBase {
  /** Local key, stable from `requesting` on (the server id is not known yet then). */
  key: string
  /** Server call id; null while `requesting`. */
  id: string | null
  direction: CallDirection
  remote: CallRemote
  /** LiveKit room name; for internal calls the team-room name is in `remote.name`. */
  roomName: string | null
  /** Latest server record of the call. */
  record: CallRecord | null
  /** Whether you may end this call for everyone (internal rooms: their creator or an admin). */
  canEnd: boolean
  muted: boolean
  /** Muted, and the microphone hears you speak: the UI should say so (nothing is sent to the other side). */
  speakingWhileMuted: boolean
  onHold: boolean
  participants: readonly ParticipantState[]
  /** DTMF digits sent and received during the call, in order. */
  dtmf: { sent: string; received: string }
  transfer: CallTransfer | null
  /** Live transcript received in the room (`lk.transcription` text streams), one entry per segment id, in time order. */
  transcript: readonly TranscriptSegment[]
  /** AI agents in the room (derived from `participants`). */
  agents: readonly CallAgent[]
  /** Network warnings raised now (poor network, delay, loss, reconnecting), with text; see `createNetworkMonitor`. */
  networkWarnings: readonly NetworkWarning[]
  /** Epoch ms when the call object was created. */
  createdAt: number
}

/** The phase of a call, a union on `phase` whose extra fields exist only in their phase. */
export type CallPhase =
  | { phase: 'requesting' }
  | { phase: 'dialing' }
  | { phase: 'ringing' }
  | { phase: 'connecting' }
  | { phase: 'connected'; connectedAt: number }
  | { phase: 'reconnecting'; connectedAt: number | null; since: number }
  | { phase: 'ended'; endReason: EndReason; endedAt: number; connectedAt: number | null }
  | { phase: 'failed'; error: CallError; endedAt: number; connectedAt: number | null }

/** Name of a call phase. */
export type CallPhaseName = CallPhase['phase']

/** A call: the common fields plus its phase. Narrow on `call.phase`. */
export type Call = CallBase & CallPhase

/** A call in one given phase. */
export type CallIn<P extends CallPhaseName> = CallBase & Extract<CallPhase, { phase: P }>

/** Why an incoming call stopped ringing here. */
export type IncomingEndReason = 'answered-elsewhere' | 'missed' | 'declined'

/** An inbound call offered to this user, ringing or just ended (kept briefly so the UI can say why). */
export type IncomingCall = {
  id: string
  from: string | null
  to: string | null
  record: CallRecord
  receivedAt: number
  /**
   * Set when this is the ring of an outbound call you placed through the server (Twilio Voice, `dialVia: 'server'`)
   * from another tab or device: your browsers ring for it, the placing tab takes that ring; not to answer here.
   */
  serverDial?: { callSid: string }
} & ({ phase: 'ringing' } | { phase: 'ended'; endReason: IncomingEndReason; endedAt: number })

/** An audio device as a plain value. */
export interface AudioDevice {
  deviceId: string
  groupId: string
  kind: 'audioinput' | 'audiooutput'
  label: string
}

/** Kind of audio device that can be selected. */
export type AudioDeviceKind = 'audioinput' | 'audiooutput'

/** Audio devices and the current selection. */
export interface DevicesState {
  audioinput: readonly AudioDevice[]
  audiooutput: readonly AudioDevice[]
  /** The device in use per kind; null: the system default. */
  selected: { audioinput: string | null; audiooutput: string | null }
  /** False where the browser cannot route audio to a chosen output (no `setSinkId`). */
  canSelectOutput: boolean
  /** The last automatic change of device, to tell the user; null once they choose a device. */
  notice: DeviceNotice | null
}

/**
 * An automatic change of device: the chosen one was unplugged (`fell-back` to the default) or came back
 * (`restored`). `label` names the chosen device.
 */
export interface DeviceNotice {
  type: 'fell-back' | 'restored'
  kind: AudioDeviceKind
  label: string
}

/** Where device choices are kept between visits; `localStorage` by default. Errors are ignored. */
export interface DeviceStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

/** The whole client state. Immutable; the same object until something changes. */
export interface CallClientState {
  events: EventsStatus
  activeCall: Call | null
  incoming: readonly IncomingCall[]
  /** `readiness`: can this page play sound; `ringtone`: this tab is the one ringing for incoming calls. */
  audio: { readiness: AudioReadiness; ringtone: boolean }
  devices: DevicesState
  permission: MicrophonePermission
  /** False once the server answered a dial with `NOT_CONFIGURED` (phone calling not set up), true once it placed a call; null until then. */
  configured: boolean | null
}

/** Time source and timers, injectable so tests run on a fake clock. */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Listener of a subscribable. */
export type Listener = () => void

/** Why a room connection or a participant went away, normalized from LiveKit's DisconnectReason. */
export type DisconnectCause =
  | 'client-initiated'
  | 'duplicate-identity'
  | 'server-shutdown'
  | 'participant-removed'
  | 'room-deleted'
  | 'room-closed'
  | 'user-unavailable'
  | 'user-rejected'
  | 'sip-trunk-failure'
  | 'connection-timeout'
  | 'media-failure'
  | 'join-failure'
  | 'signal-close'
  | 'unknown'

/** Connection state of a transport session. */
export type SessionConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected'

/** A fact a transport session reports; the call state machine turns facts into phases. */
export type TransportFact =
  | { type: 'connection'; state: SessionConnectionState; cause?: DisconnectCause }
  | { type: 'participants'; participants: readonly ParticipantState[] }
  | { type: 'participant-left'; participant: ParticipantState; cause: DisconnectCause }
  | { type: 'dtmf'; digit: string; code: number; identity: string | null }
  | { type: 'audio-playback'; canPlay: boolean }
  | { type: 'media-error'; error: Error }
  | { type: 'transcript'; segments: readonly TranscriptSegment[] }
  /** The muted microphone hears speech (`true`) or has gone quiet (`false`); see `watchMutedSpeech`. */
  | { type: 'muted-speech'; speaking: boolean }
  /** LiveKit's connection quality changed: this browser's, and the worst of the other side's. */
  | { type: 'network'; local: ConnectionQualityLevel; remote: ConnectionQualityLevel }

/** Options of `TransportSession.connect`. */
export interface SessionConnectOptions {
  /** Publish the microphone once connected (answering an inbound call needs it: LiveKit SIP answers on first audio). */
  microphone: boolean
  audioInput?: string | null
  audioOutput?: string | null
  /**
   * A room the app already joined (LiveKit: a livekit-client `Room`, e.g. `<LiveKitRoom>`'s), used instead of
   * connecting; the session listens to it and never disconnects it. Its remote audio is the app's to render.
   */
  room?: RoomLike
}

/** One live room connection made by a transport. */
export interface TransportSession {
  connect(connection: Connection, options: SessionConnectOptions): Promise<void>
  disconnect(): Promise<void>
  setMicrophoneEnabled(enabled: boolean): Promise<void>
  /** Mute or restore what this browser hears (hold). */
  setRemoteAudioEnabled(enabled: boolean): void
  /** Optional: while enabled, listen locally to the muted microphone and report `muted-speech` facts. */
  watchMutedSpeech?(enabled: boolean): void
  publishDtmf(code: number, digit: string): Promise<void>
  /**
   * Send `track` (hold music) to the other side instead of the microphone; resolves to a function that puts the
   * microphone back (its mute state is then the caller's to restore).
   */
  playInsteadOfMicrophone(track: MediaStreamTrack): Promise<() => Promise<void>>
  switchDevice(kind: AudioDeviceKind, deviceId: string): Promise<void>
  /** Resume remote audio playback after the browser blocked autoplay; call from a user gesture. */
  startAudio(): Promise<void>
  /** Optional: cumulative link counters (round trip, packets sent/lost) for the network warnings; polled while connected. */
  linkStats?(): Promise<LinkStats | null>
}

/** Call-control requests a transport may send elsewhere than `/calls` (Twilio Voice uses `/twilio/voice/calls`). */
export interface TransportCallRequests {
  createCall(api: ApiClient, body: CreateCallRequest, signal?: AbortSignal): Promise<CallWithConnection>
  answerCall(api: ApiClient, id: string, signal?: AbortSignal): Promise<CallWithConnection>
  declineCall(api: ApiClient, id: string, body: { reject?: boolean }): Promise<unknown>
  hangupCall(api: ApiClient, id: string): Promise<unknown>
}

/** What the client lends a transport while it runs (see `CallTransport.attach`). */
export interface TransportHost {
  api: ApiClient
  /** Report a failure to `client.on` listeners as an `error` event. */
  onError(error: RinglineError): void
  /** Listen to the server's events stream while the client runs (Twilio follows a server-placed call's record); returns its stop function. */
  onServerEvent?(listener: (event: RinglineEvent) => void): () => void
}

/** A media transport: turns a `Connection` into a live session that reports facts. */
export interface CallTransport {
  readonly name: string
  createSession(onFact: (fact: TransportFact) => void): TransportSession
  /** Optional: routes for dial/answer/decline/hang-up; each one missing uses the default `/calls` route. */
  requests?: Partial<TransportCallRequests>
  /** Optional: work that lives while the client has subscribers (Twilio registers its Device for incoming calls); returns its stop function. */
  attach?(host: TransportHost): () => void
  /** Optional: load what the first call needs (its SDK and session code) ahead of it; idempotent, never rejects. */
  prepare?(): Promise<void>
}

/** Discrete happenings a UI may want besides state (toasts, logs, analytics). */
export type CallClientEvent =
  | { type: 'dtmf'; direction: 'sent' | 'received'; digit: string; callKey: string }
  | { type: 'error'; error: RinglineError }
  | { type: 'server-event'; event: RinglineEvent }
  | { type: 'speaking-while-muted'; speaking: boolean; callKey: string }
  /** A network warning was raised or cleared on the active call (also in `call.networkWarnings`). */
  | { type: 'network-warning'; warning: NetworkWarning; raised: boolean; callKey: string }

/** Options of `createCallClient`. Every browser API is an injectable seam with a browser default. */
export interface CallClientOptions {
  /** Where the Ringline server handler is mounted, e.g. `/api/ringline`. */
  baseUrl: string
  fetch?: typeof fetch
  /** Extra headers on every request, e.g. `() => ({ authorization: \`Bearer ${token}\` })`. */
  headers?: HeadersOption
  credentials?: RequestCredentials
  /** Media transport; default `livekitTransport()`. */
  transport?: CallTransport
  /** The `/events` stream; `false` disables it (no incoming calls). */
  events?:
    | boolean
    | { EventSource?: EventSourceConstructor; backoff?: BackoffOptions; idleTimeoutMs?: number }
  /** Coordination between tabs; `false`: this tab works alone. */
  tabs?:
    | boolean
    | { name?: string; BroadcastChannel?: BroadcastChannelConstructor | null; locks?: LockManagerLike | null }
  /** A sound manager, options for one, or `false` for silence. */
  sounds?: SoundManager | SoundManagerOptions | false
  /** Desktop notifications and title flashing; `false` disables them. */
  notifications?: (DesktopNotifierOptions & { title?: string; flashText?: string }) | false
  mediaDevices?: MediaDevicesLike | null
  permissions?: PermissionsLike | null
  canSelectOutput?: boolean
  /** Where chosen devices are remembered (default `localStorage`); `null` remembers nothing. */
  deviceStorage?: DeviceStorage | null
  clock?: Clock
  random?: () => number
  /** Country for numbers typed without `+`, e.g. `'US'`. Without it such numbers go to the server as typed. */
  defaultCountry?: CountryCode
  timeouts?: Partial<CallTimeouts>
  notifyManager?: NotifyManager
  /** Network warnings: hysteresis rules, thresholds, and how often link stats are read (default 2000 ms). */
  network?: {
    rules?: Partial<Record<NetworkWarningName, Partial<NetworkWarningRule>>>
    thresholds?: Partial<NetworkThresholds>
    statsIntervalMs?: number
  }
}

/** Options of `dial`. */
export interface DialOptions {
  contactId?: string
  callerId?: string
}

/** The call-state client: one per page, framework-agnostic, bound to React with `useSyncExternalStore`. */
export interface CallClient {
  /** Listen to state changes; the first listener starts the events stream, devices and tab coordination. */
  subscribe(listener: () => void): () => void
  /** Current state; the same object until something changes. */
  getSnapshot(): CallClientState
  /** State to render on the server and during hydration. */
  getServerSnapshot(): CallClientState
  /** Place an outbound phone call. Rejects with a `RinglineError` when the request fails (also shown in state). */
  dial(to: string, options?: DialOptions): Promise<Call>
  /**
   * A call is likely soon (the Dialer got focus or a digit): load the transport's SDK and, with a `defaultCountry`,
   * the phone-number metadata now, so the first call does not wait for them. Idempotent, never rejects.
   */
  prepare(): Promise<void>
  /**
   * Answer a ringing inbound call (atomic claim on the server). The ring of your own server-placed call
   * (`serverDial`) rejects with `CALL_ALREADY_ANSWERED`: the tab that placed it takes it.
   */
  answer(callId: string): Promise<Call>
  /**
   * Stop an inbound call ringing for this user; `reject: true` ends it for everyone. For the ring of your own
   * server-placed call (`serverDial`): drops it here, and `reject: true` hangs that call up.
   */
  decline(callId: string, options?: { reject?: boolean }): Promise<void>
  /** Hang up the active call (or cancel it while it rings). */
  hangup(callId?: string): Promise<void>
  setMuted(muted: boolean): Promise<void>
  /** Mute both directions and play hold music to the other side. */
  hold(): Promise<void>
  /** Undo `hold()`. */
  resume(): Promise<void>
  /** Send DTMF digits (0–9, *, #, A–D) to the phone side. */
  sendDtmf(digits: string): Promise<void>
  /** Blind-transfer the phone side to a number or `sip:`/`tel:` URI. */
  transfer(to: string): Promise<void>
  /** Invite a LiveKit agent into the active call (`POST /calls/:id/agent`); once per call and agent name. */
  inviteAgent(agentName: string, options?: { metadata?: string }): Promise<DispatchAgentResponse>
  /**
   * Use a LiveKit room the app already joined (`<LiveKitRoom>`'s `Room`) for the next calls: `dial()` then asks the
   * server to place the phone into that room (`POST /calls` with `room`) and the call's media rides it, without
   * connecting or disconnecting it. `null` detaches (later calls get rooms of their own); a live call keeps its room.
   */
  attachRoom(room: RoomLike | null): void
  /** The room given to `attachRoom`, or null. */
  readonly attachedRoom: RoomLike | null
  /** Join an internal (team) room by name; `kind` (a server room kind such as `support`) applies when this join creates it. */
  joinRoom(name: string, options?: { displayName?: string; kind?: string }): Promise<Call>
  leaveRoom(): Promise<void>
  /** End the internal room for everyone (its creator only). */
  endRoom(): Promise<void>
  /** Clear a finished call (`ended` / `failed`) from `activeCall`. */
  dismiss(): void
  /** Let the page play audio after the browser blocked autoplay; call from a click handler. */
  startAudio(): Promise<void>
  /**
   * Unblock all sound with one call from any user gesture (click, key): the ringtone and call sounds, and the
   * active call's remote audio. `state.audio.readiness` says when it is needed (`blocked`).
   */
  enableSound(): Promise<void>
  devices: {
    select(kind: AudioDeviceKind, deviceId: string): Promise<void>
    refresh(): Promise<void>
    requestPermission(): Promise<MicrophonePermission>
  }
  /** Call sounds (volume, ring device, test tones); null when sounds are disabled. */
  sounds: SoundManager | null
  notifications: {
    permission(): NotificationPermission | 'unsupported'
    requestPermission(): Promise<NotificationPermission | 'unsupported'>
  }
  /** Typed access to every server route (history, rooms, Twilio onboarding). */
  api: ApiClient
  /** Warm (attended) transfer: consult a colleague while the caller is held, then hand over or cancel. */
  readonly consult: ConsultClient
  /** Listen to discrete events: DTMF, errors, raw server events. */
  on(listener: (event: CallClientEvent) => void): () => void
  /** True while this tab is the one that rings. */
  readonly isLeaderTab: boolean
  /** Stop everything: streams, listeners, sounds; hangs up a live call. */
  destroy(): void
}
