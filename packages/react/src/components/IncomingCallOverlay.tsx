'use client'
import type { CountryCode } from '@ringline/core'
import {
  type HTMLAttributes,
  type KeyboardEvent,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react'
import { useIncomingCalls } from '../hooks/useIncomingCalls'
import { cx } from '../internal/cx'
import { HangupIcon, PhoneIcon } from '../internal/icons'
import { LiveRegion } from '../internal/LiveRegion'
import { usePhoneNumberFormat } from '../internal/usePhoneNumberFormat'
import { useLabels } from '../messages'
import type { CallClientLike, IncomingCall } from '../types'
import { EnableSound } from './EnableSound'

/**
 * States of one incoming call in the overlay (`data-state`). Answering hands the call to the active call at once
 * (core drops it from `incoming`), so connecting, a lost claim or a failed answer show where the active call is
 * shown (CallControls), not here.
 */
export type IncomingCallOverlayState = 'ringing' | 'answered-elsewhere' | 'missed'

/** What `resolveCaller` returns for a number. */
export interface CallerInfo {
  name?: string | null
  avatarUrl?: string | null
}

/** Browser notifications, injectable for tests. Without `show`, the client shows them itself (core does). */
export interface NotificationsAdapter {
  permission(): 'default' | 'granted' | 'denied' | 'unsupported'
  request(): Promise<'default' | 'granted' | 'denied' | 'unsupported'>
  show?(title: string, body: string): void
}

/** Every text of IncomingCallOverlay. */
export interface IncomingCallOverlayLabels {
  dialog: string
  title: string
  unknownCaller: string
  answer: string
  decline: string
  dismiss: string
  /** A call you answered yourself on another device (or whose answerer is not known). */
  answeredElsewhere: string
  /** A call a colleague answered. */
  answeredBy: (who: string) => string
  missed: string
  announceRinging: (caller: string) => string
  announceMissed: (caller: string) => string
  announceAnsweredElsewhere: (caller: string) => string
  announceAnsweredBy: (caller: string, who: string) => string
  soundBlocked: string
  enableSound: string
  notificationsPrompt: string
  enableNotifications: string
  notificationTitle: string
  moreCalls: (count: number) => string
  calledNumber: (number: string) => string
}

/** Default English texts of IncomingCallOverlay. */
export const incomingCallOverlayLabels: IncomingCallOverlayLabels = {
  dialog: 'Incoming calls',
  title: 'Incoming call',
  unknownCaller: 'Unknown caller',
  answer: 'Answer',
  decline: 'Decline',
  dismiss: 'Dismiss',
  answeredElsewhere: 'Answered on another device',
  answeredBy: (who) => `Answered by ${who}`,
  missed: 'Missed call',
  announceRinging: (caller) => `Incoming call from ${caller}`,
  announceMissed: (caller) => `Missed call from ${caller}`,
  announceAnsweredElsewhere: (caller) => `Call from ${caller} was answered on another device`,
  announceAnsweredBy: (caller, who) => `Call from ${caller} was answered by ${who}`,
  soundBlocked: 'Your browser blocked the ringtone.',
  enableSound: 'Enable sound',
  notificationsPrompt: 'Get notified of calls while this tab is in the background.',
  enableNotifications: 'Enable notifications',
  notificationTitle: 'Incoming call',
  moreCalls: (count) => `${count} calls ringing`,
  calledNumber: (number) => `to ${number}`,
}

/** Props of {@link IncomingCallOverlay}. */
export interface IncomingCallOverlayProps extends HTMLAttributes<HTMLDivElement> {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
  /** Text overrides. */
  labels?: Partial<IncomingCallOverlayLabels>
  /** Looks up the caller's name and avatar for a number (E.164). */
  resolveCaller?: (number: string) => Promise<CallerInfo | null | undefined>
  /** Country used to format numbers. Default `US`. */
  defaultCountry?: CountryCode
  /** Browser notifications; `false` hides the prompt. Default: the client's (`client.notifications`), else `window.Notification`. */
  notifications?: NotificationsAdapter | false
  /** Called once an answer succeeded (a failed one ends the active call with its reason or error). */
  onAnswered?: (callId: string) => void
  /** Called after Decline. */
  onDeclined?: (callId: string) => void
  /** The signed-in user's id: a call they answered on another device says so instead of "Answered by …". */
  currentUserId?: string
  /** A person's display name from a user id (who answered); default the id itself. */
  resolveUser?: (userId: string) => string | undefined
}

interface Entry {
  call: IncomingCall
  state: IncomingCallOverlayState
}

function browserNotifications(): NotificationsAdapter | null {
  if (typeof window === 'undefined' || typeof window.Notification === 'undefined') return null
  const N = window.Notification
  return {
    permission: () => N.permission,
    request: () => N.requestPermission(),
    show: (title, body) => {
      new N(title, { body, tag: 'ringline-incoming' })
    },
  }
}

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), select, [tabindex]:not([tabindex="-1"])'

/** Incoming calls as a modal alert dialog: Answer / Decline, Enter answers, Esc declines, focus kept inside. */
export function IncomingCallOverlay({
  client,
  labels: labelsProp,
  resolveCaller,
  defaultCountry = 'US',
  notifications,
  onAnswered,
  onDeclined,
  currentUserId,
  resolveUser,
  className,
  ...rest
}: IncomingCallOverlayProps) {
  const formatNumber = usePhoneNumberFormat()
  const labels = useLabels('incomingCallOverlay', incomingCallOverlayLabels, labelsProp)
  const incoming = useIncomingCalls({ client })
  const [callers, setCallers] = useState<Readonly<Record<string, CallerInfo | null>>>({})
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set())
  const [notify, setNotify] = useState<NotificationsAdapter | null>(null)
  const [notifyPermission, setNotifyPermission] =
    useState<ReturnType<NotificationsAdapter['permission']>>('denied')
  const dialogRef = useRef<HTMLDivElement>(null)
  const restoreRef = useRef<HTMLElement | null>(null)
  const notifiedRef = useRef(new Set<string>())
  const requestedRef = useRef(new Set<string>())
  const id = useId()

  const entries: Entry[] = []
  for (const call of incoming.calls) {
    // The ring of a call this user placed through the server from another tab is not one to answer here.
    if (dismissed.has(call.id) || call.serverDial) continue
    let state: IncomingCallOverlayState
    if (call.phase === 'ended') {
      if (call.endReason === 'declined') continue
      state = call.endReason === 'answered-elsewhere' ? 'answered-elsewhere' : 'missed'
    } else {
      state = 'ringing'
    }
    entries.push({ call, state })
  }
  const open = entries.length > 0
  const ringing = entries.filter((e) => e.state === 'ringing')

  const callerLabel = useCallback(
    (call: IncomingCall) => {
      const info = call.from ? callers[call.from] : null
      const number = call.from ? formatNumber(call.from, defaultCountry) : labels.unknownCaller
      return info?.name ? `${info.name} (${number})` : number
    },
    [callers, defaultCountry, labels.unknownCaller, formatNumber],
  )

  // Notifications adapter is read after mount: the server renders no prompt.
  const clientNotifications = incoming.notifications
  useEffect(() => {
    const fromClient: NotificationsAdapter | null = clientNotifications
      ? {
          permission: () => clientNotifications.permission(),
          request: () => clientNotifications.requestPermission(),
        }
      : null
    const adapter = notifications === false ? null : (notifications ?? fromClient ?? browserNotifications())
    setNotify(adapter)
    if (adapter) setNotifyPermission(adapter.permission())
  }, [notifications, clientNotifications])

  // Resolve caller names once per number.
  useEffect(() => {
    if (!resolveCaller) return
    for (const { call } of entries) {
      const number = call.from
      if (!number || requestedRef.current.has(number)) continue
      requestedRef.current.add(number)
      resolveCaller(number).then(
        (info) => setCallers((prev) => ({ ...prev, [number]: info ?? null })),
        () => {},
      )
    }
  })

  // A system notification when a call starts ringing while the tab is hidden.
  useEffect(() => {
    if (!notify?.show || notifyPermission !== 'granted') return
    for (const { call, state } of entries) {
      if (state !== 'ringing' || notifiedRef.current.has(call.id)) continue
      notifiedRef.current.add(call.id)
      if (typeof document !== 'undefined' && document.visibilityState === 'hidden') {
        notify.show?.(labels.notificationTitle, callerLabel(call))
      }
    }
  })

  // Focus moves into the dialog when it opens and back where it was when it closes.
  useLayoutEffect(() => {
    if (open) {
      const dialog = dialogRef.current
      if (!dialog) return
      if (!dialog.contains(document.activeElement)) {
        if (!restoreRef.current) restoreRef.current = document.activeElement as HTMLElement | null
        const answer = dialog.querySelector<HTMLElement>('[data-action="answer"]:not([disabled])')
        ;(answer ?? dialog.querySelector<HTMLElement>(FOCUSABLE) ?? dialog).focus()
      }
    } else if (restoreRef.current) {
      const target = restoreRef.current
      restoreRef.current = null
      if (target.isConnected) target.focus()
    }
  })

  // Core moves the call to `activeCall` at once; a lost claim or a failure ends that call with its reason.
  const answer = async (callId: string) => {
    try {
      await incoming.answer(callId)
      onAnswered?.(callId)
    } catch {}
  }
  const decline = (callId: string) => {
    void incoming.decline(callId)
    onDeclined?.(callId)
  }
  const dismiss = (callId: string) => setDismissed((prev) => new Set(prev).add(callId))

  const entryFor = (target: EventTarget | null): Entry | undefined => {
    const card = (target as HTMLElement | null)?.closest?.('[data-call-id]')
    const callId = card?.getAttribute('data-call-id')
    return entries.find((e) => e.call.id === callId) ?? ringing[0]
  }

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Tab') {
      const focusables = Array.from(dialogRef.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])
      if (focusables.length === 0) return event.preventDefault()
      const first = focusables[0]!
      const last = focusables[focusables.length - 1]!
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault()
        last.focus()
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault()
        first.focus()
      }
      return
    }
    const entry = entryFor(event.target)
    if (!entry) return
    if (event.key === 'Escape') {
      event.preventDefault()
      if (entry.state === 'ringing') decline(entry.call.id)
      else dismiss(entry.call.id)
    } else if (event.key === 'Enter' && (event.target as HTMLElement).tagName !== 'BUTTON') {
      event.preventDefault()
      if (entry.state === 'ringing') void answer(entry.call.id)
    }
  }

  /** Who answered a call that stopped ringing here: a colleague's name, or null for yourself / unknown. */
  const answeredByOther = (call: IncomingCall): string | null => {
    const by = call.record.answeredBy
    if (!by || by === currentUserId) return null
    return resolveUser?.(by) ?? by
  }

  const top = entries[0]
  const topAnsweredBy = top ? answeredByOther(top.call) : null
  const announcement = top
    ? top.state === 'missed'
      ? labels.announceMissed(callerLabel(top.call))
      : top.state === 'answered-elsewhere'
        ? topAnsweredBy
          ? labels.announceAnsweredBy(callerLabel(top.call), topAnsweredBy)
          : labels.announceAnsweredElsewhere(callerLabel(top.call))
        : ringing.length > 1
          ? labels.moreCalls(ringing.length)
          : labels.announceRinging(callerLabel(top.call))
    : ''

  return (
    <div
      className={cx('rl-incoming', className)}
      data-state={top?.state ?? 'idle'}
      data-rings-here={incoming.ringsHere ? '' : undefined}
      {...rest}
    >
      <LiveRegion message={announcement} assertive={top?.state === 'ringing'} />
      {open ? (
        <div
          ref={dialogRef}
          role="alertdialog"
          aria-modal="true"
          aria-labelledby={`${id}-title-0`}
          aria-describedby={`${id}-desc-0`}
          className="rl-incoming-dialog"
          data-state={top?.state}
          data-count={entries.length}
          tabIndex={-1}
          onKeyDown={onKeyDown}
        >
          {ringing.length > 0 ? (
            <EnableSound
              {...(client ? { client } : {})}
              className="rl-incoming-sound"
              labels={{ blocked: labels.soundBlocked, enable: labels.enableSound }}
            />
          ) : null}
          {entries.map((entry, index) => {
            const { call, state } = entry
            const info = call.from ? callers[call.from] : null
            const number = call.from ? formatNumber(call.from, defaultCountry) : labels.unknownCaller
            const name = info?.name ?? null
            const by = state === 'answered-elsewhere' ? answeredByOther(call) : null
            return (
              // biome-ignore lint/a11y/useSemanticElements: a group of one call's controls inside the dialog
              <div
                key={call.id}
                role="group"
                aria-labelledby={`${id}-title-${index}`}
                className="rl-incoming-card"
                data-state={state}
                data-call-id={call.id}
              >
                <div className="rl-incoming-avatar" aria-hidden="true">
                  {info?.avatarUrl ? (
                    <img src={info.avatarUrl} alt="" />
                  ) : (
                    <span>{initials(name ?? '#')}</span>
                  )}
                </div>
                <div className="rl-incoming-text">
                  <p className="rl-incoming-title" id={`${id}-title-${index}`}>
                    {state === 'ringing'
                      ? `${labels.title}: ${name ?? number}`
                      : state === 'missed'
                        ? `${labels.missed}: ${name ?? number}`
                        : `${by ? labels.answeredBy(by) : labels.answeredElsewhere}: ${name ?? number}`}
                  </p>
                  <p className="rl-incoming-number" id={`${id}-desc-${index}`} dir="auto">
                    {name
                      ? number
                      : call.to
                        ? labels.calledNumber(formatNumber(call.to, defaultCountry))
                        : ''}
                  </p>
                </div>
                <div className="rl-incoming-actions">
                  {state === 'ringing' ? (
                    <>
                      <button
                        type="button"
                        className="rl-button"
                        data-variant="decline"
                        data-action="decline"
                        onClick={() => decline(call.id)}
                      >
                        <HangupIcon />
                        <span>{labels.decline}</span>
                      </button>
                      <button
                        type="button"
                        className="rl-button"
                        data-variant="answer"
                        data-action="answer"
                        onClick={() => void answer(call.id)}
                      >
                        <PhoneIcon />
                        <span>{labels.answer}</span>
                      </button>
                    </>
                  ) : (
                    <button
                      type="button"
                      className="rl-button"
                      data-action="dismiss"
                      onClick={() => dismiss(call.id)}
                    >
                      {labels.dismiss}
                    </button>
                  )}
                </div>
              </div>
            )
          })}
          {notify && notifyPermission === 'default' && ringing.length > 0 ? (
            <div className="rl-incoming-notify">
              <span>{labels.notificationsPrompt}</span>
              <button
                type="button"
                className="rl-button"
                onClick={() => {
                  void notify.request().then(setNotifyPermission)
                }}
              >
                {labels.enableNotifications}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  )
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean)
  return (
    ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase() ||
    '#'
  )
}
