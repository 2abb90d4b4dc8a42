'use client'
import { type FormEvent, useId, useState } from 'react'
import { cx } from '../internal/cx'
import { LiveRegion } from '../internal/LiveRegion'
import type { OverridesBodyProps } from '../internal/lazyBody'
import { useRingline } from '../RinglineProvider'
import type {
  InternalCallLabels,
  InternalCallProps,
  InternalCallShared,
  InternalCallState,
} from './InternalCall'
import { internalCallLabels } from './internalCallLabels'

let shared: InternalCallShared
/** The default texts: InternalCall's own and the device texts of CallDevices. */
let defaults: InternalCallLabels

/** Called by the shell as it loads this body: what the body uses of modules the package index reaches. */
export function loadInternalCallBody(given: InternalCallShared): typeof InternalCallBody {
  shared = given
  defaults = { ...given.callDevicesLabels, ...internalCallLabels }
  return InternalCallBody
}

/** The body of {@link InternalCall}, loaded with import() on its first render. */
export function InternalCallBody({
  client,
  api,
  labels: overrides,
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
}: OverridesBodyProps<InternalCallProps, InternalCallLabels>) {
  const labels = shared.useDefaultLabels(defaults, overrides)
  const errorText = shared.useErrorText()
  const resolved = useRingline(client)
  const fallbackApi = shared.useRinglineApi(resolved, api)
  const active = shared.useActiveCall({ client: resolved })
  const devices = shared.useDevices({ client: resolved })
  const [name, setName] = shared.useControllableState(roomName, defaultRoomName, onRoomNameChange)
  const [who, setWho] = shared.useControllableState(displayName, defaultDisplayName, onDisplayNameChange)
  const [joining, setJoining] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [touched, setTouched] = useState(false)
  const id = useId()

  const call = active.call?.direction === 'internal' ? active.call : null
  const inRoom = !!call && call.phase !== 'ended' && call.phase !== 'failed'
  const state: InternalCallState = joining && !inRoom ? 'joining' : call && inRoom ? call.phase : 'idle'
  const slug = shared.toRoomSlug(name)
  const valid = shared.roomNameProblem(slug) === null
  const mic = devices.permission
  const permissionDenied =
    mic === 'denied' || mic === 'blocked-by-policy' || mic === 'no-device' || mic === 'in-use'
  const micMessage =
    mic === 'denied' || mic === 'blocked-by-policy' ? labels.permissionDenied : labels.microphoneUnavailable
  // The way out for this browser (after hydration: the server cannot know the browser).
  const micHelp = shared.useIsClient() && permissionDenied ? shared.microphoneHelp(mic) : null

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
                    <shared.MicOffIcon />
                    <span>{labels.muted}</span>
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
          <shared.MutedSpeechNotice speaking={active.speakingWhileMuted} text={labels.speakingWhileMuted} />
          <shared.NetworkNotice call={call} labels={labels.networkWarnings} />
          <shared.AgentPresence {...(client ? { client } : {})} {...(agents ? { agents } : {})} />
          <shared.EnableSound {...(client ? { client } : {})} labels={labels.enableSound} />
          <div className="rl-room-controls">
            <button
              type="button"
              className="rl-button"
              data-variant="toggle"
              aria-pressed={active.muted}
              onClick={() => active.toggleMute()}
            >
              {active.muted ? <shared.MicOffIcon /> : <shared.MicIcon />}
              <span>{labels.mute}</span>
            </button>
            <button
              type="button"
              className="rl-button"
              data-variant="hangup"
              onClick={() => resolved.leaveRoom()}
            >
              <shared.HangupIcon />
              <span>{labels.leave}</span>
            </button>
            {(canEndProp ?? call?.canEnd) ? (
              <button type="button" className="rl-button" data-variant="danger" onClick={endForEveryone}>
                {labels.end}
              </button>
            ) : null}
          </div>
          {showDevices ? <shared.CallDevices devices={devices} labels={labels} /> : null}
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
