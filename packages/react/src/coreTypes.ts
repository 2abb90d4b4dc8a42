// Core types used by the client contract, plus the few names core does not export.
export type {
  AudioDeviceKind,
  CallClientEvent,
  CallClientState,
  MicrophonePermission,
  RoomLike,
} from '@ringline/core'

/** Notification permission as core reports it. */
export type NotificationPermissionLike = 'default' | 'granted' | 'denied' | 'unsupported'
