import type { CallDirection, CallStatus } from '@ringline/core/protocol'
import type { EgressClient } from 'livekit-server-sdk'
import type { Logger } from '../types'
import type { S3Location } from './sigv4'

/** When a call is recorded: never, as soon as it is answered, or when someone asks (`POST /calls/:id/recording`). */
export type RecordingPolicy = 'never' | 'on-answer' | 'on-demand'

/** Where a recording is in its life: LiveKit's egress states folded into five. */
export type RecordingStatus = 'starting' | 'active' | 'stopping' | 'completed' | 'failed'

/** The recording of a call as kept in `ringline_calls.metadata.recording` (timestamps ISO 8601). */
export interface RecordingState {
  status: RecordingStatus
  /** LiveKit egress id (`EG_…`), null until LiveKit accepted the request. */
  egressId: string | null
  /** Object key in the bucket (never a URL). */
  objectKey: string
  /** `user:<id>` or `policy`. */
  requestedBy: string
  requestedAt: string
  startedAt: string | null
  endedAt: string | null
  durationSeconds: number | null
  sizeBytes: number | null
  /** Why the egress failed or was aborted (from LiveKit, secrets removed). */
  error: string | null
  /** Last egress `updatedAt` applied, to ignore replayed or stale webhooks. */
  egressUpdatedAt: string | null
}

/** The fields of a call the recording service reads. */
export interface RecordingCall {
  id: string
  tenantId: string
  direction: CallDirection
  status: CallStatus
  roomName: string
  fromNumber: string | null
  toNumber: string | null
  endedAt: string | null
  /** Object key of the finished recording (`ringline_calls.recording_url`). */
  recordingUrl: string | null
  egressId: string | null
  recording: RecordingState | null
}

/** What the recording service needs from storage; `sqlRecordingStore(db)` implements it on `ringline_calls`. */
export interface RecordingStore {
  getCall(callId: string): Promise<RecordingCall | null>
  /** The call an egress belongs to: by egress id, else the room's call whose recording is `starting` without an id yet. */
  findCallForEgress(egressId: string, roomName: string | undefined): Promise<RecordingCall | null>
  /**
   * Atomically sets `recording` on an open call unless a recording is starting, active or stopping there
   * (a `starting` claim older than `staleBefore` with no egress id counts as abandoned). True when we won.
   */
  claimStart(callId: string, recording: RecordingState, staleBefore: string): Promise<boolean>
  /**
   * Compare-and-set: writes the recording state (and `egress_id` / `recording_url` when given) only if the stored
   * recording still has the `guard`'s object key, status and egress id. True when the row changed.
   */
  saveRecording(
    callId: string,
    update: { recording: RecordingState; egressId?: string; recordingUrl?: string },
    guard: { objectKey: string; status: RecordingStatus; egressId: string | null },
  ): Promise<boolean>
}

/** S3-compatible storage the egress uploads to (bucket credentials are sent to LiveKit, never to browsers). */
export interface RecordingStorageConfig {
  bucket: string
  region: string
  /** Custom endpoint for S3-compatible stores (MinIO, R2, Wasabi…). */
  endpoint?: string
  /** Prepended to every object key, e.g. `recordings/`. */
  keyPrefix?: string
  /** Path-style addressing (`endpoint/bucket/key`); default true when `endpoint` is set. */
  forcePathStyle?: boolean
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** What decides the policy of a call: a constant or a function of the call (tenant, number, direction). */
export type RecordingPolicyResolver =
  | RecordingPolicy
  | ((call: RecordingCall) => RecordingPolicy | Promise<RecordingPolicy>)

/** `recording` option of `createRingline`. */
export interface RecordingOptions {
  /** Bucket and credentials; each field falls back to `RINGLINE_RECORDING_*` environment variables. */
  storage?: Partial<RecordingStorageConfig>
  /** Default `on-demand`; a function may look up the tenant or the number's routing policy. */
  policy?: RecordingPolicyResolver
  /** Container of the audio file (default `ogg`, Opus audio). */
  fileType?: 'ogg' | 'mp3' | 'mp4'
  /** How participants are mixed: one mono mix (default) or agent/others on two channels. */
  audioMixing?: 'default' | 'dual-channel-agent' | 'dual-channel-alternate'
  /** Lifetime of playback URLs in seconds (default 300, at most 604800). */
  playbackTtlSeconds?: number
}

/** The subset of `EgressClient` the recording service calls. */
export type EgressApi = Pick<EgressClient, 'startRoomCompositeEgress' | 'stopEgress'>

/** Dependencies of `createRecordingService`. */
export interface RecordingServiceDeps {
  egress: EgressApi
  store: RecordingStore
  storage: RecordingStorageConfig
  policy?: RecordingPolicyResolver
  fileType?: RecordingOptions['fileType']
  audioMixing?: RecordingOptions['audioMixing']
  playbackTtlSeconds?: number
  logger?: Logger
  /** Clock (tests). */
  now?: () => Date
  /** Seconds after which a `starting` claim without an egress id is considered abandoned (default 60). */
  staleClaimSeconds?: number
}

/** A playback link: a SigV4 presigned GET URL of the recording, valid until `expiresAt`. */
export interface RecordingPlayback {
  url: string
  expiresAt: string
  contentType: string
}

export type { S3Location }
