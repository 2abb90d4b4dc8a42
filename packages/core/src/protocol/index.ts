// The wire contract shared by @ringline/server and @ringline/core: zod schemas and types for every route and event.
export type {
  CallConsult,
  CallDetail,
  CallDirection,
  CallEndReason,
  CallParticipant,
  CallRecord,
  CallStats,
  CallStatus,
  CallTransferInfo,
  CallWithConnection,
  Connection,
  CreateCallRequest,
  DeclineCallRequest,
  DispatchAgentRequest,
  ListCallsQuery,
  ListCallsResponse,
  ReportMuteRequest,
  ReportMuteResponse,
  StartConsultRequest,
  TransferCallRequest,
} from './calls'
export {
  CONSULT_PHONE_IDENTITY_PREFIX,
  callConsultSchema,
  callDetailSchema,
  callDirectionSchema,
  callEndReasonSchema,
  callParticipantSchema,
  callRecordSchema,
  callStatsSchema,
  callStatusSchema,
  callTransferSchema,
  callWithConnectionSchema,
  connectionSchema,
  createCallRequestSchema,
  declineCallRequestSchema,
  dispatchAgentRequestSchema,
  e164Schema,
  listCallsQuerySchema,
  listCallsResponseSchema,
  reportMuteRequestSchema,
  startConsultRequestSchema,
  transferCallRequestSchema,
} from './calls'
export {
  ERROR_CODES,
  EVENT_TYPES,
  FINAL_CALL_STATUSES,
  ROOM_NAME_PATTERN,
  TRANSCRIPTION_ATTRIBUTES,
  TRANSCRIPTION_TOPIC,
  TWILIO_ACCOUNT_SID_PATTERN,
  TWILIO_API_KEY_SID_PATTERN,
  TWILIO_CALL_ID_PARAM,
} from './constants'
export type { ErrorBody, ErrorCode } from './errors'
export { errorBodySchema, errorCodeSchema } from './errors'
export type { RinglineEvent, RinglineEventOf, RinglineEventType, ServerDialRing } from './events'
export {
  callEndedEventSchema,
  callIncomingEventSchema,
  callUpdatedEventSchema,
  ringlineEventSchema,
  roomUpdatedEventSchema,
  serverDialRingSchema,
} from './events'
export type { GuardIssue, GuardResult, ResponseGuard } from './guards'
export { roomNameProblem, twilioCredentialsProblems } from './guards'
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
  transcriptSegmentSchema,
} from './media'
export type {
  JoinRoomRequest,
  JoinRoomResponse,
  ListRoomsResponse,
  ReadyCheckConnection,
  RoomAgentRequest,
  RoomInfo,
  RoomKind,
  RoomParticipant,
  RoomTokenResponse,
  TokenRequest,
} from './rooms'
export {
  joinRoomRequestSchema,
  joinRoomResponseSchema,
  listRoomsResponseSchema,
  readyCheckConnectionSchema,
  roomAgentRequestSchema,
  roomInfoSchema,
  roomKindSchema,
  roomNameSchema,
  roomParticipantSchema,
  roomTokenResponseSchema,
  tokenRequestSchema,
} from './rooms'
export type { LegacyTranscriptionSegment, TranscriptSpeaker } from './transcript'
export { mergeTranscript } from './transcript'
export { transcriptSegmentFromStream, transcriptSegmentsFromLegacy } from './transcriptSegments'
export type {
  ConnectNumberRequest,
  NumberAgentRouting,
  NumberConnection,
  NumberRouting,
  TwilioCredentialsRequest,
  TwilioCredentialsStatus,
  TwilioIntegration,
  TwilioNumber,
  VerifyTwilioCredentialsResponse,
} from './twilio'
export {
  connectNumberRequestSchema,
  connectStepSchema,
  deleteTwilioCredentialsResponseSchema,
  listTwilioNumbersResponseSchema,
  numberAgentRoutingSchema,
  numberConnectionSchema,
  numberRoutingSchema,
  twilioCredentialsRequestSchema,
  twilioCredentialsStatusSchema,
  twilioIntegrationSchema,
  twilioNumberSchema,
  verifyTwilioCredentialsResponseSchema,
} from './twilio'
export type {
  TwilioVoiceAutoConfigureRequest,
  TwilioVoiceCallResponse,
  TwilioVoiceConfigRequest,
  TwilioVoiceLeg,
  TwilioVoiceServerCallRequest,
  TwilioVoiceServerCallResponse,
  TwilioVoiceStatus,
  TwilioVoiceTokenRequest,
  TwilioVoiceTokenResponse,
} from './twilioVoice'
export {
  twilioVoiceAutoConfigureRequestSchema,
  twilioVoiceCallResponseSchema,
  twilioVoiceConfigRequestSchema,
  twilioVoiceLegSchema,
  twilioVoiceServerCallRequestSchema,
  twilioVoiceServerCallResponseSchema,
  twilioVoiceStatusSchema,
  twilioVoiceTokenRequestSchema,
  twilioVoiceTokenResponseSchema,
} from './twilioVoice'
