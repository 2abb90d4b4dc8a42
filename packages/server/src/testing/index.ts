// Test helpers for users of @ringline/server: an MSW simulator of the Twilio REST endpoints Ringline uses,
// a recording stand-in for the LiveKit side of connecting a number, an MSW simulator of LiveKit egress and an
// in-process S3 fake.

export type {
  EgressSimulator,
  EgressSimulatorOptions,
  SimulatedEgress,
  SimulatedWebhook,
} from './egress'
export { createEgressSimulator } from './egress'
export type { RecordingLivekitState } from './recordingLivekitProvisioner'
export { createRecordingLivekitProvisioner } from './recordingLivekitProvisioner'
export type { S3Fake, S3FakeObject, S3FakeOptions, S3FakeRequestLog } from './s3'
export { startS3Fake } from './s3'
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
