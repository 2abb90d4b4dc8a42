// @ringline/core/testing: fakes for tests and stories (no browser or LiveKit needed).
import * as livekitSession from '../livekitSession'
import { livekitTransport, provideLivekitSession } from '../livekitTransport'
import type { CallTransport } from '../types'
import { FakeRoom, fakeLivekit } from './fakeRoom'

export type { FakeClock } from './fakeClock'
export { createFakeClock } from './fakeClock'
export type { FakeDisconnectReason } from './fakeRoom'
export { FakeAudioTrack, FakeParticipant, FakeRoom, fakeLivekit } from './fakeRoom'
export type { FakeServer, RecordedRequest } from './fakeServer'
export { connectionFor, createFakeServer, makeEvent, makeRecord, settle } from './fakeServer'

/** A `livekitTransport` whose rooms are `FakeRoom`s; `rooms` lists every room it made, newest last. */
export function createFakeTransport(
  options: {
    /** The level the fake microphone hears (0–1), read by the speaking-while-muted check; default silence. */
    microphoneLevel?: () => number
  } = {},
): CallTransport & {
  rooms: FakeRoom[]
  readonly room: FakeRoom | undefined
  /** Called with each new room before it connects (set failures here). */
  onRoom: ((room: FakeRoom) => void) | null
} {
  const rooms: FakeRoom[] = []
  // Fakes run synchronously: the session code is here already instead of loading on the first call.
  provideLivekitSession(livekitSession)
  const transport = livekitTransport({
    livekit: fakeLivekit,
    createRoom: () => {
      const room = new FakeRoom()
      rooms.push(room)
      result.onRoom?.(room)
      return room
    },
    audioContainer: null,
    speechMeter: () => ({ level: options.microphoneLevel ?? (() => 0), stop() {} }),
  })
  const result = {
    onRoom: null as ((room: FakeRoom) => void) | null,
    name: transport.name,
    createSession: (onFact: Parameters<CallTransport['createSession']>[0]) => transport.createSession(onFact),
    rooms,
    get room() {
      return rooms[rooms.length - 1]
    },
  }
  return result
}
export type { FakeCallState } from '../twilio/testing/fakeDevice'
export { FakeTwilioCall, FakeTwilioDevice, FakeTwilioError } from '../twilio/testing/fakeDevice'
