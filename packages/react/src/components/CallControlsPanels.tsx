'use client'
// CallControls' panels that open on a user action (keypad, blind transfer), loaded with import() when one first opens
// (or on hover/focus of its button). Like a component body, it imports nothing the package index reaches: its shell,
// CallControls, hands over what it needs (see internal/lazyBody.tsx).
import type { CountryCode } from '@ringline/core'
import { type FormEvent, type JSX, type KeyboardEvent, useState } from 'react'
import type { ErrorLike } from '../messages'
import type { Call } from '../types'
import type { CallControlsLabels, CallControlsPanelsShared } from './CallControls'

let shared: CallControlsPanelsShared

/** Called by CallControls as it loads the panels: what they use of modules the package index reaches. */
export function loadCallControlsPanels(given: CallControlsPanelsShared): {
  KeypadPanel: typeof KeypadPanel
  TransferPanel: typeof TransferPanel
} {
  shared = given
  return { KeypadPanel, TransferPanel }
}

/** Props of {@link KeypadPanel}. Internal. */
export interface KeypadPanelProps {
  id: string
  hidden: boolean
  labels: CallControlsLabels
  /** Tones sent so far in this call. */
  sent: string
  /** Sends one DTMF digit. */
  onKey: (key: string) => void
}

/** The in-call keypad: a dial pad sending DTMF, digits typed while one of its keys has focus, the tones sent. */
export function KeypadPanel({ id, hidden, labels, sent, onKey }: KeypadPanelProps): JSX.Element {
  const sendKey = (key: string) => {
    if (key !== '+') onKey(key)
  }
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (/^[\d*#]$/.test(event.key)) {
      event.preventDefault()
      sendKey(event.key)
    }
  }
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: digits typed while a key has focus send tones
    <div id={id} className="rl-call-keypad" hidden={hidden} onKeyDown={onKeyDown}>
      <shared.DialPad label={labels.keypadGroup} onKey={sendKey} longPressZero={false} />
      <output className="rl-call-dtmf" aria-label={labels.dtmfSent}>
        {sent}
      </output>
    </div>
  )
}

/** Props of {@link TransferPanel}. Internal. */
export interface TransferPanelProps {
  id: string
  hidden: boolean
  labels: CallControlsLabels
  /** The call's transfer, if one was asked for. */
  transfer: Call['transfer'] | undefined
  defaultCountry: CountryCode
  errorText: (error: ErrorLike) => string
  /** Asks the server to transfer the call; a refusal shows in `transfer`. */
  onTransfer: (destination: string) => unknown
}

/** Blind transfer: a number or SIP address, checked as the Dialer checks it, then the transfer's status. */
export function TransferPanel({
  id,
  hidden,
  labels,
  transfer,
  defaultCountry,
  errorText,
  onTransfer,
}: TransferPanelProps): JSX.Element {
  const [to, setTo] = useState('')
  const [error, setError] = useState<string | null>(null)
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const target = to.trim()
    // As the Dialer: a number of a possible length is sent, and the server decides whether it may be called.
    const typed = /^(sip|tel):/i.test(target)
      ? null
      : shared.formatPhoneNumberAsYouType(target, target.startsWith('+') ? undefined : defaultCountry)
    const destination = typed ? (typed.possible ? typed.e164 : null) : target
    if (!destination) {
      setError(labels.transferInvalid)
      return
    }
    setError(null)
    // A refused transfer shows in `call.transfer` (status and message); never leave its rejection unhandled.
    Promise.resolve(onTransfer(destination)).catch(() => {})
  }
  return (
    <form id={id} className="rl-call-transfer" hidden={hidden} onSubmit={submit}>
      <label htmlFor={`${id}-to`}>{labels.transferTo}</label>
      <input
        id={`${id}-to`}
        className="rl-input"
        type="text"
        inputMode="tel"
        autoComplete="off"
        value={to}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => setTo(e.currentTarget.value)}
      />
      <button type="submit" className="rl-button" disabled={transfer?.status === 'pending'}>
        {labels.transferSubmit}
      </button>
      {error ? (
        <p id={`${id}-error`} className="rl-error">
          {error}
        </p>
      ) : null}
      {transfer ? (
        <p className="rl-call-transfer-status" data-state={transfer.status}>
          {labels.transferStatus[transfer.status]}
          {transfer.error ? `: ${errorText(transfer.error)}` : ''}
        </p>
      ) : null}
    </form>
  )
}
