// Test doubles of @twilio/voice-sdk for the Twilio transport.
export type { FakeCallState } from './fakeDevice'
export { FakeTwilioCall, FakeTwilioDevice, FakeTwilioError } from './fakeDevice'
