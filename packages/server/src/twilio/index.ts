// Bring-your-own-Twilio-number: credentials, number discovery, idempotent connect/disconnect, status.
export type { ConnectNumberInput } from './connectNumber'
export { ORIGINATION_URL_NAME, toNumberConnection, trunkFriendlyName } from './connectNumber'
export type { TwilioErrorInfo } from './errors'
export { normalizeTwilioError, TwilioApiError, TwilioOnboardingError, TwilioTransportError } from './errors'
export type { MemoryTwilioOnboardingStore } from './memoryOnboardingStore'
export { createMemoryTwilioOnboardingStore } from './memoryOnboardingStore'
export type { TwilioOnboardingOptions } from './onboardingDeps'
export type { RecordingLivekitState } from './recordingLivekitProvisioner'
export { createRecordingLivekitProvisioner } from './recordingLivekitProvisioner'
export type { RetryOptions } from './retry'
export { withRetry } from './retry'
export type { SipSetupOptions } from './sipSetup'
export { sipSetup, sipSetupOptionsFromEnv } from './sipSetup'
export type { SipSetupCommand } from './sipSetupCommand'
export { createSipSetupCommand } from './sipSetupCommand'
export { normalizeSipTarget } from './sipTarget'
export type { TwilioCredentials, TwilioRestClient, TwilioRestClientOptions } from './twilioClient'
export { createTwilioRestClient } from './twilioClient'
export type { TwilioOnboarding, VerifyCredentialsResult } from './twilioOnboarding'
export { createTwilioOnboarding } from './twilioOnboarding'
export type {
  AuditEntry,
  ConnectStep,
  ConnectStepName,
  ConnectStepStatus,
  LivekitSipProvisioner,
  NumberConnectionRecord,
  OnboardingContext,
  OnboardingLogger,
  ProvisionResult,
  RoutingPolicy,
  TrunkStrategy,
  TwilioAuditAction,
  TwilioIntegrationRecord,
  TwilioOnboardingStore,
} from './types'
export { CONNECT_STEPS } from './types'
