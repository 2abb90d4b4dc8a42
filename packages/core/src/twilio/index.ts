// @ringline/core/twilio: Twilio Voice as a transport (`@twilio/voice-sdk` is an optional peer, loaded on first use).

export { twilioErrorToRinglineError } from './twilioErrors'
export type {
  TwilioCallLike,
  TwilioDeviceConstructor,
  TwilioDeviceLike,
  TwilioVoiceTransportOptions,
} from './twilioVoiceTransport'
export { twilioVoiceTransport } from './twilioVoiceTransport'
