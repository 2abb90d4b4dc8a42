'use client'
import { type CountryCode, formatPhoneNumberAsYouType } from '@ringline/core'
import {
  type FormEvent,
  type HTMLAttributes,
  type KeyboardEvent,
  memo,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react'
import { useActiveCall } from '../hooks/useActiveCall'
import { useDevices } from '../hooks/useDevices'
import { cx } from '../internal/cx'
import { formatDuration } from '../internal/format'
import {
  HangupIcon,
  KeypadIcon,
  MicIcon,
  MicOffIcon,
  PauseIcon,
  PlayIcon,
  TransferIcon,
} from '../internal/icons'
import { LiveRegion } from '../internal/LiveRegion'
import { MutedSpeechNotice } from '../internal/MutedSpeechNotice'
import { NetworkNotice, type NetworkWarningLabels } from '../internal/NetworkNotice'
import { useControllableState } from '../internal/useControllableState'
import { useNow } from '../internal/useNow'
import { usePhoneNumberFormat } from '../internal/usePhoneNumberFormat'
import { defaultErrorText, type ErrorLike, useErrorText, useLabels } from '../messages'
import { useRingline } from '../RinglineProvider'
import type { Call, CallClientLike, CallPhaseName, EndReason } from '../types'
import { AgentPresence } from './AgentPresence'
import { CallDevices, type CallDevicesLabels, callDevicesLabels } from './CallDevices'
import { ConsultOffers, ConsultTransfer } from './ConsultTransfer'
import { DialPad } from './DialPad'
import { EnableSound, type EnableSoundLabels } from './EnableSound'
import { LiveTranscript } from './LiveTranscript'

/** Every text of CallControls. */
export interface CallControlsLabels extends CallDevicesLabels {
  group: string
  idle: string
  phases: Record<Exclude<CallPhaseName, 'ended' | 'failed'>, string>
  endReasons: Record<EndReason, string>
  failed: string
  unknownCaller: string
  timer: string
  mute: string
  /** Shown while muted and the microphone hears you speak. */
  speakingWhileMuted: string
  hold: string
  onHold: string
  keypad: string
  keypadGroup: string
  dtmfSent: string
  dtmfReceived: string
  transfer: string
  transferTo: string
  transferSubmit: string
  transferInvalid: string
  transferStatus: Record<'pending' | 'completed' | 'failed', string>
  hangup: string
  dismiss: string
  /** Texts of the network warnings per warning and side; default the warning's own `text` (core's English). */
  networkWarnings: Partial<NetworkWarningLabels>
  /** The "Enable sound" step shown while the browser blocks the call's audio. */
  enableSound: EnableSoundLabels
}

/** Default English texts of CallControls. */
export const callControlsLabels: CallControlsLabels = {
  group: 'Call controls',
  idle: 'No active call',
  phases: {
    requesting: 'Starting the call…',
    dialing: 'Dialing…',
    ringing: 'Ringing…',
    connecting: 'Connecting…',
    connected: 'Connected',
    reconnecting: 'Connection lost, reconnecting…',
  },
  endReasons: {
    'local-hangup': 'Call ended',
    'remote-hangup': 'The other side hung up',
    busy: 'Line busy',
    'no-answer': 'No answer',
    declined: 'Call declined',
    canceled: 'Call canceled',
    'answered-elsewhere': 'Answered on another device',
    missed: 'Missed call',
  },
  failed: 'Call failed',
  unknownCaller: 'Unknown number',
  timer: 'Call duration',
  mute: 'Mute',
  speakingWhileMuted: 'You are muted. Unmute to be heard.',
  hold: 'Hold',
  onHold: 'On hold',
  keypad: 'Keypad',
  keypadGroup: 'Keypad tones',
  dtmfSent: 'Tones sent',
  dtmfReceived: 'Tones received',
  transfer: 'Transfer',
  transferTo: 'Transfer to',
  transferSubmit: 'Transfer call',
  transferInvalid: 'Enter a valid phone number or SIP address.',
  transferStatus: {
    pending: 'Transferring…',
    completed: 'Transferred',
    failed: 'Transfer failed',
  },
  ...callDevicesLabels,
  hangup: 'Hang up',
  dismiss: 'Close',
  networkWarnings: {},
  enableSound: {
    blocked: 'Your browser blocks the sound of this call until you click.',
    enable: 'Enable sound',
  },
}

/** Props of {@link CallControls}. */
export interface CallControlsProps extends HTMLAttributes<HTMLDivElement> {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
  /** Text overrides (nested records such as `endReasons` merge key by key). */
  labels?: Partial<{
    [K in keyof CallControlsLabels]: Partial<CallControlsLabels[K]> | CallControlsLabels[K]
  }>
  /** Keypad panel open, controlled. */
  keypadOpen?: boolean
  /** Keypad initially open, uncontrolled. */
  defaultKeypadOpen?: boolean
  /** Called when the keypad opens or closes. */
  onKeypadOpenChange?: (open: boolean) => void
  /** Show blind transfer and the warm-transfer (consult) controls (phone calls only). Default true. */
  showTransfer?: boolean
  /** Show the hold button. Default true. */
  showHold?: boolean
  /** Show microphone / speaker pickers. Default true. */
  showDevices?: boolean
  /** Country used to format numbers. Default `US`. */
  defaultCountry?: CountryCode
  /** Called after the hang-up button was pressed. */
  onHangup?: () => void
  /** Agent names the "invite agent" action offers; agents in the call are shown either way. */
  agents?: readonly string[]
  /** Show the live transcript panel once something is transcribed. Default true. */
  showTranscript?: boolean
  /**
   * Send DTMF when 0–9, * or # is typed anywhere on the page during a connected phone call (never while typing in
   * a field, or with Ctrl/Alt/Meta). Default true.
   */
  keyboardDtmf?: boolean
}

/** Whether a key typed at `target` belongs to a field (never taken for DTMF). */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  const tag = target.tagName
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT'
}

/** Status text of a call for people and screen readers; a failure's text comes from its error code. */
export function describeCall(
  call: Call | null,
  labels: CallControlsLabels,
  errorText: (error: ErrorLike) => string = defaultErrorText,
): string {
  if (!call) return labels.idle
  switch (call.phase) {
    case 'ended':
      return labels.endReasons[call.endReason]
    case 'failed':
      return `${labels.failed}: ${errorText(call.error)}`
    default:
      return labels.phases[call.phase]
  }
}

function connectedAtOf(call: Call | null): number | null {
  if (!call || !('connectedAt' in call)) return null
  return call.connectedAt ?? null
}

/**
 * The call's duration. Its own component: each second's tick renders this span alone, not the controls around it.
 */
const CallTimer = memo(function CallTimer({
  connectedAt,
  endedAt,
  ticking,
  label,
}: {
  connectedAt: number | null
  endedAt: number | null
  ticking: boolean
  label: string
}) {
  const now = useNow(ticking)
  const elapsed = connectedAt ? ((ticking ? now : (endedAt ?? connectedAt)) - connectedAt) / 1000 : 0
  return (
    <span className="rl-call-timer" role="timer" aria-label={label} data-running={ticking ? '' : undefined}>
      <time dateTime={`PT${Math.floor(elapsed)}S`}>{formatDuration(elapsed)}</time>
    </span>
  )
})

/** Controls of the active call: status and timer, mute, hold, keypad (DTMF), transfer, agents, live transcript, devices, hang up. */
export function CallControls({
  client,
  labels: labelsProp,
  keypadOpen,
  defaultKeypadOpen = false,
  onKeypadOpenChange,
  showTransfer = true,
  showHold = true,
  showDevices = true,
  defaultCountry = 'US',
  onHangup,
  agents,
  showTranscript = true,
  keyboardDtmf = true,
  className,
  ...rest
}: CallControlsProps) {
  const formatNumber = usePhoneNumberFormat()
  const labels = useLabels('callControls', callControlsLabels, labelsProp)
  const active = useActiveCall({ client })
  const devices = useDevices({ client })
  const { call, phase, isLive } = active
  const [keypad, setKeypad] = useControllableState(keypadOpen, defaultKeypadOpen, onKeypadOpenChange)
  const [transferOpen, setTransferOpen] = useState(false)
  const [transferTo, setTransferTo] = useState('')
  const [transferError, setTransferError] = useState<string | null>(null)
  const id = useId()

  const connectedAt = connectedAtOf(call)
  const ticking = !!connectedAt && (phase === 'connected' || phase === 'reconnecting')
  const endedAt = call && 'endedAt' in call ? call.endedAt : null
  const inCall = phase === 'connected' || phase === 'reconnecting'
  const over = phase === 'ended' || phase === 'failed'
  const resolvedClient = useRingline(client)
  const isPhone = call?.direction !== 'internal'
  const errorText = useErrorText()
  const status = describeCall(call, labels, errorText)
  const remote =
    call?.remote.name ||
    (call?.remote.number
      ? formatNumber(call.remote.number, defaultCountry)
      : call
        ? labels.unknownCaller
        : '')

  const sendKey = (key: string) => {
    if (key === '+') return
    active.sendDtmf(key)
  }
  const onKeypadKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (/^[\d*#]$/.test(event.key)) {
      event.preventDefault()
      sendKey(event.key)
    }
  }
  const sendDtmfRef = useRef(active.sendDtmf)
  sendDtmfRef.current = active.sendDtmf
  const typeDtmf = keyboardDtmf && isPhone && phase === 'connected'
  useEffect(() => {
    if (!typeDtmf) return
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat || event.ctrlKey || event.metaKey || event.altKey) return
      if (!/^[\d*#]$/.test(event.key) || isEditable(event.target)) return
      event.preventDefault()
      sendDtmfRef.current(event.key)
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [typeDtmf])
  const submitTransfer = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const target = transferTo.trim()
    // As the Dialer: a number of a possible length is sent, and the server decides whether it may be called.
    const typed = /^(sip|tel):/i.test(target)
      ? null
      : formatPhoneNumberAsYouType(target, target.startsWith('+') ? undefined : defaultCountry)
    const destination = typed ? (typed.possible ? typed.e164 : null) : target
    if (!destination) {
      setTransferError(labels.transferInvalid)
      return
    }
    setTransferError(null)
    // A refused transfer shows in `call.transfer` (status and message); never leave its rejection unhandled.
    Promise.resolve(active.transfer(destination)).catch(() => {})
  }

  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would imply a form; this is a toolbar-like group
    <div
      role="group"
      aria-label={labels.group}
      className={cx('rl-call-controls', className)}
      data-state={phase}
      data-muted={active.muted ? '' : undefined}
      data-on-hold={active.onHold ? '' : undefined}
      data-direction={call?.direction}
      {...rest}
    >
      <div className="rl-call-status">
        <span className="rl-call-remote" dir="auto">
          {remote}
        </span>
        <span className="rl-call-phase" data-state={phase}>
          {active.onHold && inCall ? labels.onHold : status}
        </span>
        <CallTimer connectedAt={connectedAt} endedAt={endedAt} ticking={ticking} label={labels.timer} />
      </div>
      {call?.dtmf?.received ? (
        <p className="rl-call-dtmf-received">
          {labels.dtmfReceived} <output aria-label={labels.dtmfReceived}>{call.dtmf.received}</output>
        </p>
      ) : null}
      <LiveRegion message={call ? status : ''} />
      <MutedSpeechNotice speaking={active.speakingWhileMuted} text={labels.speakingWhileMuted} />
      <NetworkNotice call={isLive ? call : null} labels={labels.networkWarnings} />
      {isLive ? <EnableSound {...(client ? { client } : {})} labels={labels.enableSound} /> : null}
      <div className="rl-call-buttons">
        <button
          type="button"
          className="rl-button"
          data-variant="toggle"
          aria-pressed={active.muted}
          disabled={!isLive}
          onClick={() => active.toggleMute()}
        >
          {active.muted ? <MicOffIcon /> : <MicIcon />}
          <span>{labels.mute}</span>
        </button>
        {showHold && isPhone ? (
          <button
            type="button"
            className="rl-button"
            data-variant="toggle"
            aria-pressed={active.onHold}
            disabled={!inCall}
            onClick={() => active.toggleHold()}
          >
            {active.onHold ? <PlayIcon /> : <PauseIcon />}
            <span>{labels.hold}</span>
          </button>
        ) : null}
        {isPhone ? (
          <button
            type="button"
            className="rl-button"
            aria-expanded={keypad}
            aria-controls={`${id}-keypad`}
            disabled={!inCall}
            onClick={() => setKeypad(!keypad)}
          >
            <KeypadIcon />
            <span>{labels.keypad}</span>
          </button>
        ) : null}
        {showTransfer && isPhone ? (
          <button
            type="button"
            className="rl-button"
            aria-expanded={transferOpen}
            aria-controls={`${id}-transfer`}
            disabled={!inCall}
            onClick={() => setTransferOpen(!transferOpen)}
          >
            <TransferIcon />
            <span>{labels.transfer}</span>
          </button>
        ) : null}
        <button
          type="button"
          className="rl-button rl-hangup"
          data-variant="hangup"
          disabled={!isLive}
          onClick={() => {
            void active.hangup()
            onHangup?.()
          }}
        >
          <HangupIcon />
          <span>{labels.hangup}</span>
        </button>
        {over && resolvedClient.dismiss ? (
          <button
            type="button"
            className="rl-button"
            data-action="dismiss"
            onClick={() => resolvedClient.dismiss?.()}
          >
            {labels.dismiss}
          </button>
        ) : null}
      </div>
      {isPhone ? (
        // biome-ignore lint/a11y/noStaticElementInteractions: digits typed while a key has focus send tones
        <div
          id={`${id}-keypad`}
          className="rl-call-keypad"
          hidden={!keypad || !inCall}
          onKeyDown={onKeypadKeyDown}
        >
          <DialPad label={labels.keypadGroup} onKey={sendKey} longPressZero={false} />
          <output className="rl-call-dtmf" aria-label={labels.dtmfSent}>
            {call?.dtmf?.sent ?? ''}
          </output>
        </div>
      ) : null}
      {showTransfer && isPhone ? (
        <form
          id={`${id}-transfer`}
          className="rl-call-transfer"
          hidden={!transferOpen || !inCall}
          onSubmit={submitTransfer}
        >
          <label htmlFor={`${id}-transfer-to`}>{labels.transferTo}</label>
          <input
            id={`${id}-transfer-to`}
            className="rl-input"
            type="text"
            inputMode="tel"
            autoComplete="off"
            value={transferTo}
            aria-invalid={transferError ? true : undefined}
            aria-describedby={transferError ? `${id}-transfer-error` : undefined}
            onChange={(e) => setTransferTo(e.currentTarget.value)}
          />
          <button type="submit" className="rl-button" disabled={call?.transfer?.status === 'pending'}>
            {labels.transferSubmit}
          </button>
          {transferError ? (
            <p id={`${id}-transfer-error`} className="rl-error">
              {transferError}
            </p>
          ) : null}
          {call?.transfer ? (
            <p className="rl-call-transfer-status" data-state={call.transfer.status}>
              {labels.transferStatus[call.transfer.status]}
              {call.transfer.error ? `: ${errorText(call.transfer.error)}` : ''}
            </p>
          ) : null}
        </form>
      ) : null}
      {showTransfer ? <ConsultTransfer {...(client ? { client } : {})} /> : null}
      {showTransfer ? <ConsultOffers {...(client ? { client } : {})} /> : null}
      {call && !over ? (
        <AgentPresence {...(client ? { client } : {})} {...(isPhone && agents ? { agents } : {})} />
      ) : null}
      {showTranscript && call ? <LiveTranscript {...(client ? { client } : {})} hideWhenEmpty /> : null}
      {showDevices ? <CallDevices devices={devices} labels={labels} /> : null}
    </div>
  )
}
