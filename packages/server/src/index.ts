// @ringline/server: Fetch-standard handlers, operations, storage and adapters for Ringline.
export {
  type AgentCallFacts,
  type AgentDecision,
  type AgentDispatchApi,
  type AgentDispatchRecord,
  type AgentDispatchState,
  type AgentDispatchStore,
  type AgentDispatchTrigger,
  type AgentRoutingPolicy,
  type AgentScheduler,
  type AgentSchedulerDeps,
  type AgentsOptions,
  type AgentTrigger,
  agentPolicyFromRouting,
  agentRoutingPolicySchema,
  createAgentScheduler,
  type DispatchAgentDeps,
  type DispatchAgentInput,
  type DispatchAgentResult,
  decideAgentDispatch,
  dispatchAgent,
  sqlAgentDispatchStore,
} from './agents'
export type { ProvisionNumberInput } from './calls/inbound'
export { DEFAULT_BLOCKED_TYPES } from './calls/outboundGuard'
export type { ReconcileResult } from './calls/reconcile'
export type { ResolvedConfig } from './config'
export { type DoctorCheck, type DoctorOptions, formatDoctor, runDoctor } from './doctor'
export type { HealthReport } from './health/health'
export { ERROR_STATUS, HttpError, type HttpErrorOptions, isHttpError } from './http/errors'
export type { Route, RouteContext } from './http/router'
export { type MediaServices, toAgentDispatchInfo } from './mediaServices'
export type { NumberConnectionRow, RoutingPolicy } from './numbers/numberRepository'
export { TWILIO_SIGNALING_ADDRESSES } from './numbers/signalingAddresses'
export {
  applyEgressInfo,
  createRecordingService,
  type EgressApi,
  isRecordingPolicy,
  mayRecordOnDemand,
  type PresignOptions,
  presignS3Url,
  type RecordingCall,
  type RecordingOptions,
  type RecordingPlayback,
  type RecordingPolicy,
  type RecordingPolicyResolver,
  type RecordingService,
  type RecordingServiceDeps,
  type RecordingState,
  type RecordingStatus,
  type RecordingStorageConfig,
  type RecordingStore,
  type RecordingWebhookResult,
  recordingPolicyFromRouting,
  recordingStatusOf,
  resolveRecordingPolicy,
  resolveRecordingStorage,
  type S3Location,
  type SignRequestOptions,
  type StartRecordingResult,
  s3ObjectUrl,
  shouldRecordOnAnswer,
  signS3Request,
  sqlRecordingStore,
  toRecordingInfo,
} from './recording'
export { consoleLogger, Redactor } from './redact'
export type { RevokeUserOptions, RevokeUserResult } from './revocation/revocation'
export { createRingline, type Ringline, type RinglineApi } from './ringline'
export type { RoomKindPolicy, RoomsOptions } from './rooms/roomKindConfig'
export { memoryStore } from './sql/memoryStore'
export { type PgliteStoreOptions, pgliteStore } from './sql/pgliteStore'
export { type PostgresStoreOptions, postgresStore } from './sql/postgresStore'
export type { ListenHooks, Queryable, RinglineStore, SqlDriver, Transaction } from './sql/types'
export { mintRoomToken, RINGLINE_ROOM_PREFIXES, type RoomTokenRequest } from './tokens'
export {
  createTranscriptionService,
  type LegacyTranscriptionSegment,
  loadRtcNode,
  mergeTranscript,
  type SpeakerInfo,
  segmentFromTextStream,
  segmentsFromLegacy,
  speakerKindOf,
  sqlTranscriptStore,
  startTranscriptCollector,
  type TranscriptCollector,
  type TranscriptCollectorOptions,
  type TranscriptionService,
  type TranscriptionServiceDeps,
  type TranscriptionStreamInfo,
  type TranscriptStore,
  type TranscriptsOptions,
} from './transcripts'
export { TWILIO_VOICE_ENV, type TwilioVoiceEnv } from './twilioVoice/envConfig'
export type { Authorize, CallGuardOptions, Logger, Principal, RinglineConfig } from './types'
export { VERSION } from './version'
export type { WebhookOutcome } from './webhooks/livekitWebhook'
export type { TenantWebhookHealth, WebhookHealthReport } from './webhooks/webhookHealth'
