// Test helpers for users of @ringline/server: an MSW simulator of the Twilio REST endpoints Ringline uses,
// and a recording stand-in for the LiveKit side of connecting a number.
export type { RecordingLivekitState } from '../twilio/recordingLivekitProvisioner'
export { createRecordingLivekitProvisioner } from '../twilio/recordingLivekitProvisioner'
export type {
  SimAccountCredentials,
  SimAccountSeed,
  SimAccountState,
  SimCredentialListState,
  SimKeySeed,
  SimKeyType,
  SimNumberSeed,
  SimNumberState,
  SimOriginationUrlState,
  SimRequestLog,
  SimTrunkSeed,
  SimTrunkState,
  TwilioFault,
  TwilioFaultHandle,
  TwilioSimulator,
  TwilioSimulatorOptions,
} from './twilioSimulator'
export { createTwilioSimulator, SIM_CODES, twilioSid } from './twilioSimulator'
