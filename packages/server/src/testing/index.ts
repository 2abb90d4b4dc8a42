// Test helpers for users of @ringline/server: an MSW simulator of the Twilio REST endpoints Ringline uses,
// a recording stand-in for the LiveKit side of connecting a number, an MSW simulator of LiveKit egress and an
// in-process S3 fake.

export type {
  EgressSimulator,
  EgressSimulatorOptions,
  SimulatedEgress,
  SimulatedWebhook,
} from './egress/egressSimulator'
export { createEgressSimulator } from './egress/egressSimulator'
export type { RecordingLivekitState } from './recordingLivekitProvisioner'
export { createRecordingLivekitProvisioner } from './recordingLivekitProvisioner'
export type { S3Fake, S3FakeObject, S3FakeOptions, S3FakeRequestLog } from './s3/s3Fake'
export { startS3Fake } from './s3/s3Fake'
export type { TwilioSimulator } from './twilioSimulator/createTwilioSimulator'
export { createTwilioSimulator } from './twilioSimulator/createTwilioSimulator'
export { SIM_CODES, twilioSid } from './twilioSimulator/format'
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
  TwilioSimulatorOptions,
} from './twilioSimulator/types'
