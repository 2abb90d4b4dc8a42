// Call recording: audio-only room composite egress to S3-compatible storage, webhook tracking, signed playback.

export {
  isRecordingPolicy,
  mayRecordOnDemand,
  recordingPolicyFromRouting,
  resolveRecordingPolicy,
  resolveRecordingStorage,
  shouldRecordOnAnswer,
} from './recordingPolicy'
export type {
  RecordingService,
  RecordingWebhookResult,
  StartRecordingResult,
} from './recordingService'
export {
  applyEgressInfo,
  createRecordingService,
  recordingStatusOf,
  toRecordingInfo,
} from './recordingService'
export type { PresignOptions, S3Location, SignRequestOptions } from './sigv4'
export { presignS3Url, s3ObjectUrl, signS3Request } from './sigv4'
export { sqlRecordingStore } from './sqlRecordingStore'
export type {
  EgressApi,
  RecordingCall,
  RecordingOptions,
  RecordingPlayback,
  RecordingPolicy,
  RecordingPolicyResolver,
  RecordingServiceDeps,
  RecordingState,
  RecordingStatus,
  RecordingStorageConfig,
  RecordingStore,
} from './types'
