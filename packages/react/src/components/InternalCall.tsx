'use client'
import { microphoneHelp, roomNameProblem } from '@ringline/core'
import type { HTMLAttributes } from 'react'
import { useActiveCall } from '../hooks/useActiveCall'
import { useDevices } from '../hooks/useDevices'
import { HangupIcon, MicIcon, MicOffIcon } from '../internal/icons'
import { useDefaultLabels } from '../internal/labels'
import { LazyFallback, lazyBody, withPreload } from '../internal/lazyBody'
import { MutedSpeechNotice } from '../internal/MutedSpeechNotice'
import type { NetworkWarningLabels } from '../internal/NetworkNotice'
import { NetworkNotice } from '../internal/NetworkNotice'
import { useControllableState } from '../internal/useControllableState'
import { useIsClient } from '../internal/useIsClient'
import { useErrorText, useLabelOverrides } from '../messages'
import { useRinglineApi } from '../RinglineProvider'
import type { CallClientLike, CallPhaseName, EndReason, RinglineApi } from '../types'
import { AgentPresence } from './AgentPresence'
import { CallDevices, type CallDevicesLabels, callDevicesLabels } from './CallDevices'
import type { EnableSoundLabels } from './EnableSound'
import { EnableSound } from './EnableSound'

/** States of InternalCall (`data-state`): `idle` shows the form, then the call phases. */
export type InternalCallState = 'idle' | 'joining' | CallPhaseName

/** Every text of InternalCall. */
export interface InternalCallLabels extends CallDevicesLabels {
  form: string
  roomName: string
  roomNameHint: string
  roomNameNormalized: (slug: string) => string
  roomNameInvalid: string
  /** Label of the display-name field (not `displayName`: tools such as react-docgen set that key on exports). */
  yourName: string
  join: string
  joining: string
  room: (name: string) => string
  phases: Record<'connecting' | 'connected' | 'reconnecting', string>
  participants: (count: number) => string
  you: string
  speaking: string
  muted: string
  mute: string
  /** Shown while muted and the microphone hears you speak. */
  speakingWhileMuted: string
  leave: string
  end: string
  left: Record<EndReason, string>
  errors: Partial<Record<string, string>>
  joinFailed: string
  permissionDenied: string
  /** No microphone connected, or another app holds it. */
  microphoneUnavailable: string
  allowMicrophone: string
  /** Texts of the network warnings per warning and side; default the warning's own `text` (core's English). */
  networkWarnings: Partial<NetworkWarningLabels>
  /** The "Enable sound" step shown while the browser blocks the room's audio. */
  enableSound: EnableSoundLabels
}

/** Props of {@link InternalCall}. */
export interface InternalCallProps extends HTMLAttributes<HTMLDivElement> {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
  /** HTTP operations (for “End for everyone” when the client has no `endRoom`). */
  api?: RinglineApi
  /** Text overrides (nested records merge key by key). */
  labels?: Partial<{
    [K in keyof InternalCallLabels]: Partial<InternalCallLabels[K]> | InternalCallLabels[K]
  }>
  /** Room name field, controlled. */
  roomName?: string
  /** Initial room name, uncontrolled. */
  defaultRoomName?: string
  /** Called as the room name is typed. */
  onRoomNameChange?: (value: string) => void
  /** Display name field, controlled. */
  displayName?: string
  /** Initial display name, uncontrolled. */
  defaultDisplayName?: string
  /** Called as the display name is typed. */
  onDisplayNameChange?: (value: string) => void
  /** Show “End for everyone”. Default: what the server said on join (the room's creator or an admin). */
  canEnd?: boolean
  /** Show microphone / speaker pickers. Default true. */
  showDevices?: boolean
  /** Room kind asked for when this join creates the room (a server `rooms.kinds` key such as `support`). */
  kind?: string
  /** Agent names the "Invite agent" action offers; agents in the room are shown either way. */
  agents?: readonly string[]
}

/** Turns what people type (“Daily Standup”) into a room name (`daily-standup`). */
export function toRoomSlug(input: string): string {
  return input
    .trim()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s.]+/g, '-')
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[-_]+/, '')
    .slice(0, 48)
}

// What the body uses of modules the package index reaches, handed over as it loads (see internal/lazyBody.tsx).
const shared = {
  useDefaultLabels,
  microphoneHelp,
  roomNameProblem,
  useDevices,
  HangupIcon,
  MicIcon,
  MicOffIcon,
  MutedSpeechNotice,
  NetworkNotice,
  useRinglineApi,
  AgentPresence,
  CallDevices,
  callDevicesLabels,
  EnableSound,
  toRoomSlug,
  useActiveCall,
  useControllableState,
  useIsClient,
  useErrorText,
}
/** What {@link InternalCall}'s body gets from its shell. Internal. */
export type InternalCallShared = typeof shared
const body = /* @__PURE__ */ lazyBody(() =>
  import('./InternalCallBody').then((m) => m.loadInternalCallBody(shared)),
)

/**
 * A team room: join by name, see who is there and who speaks, agents and inviting one, mute, pick devices, leave or
 * end. Its body loads on first render (a busy placeholder meanwhile); `InternalCall.preload()` fetches it ahead.
 */
export const InternalCall = /* @__PURE__ */ withPreload(function InternalCall(props: InternalCallProps) {
  // The default texts load with the body; the placeholder needs only its name.
  const labels = useLabelOverrides('internalCall', props.labels)
  return body.render(
    { ...props, labels },
    <LazyFallback
      as="div"
      rootClass="rl-internal-call"
      className={props.className}
      label={labels.form ?? 'Join a team room'}
      style={props.style}
    />,
  )
}, body)
