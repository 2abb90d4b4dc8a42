'use client'
import { microphoneHelp, roomNameProblem } from '@ringline/core'
import { type FormEvent, type HTMLAttributes, useId, useState } from 'react'
import { useActiveCall } from '../hooks/useActiveCall'
import { useDevices } from '../hooks/useDevices'
import { cx } from '../internal/cx'
import { HangupIcon, MicIcon, MicOffIcon } from '../internal/icons'
import { LiveRegion } from '../internal/LiveRegion'
import { MutedSpeechNotice } from '../internal/MutedSpeechNotice'
import { NetworkNotice, type NetworkWarningLabels } from '../internal/NetworkNotice'
import { useControllableState } from '../internal/useControllableState'
import { useIsClient } from '../internal/useIsClient'
import { useErrorText, useLabels } from '../messages'
import { useRingline, useRinglineApi } from '../RinglineProvider'
import type { CallClientLike, CallPhaseName, EndReason, RinglineApi } from '../types'
import { AgentPresence } from './AgentPresence'
import { CallDevices, type CallDevicesLabels, callDevicesLabels } from './CallDevices'
import { EnableSound, type EnableSoundLabels } from './EnableSound'

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

/** Default English texts of InternalCall. */
export const internalCallLabels: InternalCallLabels = {
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
  ...callDevicesLabels,
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

/** A team room: join by name, see who is there and who speaks, agents and inviting one, mute, pick devices, leave or end. */
export function InternalCall({
  client,
  api,
  labels: labelsProp,
  roomName,
  defaultRoomName = '',
  onRoomNameChange,
  displayName,
  defaultDisplayName = '',
  onDisplayNameChange,
  canEnd: canEndProp,
  showDevices = true,
  kind,
  agents,
  className,
  ...rest
}: InternalCallProps) {
  const labels = useLabels('internalCall', internalCallLabels, labelsProp)
  const errorText = useErrorText()
  const resolved = useRingline(client)
  const fallbackApi = useRinglineApi(resolved, api)
  const active = useActiveCall({ client: resolved })
  const devices = useDevices({ client: resolved })
  const [name, setName] = useControllableState(roomName, defaultRoomName, onRoomNameChange)
  const [who, setWho] = useControllableState(displayName, defaultDisplayName, onDisplayNameChange)
  const [joining, setJoining] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [touched, setTouched] = useState(false)
  const id = useId()

  const call = active.call?.direction === 'internal' ? active.call : null
  const inRoom = !!call && call.phase !== 'ended' && call.phase !== 'failed'
  const state: InternalCallState = joining && !inRoom ? 'joining' : call && inRoom ? call.phase : 'idle'
  const slug = toRoomSlug(name)
  const valid = roomNameProblem(slug) === null
  const mic = devices.permission
  const permissionDenied =
    mic === 'denied' || mic === 'blocked-by-policy' || mic === 'no-device' || mic === 'in-use'
  const micMessage =
    mic === 'denied' || mic === 'blocked-by-policy' ? labels.permissionDenied : labels.microphoneUnavailable
  // The way out for this browser (after hydration: the server cannot know the browser).
  const micHelp = useIsClient() && permissionDenied ? microphoneHelp(mic) : null

  const endedMessage =
    call?.phase === 'ended'
      ? labels.left[call.endReason]
      : call?.phase === 'failed'
        ? errorText(call.error, labels.errors)
        : null
  const shownError = error ?? (call?.phase === 'failed' ? endedMessage : null)

  const join = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setTouched(true)
    if (!valid || joining) return
    setJoining(true)
    setError(null)
    try {
      const options = { ...(who.trim() ? { displayName: who.trim() } : {}), ...(kind ? { kind } : {}) }
      await resolved.joinRoom(slug, Object.keys(options).length > 0 ? options : undefined)
    } catch (err) {
      const e = err as { code?: string; message?: string }
      setError(errorText(e, labels.errors, labels.joinFailed))
    } finally {
      setJoining(false)
    }
  }

  const endForEveryone = () => {
    if (resolved.endRoom) resolved.endRoom()
    else if (call?.remote.name) void fallbackApi.endRoom(call.remote.name).then(() => resolved.leaveRoom())
    else resolved.leaveRoom()
  }

  const participants = call?.participants ?? []
  const announce = inRoom
    ? (labels.phases[call!.phase as 'connecting' | 'connected' | 'reconnecting'] ?? '')
    : (endedMessage ?? '')

  return (
    <div className={cx('rl-internal-call', className)} data-state={state} {...rest}>
      <LiveRegion message={announce} />
      {inRoom && call ? (
        // biome-ignore lint/a11y/useSemanticElements: a labelled region of the room's controls
        <div className="rl-room" role="region" aria-labelledby={`${id}-room`}>
          <div className="rl-room-header">
            <p className="rl-room-title" id={`${id}-room`} dir="auto">
              {labels.room(call.remote.name ?? call.roomName ?? '')}
            </p>
            <p className="rl-room-phase" data-state={call.phase}>
              {labels.phases[call.phase as 'connecting' | 'connected' | 'reconnecting']}
            </p>
          </div>
          {permissionDenied ? (
            <p className="rl-warning" role="note">
              {micMessage}
            </p>
          ) : null}
          <p className="rl-room-count" id={`${id}-count`}>
            {labels.participants(participants.length)}
          </p>
          <ul className="rl-participants" aria-labelledby={`${id}-count`}>
            {participants.map((p) => (
              <li
                key={p.identity}
                className="rl-participant"
                data-speaking={p.speaking ? '' : undefined}
                data-muted={p.muted ? '' : undefined}
                data-local={p.isLocal ? '' : undefined}
                data-kind={p.kind}
              >
                <span className="rl-participant-avatar" aria-hidden="true">
                  {(p.name ?? p.identity).slice(0, 1).toUpperCase()}
                </span>
                <span className="rl-participant-name" dir="auto">
                  {p.name ?? p.identity}
                  {p.isLocal ? ` ${labels.you}` : ''}
                </span>
                {p.speaking ? (
                  <span className="rl-badge" data-variant="speaking">
                    {labels.speaking}
                  </span>
                ) : null}
                {p.muted ? (
                  <span className="rl-badge" data-variant="muted">
                    <MicOffIcon />
                    <span>{labels.muted}</span>
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
          <MutedSpeechNotice speaking={active.speakingWhileMuted} text={labels.speakingWhileMuted} />
          <NetworkNotice call={call} labels={labels.networkWarnings} />
          <AgentPresence {...(client ? { client } : {})} {...(agents ? { agents } : {})} />
          <EnableSound {...(client ? { client } : {})} labels={labels.enableSound} />
          <div className="rl-room-controls">
            <button
              type="button"
              className="rl-button"
              data-variant="toggle"
              aria-pressed={active.muted}
              onClick={() => active.toggleMute()}
            >
              {active.muted ? <MicOffIcon /> : <MicIcon />}
              <span>{labels.mute}</span>
            </button>
            <button
              type="button"
              className="rl-button"
              data-variant="hangup"
              onClick={() => resolved.leaveRoom()}
            >
              <HangupIcon />
              <span>{labels.leave}</span>
            </button>
            {(canEndProp ?? call?.canEnd) ? (
              <button type="button" className="rl-button" data-variant="danger" onClick={endForEveryone}>
                {labels.end}
              </button>
            ) : null}
          </div>
          {showDevices ? <CallDevices devices={devices} labels={labels} /> : null}
        </div>
      ) : (
        <form className="rl-room-form" aria-label={labels.form} onSubmit={join} noValidate>
          <div className="rl-field">
            <label htmlFor={`${id}-name`}>{labels.roomName}</label>
            <input
              id={`${id}-name`}
              className="rl-input"
              type="text"
              autoComplete="off"
              required
              value={name}
              aria-invalid={touched && !valid ? true : undefined}
              aria-describedby={`${id}-name-hint`}
              onChange={(e) => setName(e.currentTarget.value)}
              onBlur={() => setTouched(true)}
            />
            <p id={`${id}-name-hint`} className="rl-hint">
              {touched && !valid
                ? labels.roomNameInvalid
                : slug && slug !== name
                  ? labels.roomNameNormalized(slug)
                  : labels.roomNameHint}
            </p>
          </div>
          <div className="rl-field">
            <label htmlFor={`${id}-who`}>{labels.yourName}</label>
            <input
              id={`${id}-who`}
              className="rl-input"
              type="text"
              autoComplete="name"
              maxLength={64}
              value={who}
              onChange={(e) => setWho(e.currentTarget.value)}
            />
          </div>
          {permissionDenied ? (
            <div className="rl-warning" role="note">
              <span>{micMessage}</span>
              {micHelp ? <span className="rl-hint">{micHelp}</span> : null}
              {resolved.devices.requestPermission ? (
                <button type="button" className="rl-button" onClick={() => devices.requestPermission()}>
                  {labels.allowMicrophone}
                </button>
              ) : null}
            </div>
          ) : null}
          <button
            type="submit"
            className="rl-button"
            data-variant="primary"
            disabled={joining}
            aria-busy={joining || undefined}
          >
            {joining ? labels.joining : labels.join}
          </button>
          {shownError ? (
            <p className="rl-error" role="alert">
              {shownError}
            </p>
          ) : endedMessage ? (
            <p className="rl-hint">{endedMessage}</p>
          ) : null}
        </form>
      )}
    </div>
  )
}
