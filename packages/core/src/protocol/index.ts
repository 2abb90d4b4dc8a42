// The wire contract shared by @ringline/server and @ringline/core: zod schemas and types for every route and event.
export type {
  CallDetail,
  CallDirection,
  CallEndReason,
  CallParticipant,
  CallRecord,
  CallStats,
  CallStatus,
  CallWithConnection,
  Connection,
  CreateCallRequest,
  DeclineCallRequest,
  DispatchAgentRequest,
  ListCallsQuery,
  ListCallsResponse,
  TransferCallRequest,
} from './calls'
export {
  callDetailSchema,
  callDirectionSchema,
  callEndReasonSchema,
  callParticipantSchema,
  callRecordSchema,
  callStatsSchema,
  callStatusSchema,
  callWithConnectionSchema,
  connectionSchema,
  createCallRequestSchema,
  declineCallRequestSchema,
  dispatchAgentRequestSchema,
  e164Schema,
  FINAL_CALL_STATUSES,
  listCallsQuerySchema,
  listCallsResponseSchema,
  transferCallRequestSchema,
} from './calls'
export type { ErrorBody, ErrorCode } from './errors'
export { ERROR_CODES, errorBodySchema, errorCodeSchema } from './errors'
export type { RinglineEvent, RinglineEventOf, RinglineEventType } from './events'
export {
  callEndedEventSchema,
  callIncomingEventSchema,
  callUpdatedEventSchema,
  EVENT_TYPES,
  ringlineEventSchema,
  roomUpdatedEventSchema,
} from './events'
export type {
  AgentDispatchInfo,
  CallTranscriptResponse,
  DispatchAgentResponse,
  RecordingInfo,
  RecordingPlayback,
  RecordingResponse,
  RecordingStatus,
  SpeakerKind,
  TranscriptSegment,
} from './media'
export {
  agentDispatchSchema,
  callTranscriptResponseSchema,
  dispatchAgentResponseSchema,
  recordingInfoSchema,
  recordingPlaybackSchema,
  recordingResponseSchema,
  recordingStatusSchema,
  speakerKindSchema,
  TRANSCRIPTION_ATTRIBUTES,
  TRANSCRIPTION_TOPIC,
  transcriptSegmentSchema,
} from './media'
export type {
  JoinRoomRequest,
  JoinRoomResponse,
  ListRoomsResponse,
  RoomInfo,
  RoomParticipant,
  TokenRequest,
} from './rooms'
export {
  joinRoomRequestSchema,
  joinRoomResponseSchema,
  listRoomsResponseSchema,
  roomInfoSchema,
  roomNameSchema,
  roomParticipantSchema,
  tokenRequestSchema,
} from './rooms'
export type {
  ConnectNumberRequest,
  NumberConnection,
  TwilioCredentialsRequest,
  TwilioIntegration,
  TwilioNumber,
} from './twilio'
export {
  connectNumberRequestSchema,
  connectStepSchema,
  listTwilioNumbersResponseSchema,
  numberConnectionSchema,
  twilioCredentialsRequestSchema,
  twilioIntegrationSchema,
  twilioNumberSchema,
} from './twilio'
