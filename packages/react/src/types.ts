// The one place where @ringline/react states what it needs from a call client (DESIGN §3).
// It mirrors `createCallClient()` and the state types of @ringline/core (packages/core/src/types.ts) structurally,
// so the real client and small fakes both fit; swap these for imports once core exports them.
import type {
  CallDetail,
  CallDirection,
  CallRecord,
  ConnectNumberRequest,
  ErrorCode,
  ListCallsQuery,
  ListCallsResponse,
  NumberConnection,
  RinglineEvent,
  TwilioCredentialsRequest,
  TwilioIntegration,
  TwilioNumber,
} from '@ringline/core/protocol'

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

/** A failure carried by the `failed` phase. */
export interface CallError {
  code: ErrorCode | (string & {})
  message: string
}

/** What kind of peer a participant is. */
export type ParticipantKind = 'user' | 'sip' | 'agent' | 'other'

/** One participant of the room behind the active call. */
export interface ParticipantState {
  identity: string
  name: string | null
  kind: ParticipantKind
  isLocal: boolean
  speaking: boolean
  muted: boolean
  /** `sip.callStatus` for SIP participants, else null. */
  sipStatus?: 'dialing' | 'ringing' | 'automation' | 'active' | 'hangup' | null
  attributes?: Readonly<Record<string, string>>
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
  /** Local key, stable from `requesting` on. */
  key: string
  /** Server call id; null while `requesting`. */
  id: string | null
  direction: CallDirection
  remote: CallRemote
  /** LiveKit room name; for internal calls the team-room name is in `remote.name`. */
  roomName: string | null
  record?: CallRecord | null
  muted: boolean
  onHold: boolean
  participants: readonly ParticipantState[]
  dtmf?: { sent: string; received: string }
  transfer?: CallTransfer | null
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

/** Name of a call phase: the strings used in `data-state`. */
export type CallPhaseName = CallPhase['phase']

/** A call: the common fields plus its phase. */
export type Call = CallBase & CallPhase

/** Why an incoming call stopped ringing here. */
export type IncomingEndReason = 'answered-elsewhere' | 'missed' | 'declined' | 'canceled'

/** An inbound call offered to this user, ringing or just ended (kept briefly so the UI can say why). */
export type IncomingCall = {
  id: string
  from: string | null
  to: string | null
  record?: CallRecord
  receivedAt: number
} & ({ phase: 'ringing' } | { phase: 'ended'; endReason: IncomingEndReason; endedAt: number })

/** Kind of audio device that can be selected. */
export type AudioDeviceKind = 'audioinput' | 'audiooutput'

/** An audio device as a plain value. */
export interface AudioDevice {
  deviceId: string
  groupId?: string
  kind: AudioDeviceKind
  label: string
}

/** Audio devices and the current selection. */
export interface DevicesState {
  audioinput: readonly AudioDevice[]
  audiooutput: readonly AudioDevice[]
  selected: { audioinput: string | null; audiooutput: string | null }
  /** False where the browser cannot route audio to a chosen output (no `setSinkId`). */
  canSelectOutput?: boolean
}

/** The whole client state (core's `CallClientState`). Immutable; the same object until something changes. */
export interface CallClientState {
  events: 'offline' | 'connecting' | 'online'
  activeCall: Call | null
  incoming: readonly IncomingCall[]
  audio: { readiness: 'blocked' | 'ready' }
  devices: DevicesState
  permission: 'prompt' | 'granted' | 'denied'
  /** False when the server said phone calling is not set up (`NOT_CONFIGURED`); absent when unknown. */
  configured?: boolean
}

/** The HTTP operations the history, room and onboarding features use: a subset of core's `ApiClient`. */
export interface RinglineApi {
  /** `GET /calls` */
  listCalls(query?: ListCallsQuery, signal?: AbortSignal): Promise<ListCallsResponse>
  /** `GET /calls/:id` */
  getCall(id: string, signal?: AbortSignal): Promise<CallDetail>
  /** `POST /rooms/:name/end` */
  endRoom(name: string): Promise<unknown>
  twilio: {
    /** `POST /twilio/credentials/verify` */
    verifyCredentials(body: TwilioCredentialsRequest): Promise<unknown>
    /** `PUT /twilio/credentials` */
    saveCredentials(body: TwilioCredentialsRequest): Promise<TwilioIntegration>
    /** `DELETE /twilio/credentials` */
    deleteCredentials(): Promise<unknown>
    /** `GET /twilio/numbers` */
    listNumbers(signal?: AbortSignal): Promise<TwilioNumber[]>
    /** `POST /twilio/numbers/:sid/connect` */
    connectNumber(sid: string, body?: ConnectNumberRequest): Promise<NumberConnection>
    /** `POST /twilio/numbers/:sid/disconnect` */
    disconnectNumber(sid: string): Promise<unknown>
    /** `GET /twilio/numbers/:sid/status` */
    numberStatus(sid: string, signal?: AbortSignal): Promise<NumberConnection>
  }
}

/** What the React bindings need from a call client: `createCallClient()` of @ringline/core satisfies it. */
export interface CallClientLike {
  subscribe(listener: () => void): () => void
  getSnapshot(): CallClientState
  /** Snapshot used while rendering on the server and hydrating; defaults to an offline, idle state. */
  getServerSnapshot?(): CallClientState
  dial(to: string, options?: { contactId?: string; callerId?: string }): Promise<unknown>
  answer(callId: string): Promise<unknown>
  decline(callId: string): Promise<unknown>
  hangup(callId?: string): Promise<unknown>
  setMuted(muted: boolean): unknown
  hold(): unknown
  resume(): unknown
  sendDtmf(digits: string): unknown
  transfer(to: string): unknown
  joinRoom(name: string, options?: { displayName?: string }): Promise<unknown>
  leaveRoom(): unknown
  devices: { select(kind: AudioDeviceKind, deviceId: string): unknown }
  destroy(): void
  /** Unlocks audio after the browser blocked autoplay (must run inside a click). */
  startAudio?(): unknown
  /** Asks for microphone permission. */
  requestPermission?(): unknown
  /** Ends an internal room for everyone (creator only). */
  endRoom?(): unknown
  /** Raw server events (`GET /events`), used for live history updates. */
  onEvent?(listener: (event: RinglineEvent) => void): () => void
  /** HTTP operations; when absent the provider builds them from `baseUrl`. */
  api?: RinglineApi
  /** Base URL of the Ringline server routes. */
  baseUrl?: string
}
