// The one place where @ringline/react states what it needs from a call client (DESIGN §3).
// It mirrors `createCallClient()` of @ringline/core structurally, so the real client and small fakes both fit.
import type {
  CallDetail,
  CallDirection,
  ConnectNumberRequest,
  ListCallsQuery,
  ListCallsResponse,
  NumberConnection,
  RinglineEvent,
  TwilioCredentialsRequest,
  TwilioIntegration,
  TwilioNumber,
} from '@ringline/core/protocol'

/** Phases of a call, the same strings as core's `Call.phase` and the components' `data-state`. */
export type CallPhase =
  | 'requesting'
  | 'dialing'
  | 'ringing'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'ended'
  | 'failed'

/** Why a call ended (core's `Call.endReason` in the `ended` phase). */
export type CallEndReasonUI =
  | 'local-hangup'
  | 'remote-hangup'
  | 'busy'
  | 'no-answer'
  | 'declined'
  | 'canceled'
  | 'answered-elsewhere'
  | 'missed'

/** A person or phone leg in the call or room, as the components show it. */
export interface CallParticipantView {
  identity: string
  name?: string | null
  kind?: 'user' | 'sip' | 'agent' | 'other'
  isLocal?: boolean
  isSpeaking?: boolean
  isMuted?: boolean
}

/** Fields every call carries whatever its phase. */
export interface CallBase {
  /** Server call id; null while `requesting`. */
  id: string | null
  direction: CallDirection
  /** The other side's number (E.164) for phone calls. */
  remoteNumber?: string | null
  /** The other side's display name when known. */
  remoteName?: string | null
  /** Team room name (as typed) for internal calls. */
  roomName?: string | null
  muted?: boolean
  onHold?: boolean
  /** Epoch ms when the call was created locally. */
  startedAt?: number | null
  /** Epoch ms when media first connected. */
  connectedAt?: number | null
  /** Epoch ms when the call ended. */
  endedAt?: number | null
  participants?: readonly CallParticipantView[]
  /** True when the local user created the internal room (may end it for everyone). */
  isCreator?: boolean
}

/** A call: a union on `phase`, with fields that exist only in that phase. */
export type Call =
  | (CallBase & {
      phase: 'requesting' | 'dialing' | 'ringing' | 'connecting' | 'connected' | 'reconnecting'
    })
  | (CallBase & { phase: 'ended'; endReason: CallEndReasonUI })
  | (CallBase & { phase: 'failed'; error: { code: string; message: string } })

/** States an incoming call goes through in the overlay. */
export type IncomingCallState = 'ringing' | 'answering' | 'answered-elsewhere' | 'missed'

/** A ringing inbound call. Core keeps `answered-elsewhere` / `missed` entries briefly so the UI can say so. */
export interface IncomingCall {
  id: string
  from: string | null
  to?: string | null
  callerName?: string | null
  /** Epoch ms when it started ringing here. */
  receivedAt?: number
  /** Absent means `ringing`. */
  state?: IncomingCallState
}

/** An audio device as listed by the browser. */
export interface AudioDevice {
  deviceId: string
  label: string
  kind: 'audioinput' | 'audiooutput'
}

/** Devices known to the client and the selection. */
export interface DevicesState {
  audioinput: readonly AudioDevice[]
  audiooutput: readonly AudioDevice[]
  selected: { audioinput: string | null; audiooutput: string | null }
}

/** The snapshot a call client publishes (core's `CallClientState`). */
export interface CallClientState {
  events: 'offline' | 'connecting' | 'online'
  activeCall: Call | null
  incoming: readonly IncomingCall[]
  audio: { readiness: 'blocked' | 'ready' }
  devices: DevicesState
  permission: 'prompt' | 'granted' | 'denied'
  /** False when the server says phone calling is not set up (`NOT_CONFIGURED`). */
  configured?: boolean
}

/** Device kinds a client can select. */
export type AudioDeviceKind = 'audioinput' | 'audiooutput'

/** The HTTP operations the history and onboarding hooks use. The real client may expose it as `client.api`. */
export interface RinglineApi {
  /** `GET /calls` */
  listCalls(query: ListCallsQuery, init?: { signal?: AbortSignal }): Promise<ListCallsResponse>
  /** `GET /calls/:id` */
  getCall(id: string, init?: { signal?: AbortSignal }): Promise<CallDetail>
  /** `POST /twilio/credentials/verify` */
  verifyTwilioCredentials(body: TwilioCredentialsRequest): Promise<TwilioIntegration>
  /** `PUT /twilio/credentials` */
  saveTwilioCredentials(body: TwilioCredentialsRequest): Promise<TwilioIntegration>
  /** `DELETE /twilio/credentials` */
  deleteTwilioCredentials(): Promise<void>
  /** `GET /twilio/numbers` */
  listTwilioNumbers(): Promise<{ numbers: TwilioNumber[] }>
  /** `POST /twilio/numbers/:sid/connect` */
  connectNumber(sid: string, body?: ConnectNumberRequest): Promise<NumberConnection>
  /** `POST /twilio/numbers/:sid/disconnect` */
  disconnectNumber(sid: string): Promise<NumberConnection>
  /** `GET /twilio/numbers/:sid/status` */
  getNumberStatus(sid: string): Promise<NumberConnection>
  /** `POST /rooms/:name/end` */
  endRoom(name: string): Promise<void>
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

/** Text overrides: every visible string of a component, partially replaceable. */
export type Labels<T> = { [K in keyof T]?: T[K] extends string | ((...args: never[]) => string) ? T[K] : Partial<T[K]> }
