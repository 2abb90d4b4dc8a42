export type { TwilioSimulator } from './createTwilioSimulator'
export { createTwilioSimulator } from './createTwilioSimulator'
export { isoDate, rfc2822Date, SIM_CODES, twilioSid } from './format'
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
} from './types'
export type { SimCallFlow, SimDial, SimDialClient, SimDialNumber, SimVoice, WebhookTarget } from './voice'
export { parseDial } from './voice'
