import type { CallClientState } from '../types'

/** The state rendered on the server and during hydration: offline, no call, nothing ringing. */
export const SERVER_SNAPSHOT: CallClientState = Object.freeze({
  events: 'offline',
  activeCall: null,
  incoming: Object.freeze([]) as readonly never[],
  audio: Object.freeze({ readiness: 'ready' as const, ringtone: false }),
  devices: Object.freeze({
    audioinput: Object.freeze([]) as readonly never[],
    audiooutput: Object.freeze([]) as readonly never[],
    selected: Object.freeze({ audioinput: null, audiooutput: null }),
    notice: null,
    canSelectOutput: true,
  }),
  permission: 'unknown',
  configured: null,
}) as CallClientState
