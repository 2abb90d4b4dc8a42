// The default texts of InternalCall; they load with its body (overridable through its `labels` prop).
// The device texts are CallDevices' (its shell hands them to the body), so this module imports no component.
import type { CallDevicesLabels } from './CallDevices'
import type { InternalCallLabels } from './InternalCall'

/** Default English texts of InternalCall, but for the device texts (`callDevicesLabels`). */
export const internalCallLabels: Omit<InternalCallLabels, keyof CallDevicesLabels> = {
  form: 'Join a team room',
  roomName: 'Room name',
  roomNameHint: 'Everyone who joins the same name talks together.',
  roomNameNormalized: (slug) => `You will join “${slug}”.`,
  roomNameInvalid: 'Use letters, digits, “-” or “_” (up to 48).',
  yourName: 'Your name',
  join: 'Join room',
  joining: 'Joining…',
  room: (name) => `Room ${name}`,
  phases: {
    connecting: 'Connecting…',
    connected: 'Connected',
    reconnecting: 'Connection lost, reconnecting…',
  },
  participants: (count) => (count === 1 ? '1 participant' : `${count} participants`),
  you: '(you)',
  speaking: 'speaking',
  muted: 'muted',
  mute: 'Mute',
  speakingWhileMuted: 'You are muted. Unmute to be heard.',
  networkWarnings: {},
  enableSound: {
    blocked: 'Your browser blocks the sound of this room until you click.',
    enable: 'Enable sound',
  },
  leave: 'Leave',
  end: 'End for everyone',
  left: {
    'local-hangup': 'You left the room.',
    'remote-hangup': 'The room was ended.',
    busy: 'The room is full.',
    'no-answer': 'Nobody answered.',
    declined: 'You were not let in.',
    canceled: 'Joining was canceled.',
    'answered-elsewhere': 'You joined from another device.',
    missed: 'The room ended.',
  },
  errors: {
    MICROPHONE_PERMISSION_DENIED:
      'Microphone access is blocked. Allow it from the icon in the address bar, then join again.',
    MICROPHONE_NOT_FOUND: 'No microphone was found. Plug one in, then join again.',
    NOT_CONFIGURED: 'Team rooms are not set up on the server (LiveKit settings missing).',
    FORBIDDEN: 'You are not allowed to join this room.',
    CONNECTION_FAILED: 'Could not connect to the call server. Check your network and try again.',
    NETWORK_ERROR: 'Could not reach the server. Check your network and try again.',
  },
  joinFailed: 'Could not join the room.',
  permissionDenied: 'Microphone access is blocked, so others will not hear you.',
  microphoneUnavailable: 'Your microphone is not available, so others will not hear you.',
  allowMicrophone: 'Allow microphone',
}
