// @ringline/react/testing: fakes for tests, stories and demos without a server.

export type { FakeApi, FakeApiOptions } from './createFakeApi'
export { createFakeApi, FAKE_VOICE_STATUS, FakeApiError, generateFakeCalls } from './createFakeApi'
export type { FakeCallClient, FakeCallClientOptions, FakeClientAction } from './createFakeCallClient'
export { createFakeCall, createFakeCallClient, createFakeIncomingCall } from './createFakeCallClient'
