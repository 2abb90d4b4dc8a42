'use client'
import {
  type CountryCode,
  formatPhoneNumberAsYouType,
  type MicrophonePermission,
  microphoneHelp,
  sanitizeDialString,
  toDialString,
} from '@ringline/core'
import {
  type ClipboardEvent,
  type FormEvent,
  type HTMLAttributes,
  type KeyboardEvent,
  useId,
  useRef,
  useState,
} from 'react'
import { useActiveCall } from '../hooks/useActiveCall'
import { useClientState } from '../hooks/useClientState'
import { cx } from '../internal/cx'
import { BackspaceIcon, PhoneIcon } from '../internal/icons'
import { useControllableState } from '../internal/useControllableState'
import { useIsClient } from '../internal/useIsClient'
import { usePhoneNumberFormat } from '../internal/usePhoneNumberFormat'
import { useErrorText, useLabels } from '../messages'
import { useRingline } from '../RinglineProvider'
import type { CallClientLike, CallClientState } from '../types'
import { DialPad } from './DialPad'

/** Why the Dialer cannot call right now. */
export type DialerDisabledReason = 'no-microphone' | 'not-configured' | 'in-call' | 'offline'

/** States of the Dialer, in `data-state`. */
export type DialerState = 'idle' | 'typing' | 'ready' | 'calling' | 'in-call' | 'disabled'

/** Every text of the Dialer. */
export interface DialerLabels {
  numberLabel: string
  placeholder: string
  dialPad: string
  zeroHint: string
  backspace: string
  call: string
  /** The call button while a call is being set up (requesting, dialing, ringing, connecting). */
  calling: string
  /** The call button once the call is connected (or reconnecting). */
  inCall: string
  recent: string
  recentCall: (formatted: string) => string
  invalidNumber: string
  disabled: Record<DialerDisabledReason, string>
  callFailed: string
  /** Plain-language messages for error codes of `dial()`; other codes show the error's own message. */
  errors: Partial<Record<string, string>>
}

/** Default English texts of the Dialer. */
export const dialerLabels: DialerLabels = {
  numberLabel: 'Phone number',
  placeholder: 'Enter a number',
  dialPad: 'Dial pad',
  zeroHint: 'hold for +',
  backspace: 'Delete last digit',
  call: 'Call',
  calling: 'Calling…',
  inCall: 'In a call',
  recent: 'Recent numbers',
  recentCall: (formatted) => `Use ${formatted}`,
  invalidNumber: 'This is not a complete phone number yet.',
  disabled: {
    'no-microphone': 'Microphone access is blocked. Allow it in the browser’s site settings to call.',
    'not-configured': 'Phone calling is not set up yet. Connect a number in Voice settings.',
    'in-call': 'Finish the current call to start a new one.',
    offline: 'You are offline. Calls resume when the connection is back.',
  },
  callFailed: 'The call could not be started.',
  errors: {
    INVALID_PHONE_NUMBER: 'This is not a valid phone number. Check the digits and the country code.',
    NOT_CONFIGURED: 'Phone calling is not set up yet. Connect a number in Voice settings.',
    MICROPHONE_PERMISSION_DENIED:
      'Microphone access is blocked. Allow it in the browser’s site settings, then call again.',
    MICROPHONE_NOT_FOUND: 'No microphone was found. Plug one in, then call again.',
    DESTINATION_NOT_ALLOWED: 'Calls to this destination are not allowed for your workspace.',
    CALL_LIMIT_REACHED: 'Too many calls at once. Finish a call, then try again.',
    RATE_LIMITED: 'Too many calls in a short time. Wait a moment, then try again.',
    NETWORK_ERROR: 'Could not reach the server. Check your connection and try again.',
  },
}

/** Props of {@link Dialer}. */
export interface DialerProps extends Omit<HTMLAttributes<HTMLDivElement>, 'defaultValue' | 'onChange'> {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
  /** The dial string (digits, `+`, `*`, `#`), controlled. */
  value?: string
  /** Initial dial string, uncontrolled. */
  defaultValue?: string
  /** Called with the new dial string. */
  onValueChange?: (value: string) => void
  /** Country used to read and format national numbers. Default `US`. */
  defaultCountry?: CountryCode
  /** Called with the E.164 number instead of `client.dial(number)`. */
  onCall?: (e164: string) => unknown
  /** Numbers offered under the pad (E.164). */
  recentNumbers?: readonly string[]
  /** The recovery step shown when the microphone is unusable (default core's `microphoneHelp`, English); null hides it. */
  microphoneHelp?: (permission: MicrophonePermission) => string | null
  /** Force a disabled reason; `null` forces enabled. Default: derived from microphone permission, configuration and the active call. */
  disabledReason?: DialerDisabledReason | null
  /** Text overrides. */
  labels?: Partial<DialerLabels>
  /** Focus the number field on mount. */
  autoFocus?: boolean
}

const selectPermission = (s: CallClientState) => s.permission
const selectConfigured = (s: CallClientState) => s.configured

/** A phone dialer: formatted number field, typeable dial pad (hold 0 for +), Enter or the button calls. */
export function Dialer({
  client,
  value,
  defaultValue = '',
  onValueChange,
  defaultCountry = 'US',
  onCall,
  recentNumbers,
  disabledReason: disabledReasonProp,
  microphoneHelp: microphoneHelpProp = microphoneHelp,
  labels: labelsProp,
  autoFocus,
  className,
  ...rest
}: DialerProps) {
  const formatNumber = usePhoneNumberFormat()
  const labels = useLabels('dialer', dialerLabels, labelsProp)
  const errorText = useErrorText()
  const [raw, setRaw] = useControllableState(
    value === undefined ? undefined : sanitizeDialString(value),
    sanitizeDialString(defaultValue),
    onValueChange,
  )
  const { isLive, call } = useActiveCall({ client })
  const permission = useClientState(selectPermission, client)
  const configured = useClientState(selectConfigured, client)
  const resolvedClient = useRingline(client)
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // A custom `onCall` bypasses the client, so its NOT_CONFIGURED is remembered here; the client's own dial sets `configured`.
  const [serverNotConfigured, setServerNotConfigured] = useState(false)
  const inputRef = useRef<HTMLInputElement>(null)
  const id = useId()

  const derivedReason: DialerDisabledReason | null =
    permission === 'denied' || permission === 'blocked-by-policy' || permission === 'no-device'
      ? 'no-microphone'
      : configured === false || serverNotConfigured
        ? 'not-configured'
        : isLive && call?.direction !== 'internal'
          ? 'in-call'
          : null
  const disabledReason = disabledReasonProp === undefined ? derivedReason : disabledReasonProp
  // The way out for this browser (after hydration: the server cannot know the browser).
  const isClient = useIsClient()
  const help = isClient ? microphoneHelpProp(permission) : null
  // Formatting and validation come from core's helper, so the Dialer and `client.dial` agree on numbers.
  const typed = /[*#]/.test(raw)
    ? null
    : formatPhoneNumberAsYouType(raw, raw.startsWith('+') ? undefined : defaultCountry)
  // Ready once the length is possible: the server decides whether the number may be called.
  const e164 = typed?.possible ? typed.e164 : null
  const phoneCallLive = isLive && call?.direction !== 'internal'
  // "Calling…" while the call is being set up; once it is connected the button says so instead.
  const connected = phoneCallLive && (call?.phase === 'connected' || call?.phase === 'reconnecting')
  const calling = pending || phoneCallLive
  const state: DialerState = connected
    ? 'in-call'
    : calling
      ? 'calling'
      : disabledReason
        ? 'disabled'
        : e164
          ? 'ready'
          : raw
            ? 'typing'
            : 'idle'
  const display = raw ? (typed?.text ?? raw) : ''
  const canCall = !disabledReason && !pending && !!e164

  // A call is likely soon: the client loads its SDK now, so the first call does not wait for it (once per Dialer).
  const prepared = useRef(false)
  const prepare = () => {
    if (prepared.current || onCall) return
    prepared.current = true
    void Promise.resolve(resolvedClient.prepare?.()).catch(() => undefined)
  }
  const update = (next: string) => {
    prepare()
    setError(null)
    setRaw(sanitizeDialString(next))
  }
  const press = (key: string) => {
    if (key === '+' && raw.length > 0 && !raw.startsWith('+')) {
      // A long-pressed 0 after digits typed a 0 first; `+` only makes sense in front.
      update(`+${raw}`)
      return
    }
    update(raw + key)
  }
  const backspace = () => update(raw.slice(0, -1))

  const submit = async () => {
    if (!e164) {
      if (raw) setError(labels.invalidNumber)
      return
    }
    if (!canCall) return
    setPending(true)
    setError(null)
    try {
      await (onCall ? onCall(e164) : resolvedClient.dial(e164))
    } catch (err) {
      const e = err as { code?: string; message?: string } | null
      if (e?.code === 'NOT_CONFIGURED') setServerNotConfigured(true)
      else setError(errorText(e, labels.errors, labels.callFailed))
    } finally {
      setPending(false)
    }
  }

  const onInputChange = (event: FormEvent<HTMLInputElement>) => {
    const next = sanitizeDialString(event.currentTarget.value)
    // Deleting a formatting character (a space or parenthesis) deletes the digit before it.
    // Only a single removed character counts: setting the same number unformatted (autofill) is not a deletion.
    if (next === raw && event.currentTarget.value.length === display.length - 1) update(raw.slice(0, -1))
    else update(next)
  }
  const onPaste = (event: ClipboardEvent<HTMLInputElement>) => {
    const text = event.clipboardData.getData('text')
    if (!text) return
    event.preventDefault()
    update(raw + text)
  }
  const onInputKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault()
      void submit()
    }
  }
  // Typing anywhere in the dialer (a pad key focused, for instance) goes to the number.
  const onRootKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target === inputRef.current || event.metaKey || event.ctrlKey || event.altKey) return
    if (/^[\d*#+]$/.test(event.key)) {
      event.preventDefault()
      press(event.key)
    } else if (event.key === 'Backspace') {
      event.preventDefault()
      backspace()
    } else if (event.key === 'Enter' && (event.target as HTMLElement).tagName !== 'BUTTON') {
      event.preventDefault()
      void submit()
    }
  }

  const reasonId = `${id}-reason`
  const errorId = `${id}-error`
  const describedBy = [disabledReason ? reasonId : null, error ? errorId : null].filter(Boolean).join(' ')

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: keys typed while a pad key has focus reach the number
    <div
      className={cx('rl-dialer', className)}
      data-state={state}
      data-disabled-reason={disabledReason ?? undefined}
      onKeyDown={onRootKeyDown}
      {...rest}
    >
      <div className="rl-dialer-field">
        <input
          ref={inputRef}
          id={`${id}-number`}
          className="rl-input rl-dialer-input"
          // Numbers read left to right in every language, also without the stylesheet.
          dir="ltr"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          // biome-ignore lint/a11y/noAutofocus: opt-in through the prop
          autoFocus={autoFocus}
          aria-label={labels.numberLabel}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy || undefined}
          placeholder={labels.placeholder}
          value={display}
          onChange={onInputChange}
          onFocus={prepare}
          onPaste={onPaste}
          onKeyDown={onInputKeyDown}
        />
        <button
          type="button"
          className="rl-button rl-dialer-backspace"
          aria-label={labels.backspace}
          disabled={!raw}
          onClick={() => {
            backspace()
            inputRef.current?.focus()
          }}
        >
          <BackspaceIcon />
        </button>
      </div>
      <DialPad
        label={labels.dialPad}
        zeroHint={labels.zeroHint}
        onKey={press}
        disabled={calling}
        className="rl-dialer-pad"
      />
      <button
        type="button"
        className="rl-button rl-dialer-call"
        data-variant="call"
        disabled={!canCall}
        aria-describedby={describedBy || undefined}
        onClick={() => void submit()}
      >
        <PhoneIcon />
        <span>{connected ? labels.inCall : calling ? labels.calling : labels.call}</span>
      </button>
      <p id={reasonId} className="rl-dialer-reason" hidden={!disabledReason}>
        {disabledReason ? labels.disabled[disabledReason] : ''}
        {disabledReason === 'no-microphone' && disabledReasonProp === undefined && help ? ` ${help}` : ''}
      </p>
      <p id={errorId} className="rl-error" role="alert" hidden={!error}>
        {error ?? ''}
      </p>
      {recentNumbers && recentNumbers.length > 0 ? (
        <div className="rl-dialer-recent">
          <p className="rl-dialer-recent-title" id={`${id}-recent`}>
            {labels.recent}
          </p>
          <ul aria-labelledby={`${id}-recent`}>
            {recentNumbers.map((number) => {
              const formatted = formatNumber(number, defaultCountry)
              return (
                <li key={number}>
                  <button
                    type="button"
                    className="rl-button rl-dialer-recent-item"
                    aria-label={labels.recentCall(formatted)}
                    onClick={() => {
                      update(toDialString(number, defaultCountry))
                      inputRef.current?.focus()
                    }}
                  >
                    {formatted}
                  </button>
                </li>
              )
            })}
          </ul>
        </div>
      ) : null}
    </div>
  )
}
