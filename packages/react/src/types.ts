// The one place where @ringline/react states what it needs from a call client: a structural subset
// of core's `CallClient`, so the real client (`createCallClient()`) and small fakes both fit.

import type { ConsultSnapshot, TwilioOnboardingApi, TwilioVoiceSettingsApi } from '@ringline/core'
import type { CallDetail, Connection, ListCallsQuery, ListCallsResponse } from '@ringline/core/protocol'
import type {
  AudioDeviceKind,
  CallClientEvent,
  CallClientState as CoreCallClientState,
  MicrophonePermission,
  NotificationPermissionLike,
  RoomLike,
} from './coreTypes'

export type {
  AgentState,
  AudioDevice,
  AudioDeviceKind,
  Call,
  CallAgent,
  CallBase,
  CallClientEvent,
  CallError,
  CallPhase,
  CallPhaseName,
  CallRemote,
  CallTransfer,
  Consult,
  ConsultLeftReason,
  ConsultOffer,
  ConsultSnapshot,
  DevicesState,
  EndReason,
  IncomingCall,
  IncomingEndReason,
  ParticipantKind,
  ParticipantState,
} from '@ringline/core'

/** The client state the components read: core's, as is. */
export type CallClientState = CoreCallClientState

/** The HTTP operations the history, room and onboarding features use: a subset of core's `ApiClient`. */
export interface RinglineApi {
  /** `GET /calls` */
  listCalls(query?: ListCallsQuery, signal?: AbortSignal): Promise<ListCallsResponse>
  /** `GET /calls/:id` */
  getCall(id: string, signal?: AbortSignal): Promise<CallDetail>
  /** `POST /rooms/:name/end` */
  endRoom(name: string): Promise<unknown>
  /** `POST /rooms/:name/join`: a token for one room (the ready check's connection test with a named `roomName`). */
  joinRoom?(name: string, body?: { displayName?: string }): Promise<{ connection: Connection }>
  /** `POST /ready-check`: a private test room that leaves no call record (the ready check's connection test). */
  readyCheckConnection?(): Promise<{ connection: Connection }>
  /** The `/twilio/...` routes onboarding uses (`POST /twilio/credentials/verify`, `PUT|GET|DELETE /twilio/credentials`, `GET /twilio/numbers`, `POST /twilio/numbers/:sid/connect|disconnect`, `GET /twilio/numbers/:sid/status`). */
  twilio: TwilioOnboardingApi['twilio']
  /** The Twilio Voice settings routes `VoiceConfigurationCard` uses (`GET|DELETE /twilio/voice`, `POST /twilio/voice/auto-configure`, `POST /token`). */
  twilioVoice?: TwilioVoiceSettingsApi
}

/** Warm transfer as the components use it: core's `client.consult`. */
export interface ConsultClientLike {
  subscribe(listener: () => void): () => void
  getSnapshot(): ConsultSnapshot
  /** A colleague (`userId`, or `{ userId }`) or a phone number (`{ to }`). */
  start(target: string | { userId: string } | { to: string }): Promise<unknown>
  complete(): Promise<unknown>
  cancel(): Promise<unknown>
  answer(callId: string): Promise<unknown>
  decline(callId: string): Promise<unknown>
  dismiss(): void
}

/** What the React bindings need from a call client: `createCallClient()` of @ringline/core satisfies it. */
export interface CallClientLike {
  subscribe(listener: () => void): () => void
  getSnapshot(): CallClientState
  /** Snapshot used while rendering on the server and hydrating; defaults to an offline, idle state. */
  getServerSnapshot?(): CallClientState
  dial(to: string, options?: { contactId?: string; callerId?: string }): Promise<unknown>
  /** Loads what the first call needs ahead of it (core's `prepare`); the Dialer calls it on focus or a first digit. */
  prepare?(): Promise<unknown> | unknown
  answer(callId: string): Promise<unknown>
  decline(callId: string, options?: { reject?: boolean }): Promise<unknown>
  hangup(callId?: string): Promise<unknown>
  setMuted(muted: boolean): unknown
  hold(): unknown
  resume(): unknown
  sendDtmf(digits: string): unknown
  transfer(to: string): unknown
  /** Invites a LiveKit agent into the active call (`POST /calls/:id/agent`). */
  inviteAgent?(agentName: string): Promise<unknown>
  joinRoom(name: string, options?: { displayName?: string; kind?: string }): Promise<unknown>
  /** Places the next calls into a LiveKit room the app already joined (core's `attachRoom`); null detaches. */
  attachRoom?(room: RoomLike | null): void
  leaveRoom(): unknown
  /** Ends an internal room for everyone (creator only). */
  endRoom?(): unknown
  /** Clears a finished call from `activeCall`. */
  dismiss?(): void
  devices: {
    select(kind: AudioDeviceKind, deviceId: string): unknown
    /** Asks for microphone permission. */
    requestPermission?(): Promise<MicrophonePermission> | unknown
  }
  /** Unlocks audio after the browser blocked autoplay (must run inside a click). */
  startAudio?(): unknown
  /** Call sounds; the ready check plays its test tone with `playTestTone`. */
  sounds?: { readonly readiness: 'blocked' | 'ready'; playTestTone?(): Promise<boolean> } | null
  /** Unblocks the ringtone and remote audio with one call from a user gesture (core's; else `startAudio`). */
  enableSound?(): Promise<unknown> | unknown
  /** Desktop notifications (core shows them itself; the overlay only offers the permission prompt). */
  notifications?: {
    permission(): NotificationPermissionLike
    requestPermission(): Promise<NotificationPermissionLike>
  }
  /** Discrete events; `server-event` carries the raw `/events` messages used for live history. */
  on?(listener: (event: CallClientEvent) => void): () => void
  /** HTTP operations; when absent the provider builds them from `baseUrl`. */
  api?: RinglineApi
  /** Base URL of the Ringline server routes. */
  baseUrl?: string
  /** Warm (attended) transfer; without it the components offer blind transfer only. */
  consult?: ConsultClientLike
  destroy(): void
}
