// Twilio Voice as a second transport: settings, tokens, call control and signed webhooks.
export { escapeIdentity, parseTwilioClientIdentity, twilioClientIdentity, unescapeIdentity } from './identity'
export type { TwilioParams } from './signature'
export {
  formParams,
  twilioSignature,
  validateTwilioBodySignature,
  validateTwilioSignature,
} from './signature'
export type { TwilioVoice, TwilioVoiceOptions } from './twilioVoice'
export { createTwilioVoice, TWILIO_MAX_TOKEN_TTL, twilioRoomName } from './twilioVoice'
export { twilioRequestUrl } from './webhookUrl'
