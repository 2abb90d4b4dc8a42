// @ringline/react: hooks bound with useSyncExternalStore, and accessible components on top of them.

// Phone numbers live in core; re-exported so `@ringline/react` users keep one import.
export type {
  ConnectStage,
  CountryCode,
  TwilioOnboardingOperation,
  TwilioOnboardingPending,
  TwilioOnboardingStep,
} from '@ringline/core'
export { formatPhoneNumber } from '@ringline/core'
export type { AgentPresenceLabels, AgentPresenceProps, AgentPresenceState } from './components/AgentPresence'
export { AgentPresence, agentPresenceLabels } from './components/AgentPresence'
export type { CallControlsLabels, CallControlsProps } from './components/CallControls'
export { CallControls, callControlsLabels, describeCall } from './components/CallControls'
export type { CallHistoryProps, CallHistoryViewState } from './components/CallHistory'
export { CallHistory } from './components/CallHistory'
export type {
  ConsultOffersProps,
  ConsultTransferLabels,
  ConsultTransferProps,
} from './components/ConsultTransfer'
export { ConsultOffers, ConsultTransfer } from './components/ConsultTransfer'
export type { CallHistoryLabels } from './components/callHistoryLabels'
export type { DeviceSelectProps } from './components/DeviceSelect'
export { DeviceSelect } from './components/DeviceSelect'
export type { DialerDisabledReason, DialerLabels, DialerProps, DialerState } from './components/Dialer'
export { Dialer, dialerLabels } from './components/Dialer'
export type { DialPadProps } from './components/DialPad'
export { DIAL_PAD_KEYS, DialPad } from './components/DialPad'
export type { EnableSoundLabels, EnableSoundProps } from './components/EnableSound'
export { EnableSound, enableSoundLabels } from './components/EnableSound'
export type {
  CallerInfo,
  IncomingCallOverlayLabels,
  IncomingCallOverlayProps,
  IncomingCallOverlayState,
  NotificationsAdapter,
} from './components/IncomingCallOverlay'
export { IncomingCallOverlay, incomingCallOverlayLabels } from './components/IncomingCallOverlay'
export type { InternalCallLabels, InternalCallProps, InternalCallState } from './components/InternalCall'
export { InternalCall, toRoomSlug } from './components/InternalCall'
export type { LiveTranscriptLabels, LiveTranscriptProps } from './components/LiveTranscript'
export { LiveTranscript, liveTranscriptLabels } from './components/LiveTranscript'
export type { ReadyCheckLabels, ReadyCheckProps } from './components/ReadyCheck'
export { ReadyCheck } from './components/ReadyCheck'
export type { RecordingPlayerLabels, RecordingPlayerProps } from './components/RecordingPlayer'
export { RecordingPlayer } from './components/RecordingPlayer'
export type { RinglineRoomProps } from './components/RinglineRoom'
export { RinglineRoom } from './components/RinglineRoom'
export type { VoiceConfigurationCardProps } from './components/VoiceConfigurationCard'
export { VoiceConfigurationCard } from './components/VoiceConfigurationCard'
export type { VoiceSettingsCardProps } from './components/VoiceSettingsCard'
export { VoiceSettingsCard } from './components/VoiceSettingsCard'
export type {
  VoiceConfigurationCardLabels,
  VoiceConfigurationStage,
  VoiceConfigurationState,
} from './components/voiceConfigurationCardLabels'
export type { ProblemText, VoiceSettingsCardLabels } from './components/voiceSettingsCardLabels'
export type { ActiveCallResult } from './hooks/useActiveCall'
export { useActiveCall } from './hooks/useActiveCall'
export { useCallClientState } from './hooks/useCallClientState'
export type {
  CallHistoryFilters,
  CallHistoryResult,
  CallHistoryState,
  UseCallHistoryOptions,
} from './hooks/useCallHistory'
export { useCallHistory } from './hooks/useCallHistory'
export type { ClientHookOptions } from './hooks/useClientState'
export type { ConsultResult } from './hooks/useConsult'
export { useConsult } from './hooks/useConsult'
export type { DevicesResult } from './hooks/useDevices'
export { useDevices } from './hooks/useDevices'
export type { IncomingCallsResult } from './hooks/useIncomingCalls'
export { useIncomingCalls } from './hooks/useIncomingCalls'
export type {
  TwilioOnboardingResult,
  TwilioOnboardingState,
  UseTwilioOnboardingOptions,
} from './hooks/useTwilioOnboarding'
export { useTwilioOnboarding } from './hooks/useTwilioOnboarding'
export type { Preloadable } from './internal/lazyBody'
export type { ErrorLike, PartialRinglineMessages, RinglineMessageKey, RinglineMessages } from './messages'
export {
  defaultErrorText,
  errorMessages,
  RinglineMessagesProvider,
  useErrorText,
  useRinglineMessages,
} from './messages'
export type { RinglineProviderProps } from './RinglineProvider'
export { RinglineProvider, useRingline, useRinglineApi } from './RinglineProvider'
export type { RinglineApiOptions } from './ringlineApi'
export { createRinglineApi, RinglineApiError } from './ringlineApi'
export type {
  AudioDevice,
  AudioDeviceKind,
  Call,
  CallBase,
  CallClientLike,
  CallClientState,
  CallError,
  CallPhase,
  CallPhaseName,
  CallRemote,
  DevicesState,
  EndReason,
  IncomingCall,
  IncomingEndReason,
  ParticipantKind,
  ParticipantState,
  RinglineApi,
} from './types'
