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
export { DEFAULT_BLOCKED_TYPES } from './callGuard'
export type { ResolvedConfig } from './config'
export { ERROR_STATUS, HttpError, type HttpErrorOptions, isHttpError } from './errors'
export { type MediaServices, toAgentDispatchInfo } from './media'
export type { HealthReport } from './operations/health'
export type { ProvisionNumberInput } from './operations/inbound'
export type { WebhookOutcome } from './operations/livekitWebhook'
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
export { createRingline, type Ringline, type RinglineApi } from './ringline'
export type { Route, RouteContext } from './router'
export { memoryStore } from './store/memoryStore'
export type { NumberConnectionRow, RoutingPolicy } from './store/numberRepository'
export { type PgliteStoreOptions, pgliteStore } from './store/pgliteStore'
export { type PostgresStoreOptions, postgresStore } from './store/postgresStore'
export type { Queryable, RinglineStore, SqlDriver, Transaction } from './store/types'
export { mintRoomToken, type RoomTokenRequest } from './tokens'
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
export type { Authorize, CallGuardOptions, Logger, Principal, RinglineConfig } from './types'
export { VERSION } from './version'
