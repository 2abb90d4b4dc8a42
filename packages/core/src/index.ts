// @ringline/core: framework-agnostic call state over LiveKit. Explicit named exports; wire types in ./protocol.

export { agentsOf } from './agentsOf'
export type {
  ApiClient,
  ApiClientOptions,
  HeadersOption,
  RequestOptions,
  TwilioVoiceSettingsApi,
} from './apiClient'
export { createApiClient } from './apiClient'
export type { CallClient, CallClientOptions, DialOptions } from './callClient'
export { createCallClient } from './callClient'
export type { CallHistoryApi, CallHistoryFilters, CallHistoryState } from './callHistoryObserver'
export { CallHistoryObserver, LOADING_HISTORY } from './callHistoryObserver'
export type {
  CallMachineContext,
  CallMachineEvent,
  CallMachineState,
  NewCallInit,
} from './callMachine'
export { createCallMachine, isCallOver, reduceCall } from './callMachine'
export type { CallTimeouts } from './callTimers'
export { systemClock } from './clock'
export type {
  Consult,
  ConsultClient,
  ConsultEndReason,
  ConsultEvent,
  ConsultLeftReason,
  ConsultOffer,
  ConsultPhase,
  ConsultRole,
  ConsultSnapshot,
  ConsultTarget,
} from './consult'
export { consultOfCall } from './consult'
export type {
  DesktopNotifier,
  DesktopNotifierOptions,
  DocumentLike,
  NotificationConstructorLike,
  NotificationLike,
} from './desktopNotifier'
export { createDesktopNotifier } from './desktopNotifier'
export type {
  DeviceManager,
  DeviceManagerOptions,
  MediaDevicesLike,
  PermissionStatusLike,
  PermissionsLike,
} from './deviceManager'
export { createDeviceManager } from './deviceManager'
export type { DtmfDigit } from './dtmf'
export { DTMF_CODES, dtmfDigitFromCode, parseDtmfDigits } from './dtmf'
export type {
  BackoffOptions,
  EventSourceConstructor,
  EventSourceLike,
  EventStream,
  EventStreamOptions,
} from './eventStream'
export { createEventStream } from './eventStream'
export type { IncomingCallsAction, IncomingCallsState } from './incomingCalls'
export { answerFailureReason, initialIncomingCalls, reduceIncomingCalls } from './incomingCalls'
export type {
  LivekitModuleLike,
  LivekitTransportOptions,
  LocalParticipantLike,
  ParticipantLike,
  RemoteTrackLike,
  RoomLike,
  TextStreamReaderLike,
  TrackPublicationLike,
  TranscriptionSegmentLike,
} from './livekitTransport'
export { livekitTransport } from './livekitTransport'
export { microphoneAllowedByPolicy, microphoneError, microphoneStateOf } from './microphoneError'
export { type BrowserFamily, detectBrowser, microphoneHelp } from './microphoneHelp'
export type {
  ConnectionQualityLevel,
  LinkStats,
  NetworkInput,
  NetworkMonitor,
  NetworkMonitorOptions,
  NetworkSide,
  NetworkThresholds,
  NetworkWarning,
  NetworkWarningName,
  NetworkWarningRule,
} from './networkQuality'
export {
  createNetworkMonitor,
  DEFAULT_NETWORK_THRESHOLDS,
  DEFAULT_NETWORK_WARNING_RULES,
  lossBetween,
  networkWarningText,
} from './networkQuality'
export type { NotifyManager, NotifyScheduler } from './notifyManager'
export { createNotifyManager } from './notifyManager'
export type {
  CountryCode,
  FormattedPhoneInput,
  NormalizePhoneNumberOptions,
  PhoneNumberProblem,
} from './phoneNumber'
export {
  formatPhoneNumber,
  formatPhoneNumberAsYouType,
  isPhoneNumberMetadataLoaded,
  isValidPhoneNumber,
  loadPhoneNumberMetadata,
  normalizePhoneNumber,
  onPhoneNumberMetadataLoaded,
  PhoneNumberError,
  sanitizeDialString,
  toDialString,
  toE164,
} from './phoneNumber'
export type { GuardIssue, GuardResult, ResponseGuard } from './protocol/guards'
export {
  roomNameProblem,
  twilioCredentialsProblems,
  twilioVoiceCredentialsProblems,
} from './protocol/guards'
export type {
  CheckReadinessOptions,
  ReadinessApi,
  ReadinessLivekitOptions,
  ReadinessReport,
  ReadinessStep,
  ReadinessStepName,
  ReadinessStepState,
  ReadinessVerdict,
} from './readyCheck'
export { checkReadiness, initialReadinessReport, READINESS_STEPS, readinessVerdict } from './readyCheck'
export type { RinglineErrorOptions } from './ringlineError'
export { errorFromResponse, isRinglineError, RinglineError, toRinglineError } from './ringlineError'
export type {
  AudioContextConstructor,
  AudioContextLike,
  SoundManager,
  SoundManagerOptions,
  SoundName,
} from './soundManager'
export { createSoundManager, dtmfFrequencies } from './soundManager'
export type { SseMessage, SseParserCallbacks } from './sseParser'
export { createSseParser } from './sseParser'
export type {
  BroadcastChannelConstructor,
  BroadcastChannelLike,
  LockManagerLike,
  TabCoordinator,
  TabCoordinatorOptions,
} from './tabCoordinator'
export { createTabCoordinator } from './tabCoordinator'
export type {
  ConnectStage,
  TwilioOnboardingApi,
  TwilioOnboardingOperation,
  TwilioOnboardingPending,
  TwilioOnboardingState,
  TwilioOnboardingStep,
} from './twilioOnboardingObserver'
export { INITIAL_ONBOARDING, TwilioOnboardingObserver } from './twilioOnboardingObserver'
export type {
  AgentState,
  AudioDevice,
  AudioDeviceKind,
  AudioReadiness,
  Call,
  CallAgent,
  CallBase,
  CallClientEvent,
  CallClientState,
  CallError,
  CallIn,
  CallPhase,
  CallPhaseName,
  CallRemote,
  CallTransfer,
  CallTransport,
  Clock,
  DeviceNotice,
  DeviceStorage,
  DevicesState,
  DisconnectCause,
  EndReason,
  EventsStatus,
  IncomingCall,
  IncomingEndReason,
  Listener,
  MicrophonePermission,
  ParticipantKind,
  ParticipantState,
  SessionConnectionState,
  SessionConnectOptions,
  SipCallStatus,
  TransportFact,
  TransportSession,
} from './types'
export { VERSION } from './version'
