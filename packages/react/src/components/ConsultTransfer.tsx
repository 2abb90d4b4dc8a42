'use client'
import { type FormEvent, type HTMLAttributes, useId, useState } from 'react'
import { useActiveCall } from '../hooks/useActiveCall'
import { useConsult } from '../hooks/useConsult'
import { cx } from '../internal/cx'
import { TransferIcon } from '../internal/icons'
import { useErrorText, useLabels } from '../messages'
import type { CallClientLike, Consult, ConsultLeftReason, ConsultOffer } from '../types'

/** Every text of the warm-transfer (consult) controls. */
export interface ConsultTransferLabels {
  /** The button that opens the consult form. */
  consult: string
  /** Label of the choice between a colleague and a phone number. */
  consultKind: string
  /** The choice: a colleague (user id). */
  consultColleague: string
  /** The choice: a phone number. */
  consultPhone: string
  /** Label of the colleague field. */
  consultTo: string
  /** Label of the phone number field. */
  consultToPhone: string
  /** Under the field: what happens to the caller. */
  consultHint: string
  consultSubmit: string
  consultInvalid: string
  /** The phone number field is empty. */
  consultInvalidPhone: string
  /** Where the consult stands; `who` is the colleague (or the phone number). */
  status: Record<'starting' | 'ringing' | 'connected' | 'completing', (who: string) => string>
  /** A consulted phone left (hung up, busy, no answer, declined, failed); `who` is its number. Cancel goes back. */
  left: Record<ConsultLeftReason, (who: string) => string>
  /** How it ended; `who` is the colleague. */
  ended: Record<'completed' | 'canceled' | 'failed', (who: string) => string>
  /** Hand the caller to the colleague. */
  complete: string
  /** Back to the caller. */
  cancel: string
  /** The consulted side, talking; `who` asked. */
  consultedBy: (who: string) => string
  /** The consulted side ends the consult. */
  end: string
  /** The consulted side, once the call was handed to them. */
  takenOver: string
  /** The consulted side, once the consult ended without a hand-over (either side cancelled, or it failed). */
  consultedEnded: string
  dismiss: string
  /** Label of the list of consults offered to you. */
  offersGroup: string
  /** One offer; `who` asks, `caller` is the held caller's number (or empty). */
  offer: (who: string, caller: string) => string
  answerOffer: string
  declineOffer: string
}

/** English defaults of {@link ConsultTransferLabels}. */
export const consultTransferLabels: ConsultTransferLabels = {
  consult: 'Consult',
  consultKind: 'Whom to consult',
  consultColleague: 'Colleague',
  consultPhone: 'Number',
  consultTo: 'Colleague to consult (user id)',
  consultToPhone: 'Number to consult',
  consultHint: 'The caller is put on hold and hears music while you talk.',
  consultSubmit: 'Start consult',
  consultInvalid: 'Enter the colleague to consult.',
  consultInvalidPhone: 'Enter the number to consult.',
  status: {
    starting: (who) => `Calling ${who}…`,
    ringing: (who) => `Waiting for ${who} to join… The caller is on hold.`,
    connected: (who) => `Talking to ${who}. The caller is on hold.`,
    completing: (who) => `Handing the caller to ${who}…`,
  },
  left: {
    hangup: (who) => `${who} hung up. Cancel the consult to go back to the caller.`,
    busy: (who) => `${who} is busy. Cancel the consult to go back to the caller.`,
    'no-answer': (who) => `${who} did not answer. Cancel the consult to go back to the caller.`,
    declined: (who) => `${who} declined the call. Cancel the consult to go back to the caller.`,
    failed: (who) => `The call to ${who} failed. Cancel the consult to go back to the caller.`,
  },
  ended: {
    completed: (who) => `Transferred to ${who}`,
    canceled: () => 'Consult ended. You are back with the caller.',
    failed: () => 'Warm transfer failed',
  },
  complete: 'Complete transfer',
  cancel: 'Cancel consult',
  consultedBy: (who) => `${who} is consulting you. Their caller is on hold.`,
  end: 'End consult',
  takenOver: 'The call is yours now.',
  consultedEnded: 'The consult ended. The caller stays with your colleague.',
  dismiss: 'Close',
  offersGroup: 'Consult requests',
  offer: (who, caller) =>
    caller
      ? `${who} wants to consult you about a call with ${caller}`
      : `${who} wants to consult you about a call`,
  answerOffer: 'Join consult',
  declineOffer: 'Decline',
}

/** Props of {@link ConsultTransfer}. */
export interface ConsultTransferProps extends HTMLAttributes<HTMLDivElement> {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
  /** Text overrides. */
  labels?: Partial<ConsultTransferLabels>
  /** How to show a user id (e.g. their name); default the id itself. */
  formatUser?: (userId: string) => string
}

/**
 * Warm (attended) transfer of the active phone call: consult a colleague while the caller hears hold music, then
 * complete the transfer or cancel back to the caller. Shows the consulted side too. Renders nothing when the
 * client has no warm transfer.
 */
export function ConsultTransfer({
  client,
  labels: labelsProp,
  formatUser,
  className,
  ...rest
}: ConsultTransferProps) {
  const labels = useLabels('consultTransfer', consultTransferLabels, labelsProp)
  const errorText = useErrorText()
  const { call, phase } = useActiveCall({ client })
  const { consult: anyConsult, controller } = useConsult({ client })
  const [open, setOpen] = useState(false)
  const [target, setTarget] = useState('')
  const [kind, setKind] = useState<'colleague' | 'phone'>('colleague')
  const [invalid, setInvalid] = useState(false)
  const id = useId()
  if (!controller) return null
  const consult =
    anyConsult && (anyConsult.role === 'consulted' || anyConsult.callId === call?.id) ? anyConsult : null
  const who = (c: Consult) => {
    if (c.role === 'consulting' && c.to) return c.to.replace(/^tel:/, '')
    const user = c.role === 'consulting' ? c.userId : (c.by ?? c.userId)
    return formatUser ? formatUser(user) : user
  }
  const inCall = phase === 'connected' && call?.direction !== 'internal'
  if (!consult && !inCall) return null

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const value = target.trim()
    if (!value) {
      setInvalid(true)
      return
    }
    setInvalid(false)
    // A refused consult shows in the consult state (its error); never leave the rejection unhandled.
    Promise.resolve(controller.start(kind === 'phone' ? { to: value } : { userId: value })).catch(() => {})
  }

  let status = ''
  if (consult) {
    if (consult.phase === 'ended' && consult.role === 'consulted' && consult.endReason === 'completed') {
      status = labels.takenOver
    } else if (consult.phase === 'ended' && consult.role === 'consulted') {
      status = labels.consultedEnded
    } else if (consult.phase === 'ended') {
      const reason = consult.endReason ?? 'canceled'
      status = labels.ended[reason](who(consult))
      if (consult.error && reason === 'failed') status += `: ${errorText(consult.error)}`
    } else if (consult.phase === 'left') {
      status = labels.left[consult.leftReason ?? 'hangup'](who(consult))
    } else if (consult.role === 'consulted' && consult.phase !== 'starting') {
      status = labels.consultedBy(who(consult))
    } else {
      status = labels.status[consult.phase as keyof ConsultTransferLabels['status']](who(consult))
    }
  }

  return (
    <div {...rest} className={cx('rl-consult', className)} data-state={consult?.phase ?? 'idle'}>
      {!consult ? (
        <>
          <button
            type="button"
            className="rl-button"
            aria-expanded={open}
            aria-controls={`${id}-consult`}
            onClick={() => setOpen(!open)}
          >
            <TransferIcon />
            <span>{labels.consult}</span>
          </button>
          <form id={`${id}-consult`} className="rl-call-transfer" hidden={!open} onSubmit={submit}>
            <fieldset className="rl-consult-kind">
              <legend>{labels.consultKind}</legend>
              {(['colleague', 'phone'] as const).map((k) => (
                <label key={k}>
                  <input
                    type="radio"
                    name={`${id}-consult-kind`}
                    value={k}
                    checked={kind === k}
                    onChange={() => {
                      setKind(k)
                      setInvalid(false)
                    }}
                  />
                  {k === 'phone' ? labels.consultPhone : labels.consultColleague}
                </label>
              ))}
            </fieldset>
            <label htmlFor={`${id}-consult-to`}>
              {kind === 'phone' ? labels.consultToPhone : labels.consultTo}
            </label>
            <input
              id={`${id}-consult-to`}
              className="rl-input"
              type={kind === 'phone' ? 'tel' : 'text'}
              autoComplete="off"
              value={target}
              aria-invalid={invalid ? true : undefined}
              aria-describedby={`${id}-consult-hint${invalid ? ` ${id}-consult-error` : ''}`}
              onChange={(e) => setTarget(e.currentTarget.value)}
            />
            <button type="submit" className="rl-button">
              {labels.consultSubmit}
            </button>
            <p id={`${id}-consult-hint`} className="rl-hint">
              {labels.consultHint}
            </p>
            {invalid ? (
              <p id={`${id}-consult-error`} className="rl-error">
                {kind === 'phone' ? labels.consultInvalidPhone : labels.consultInvalid}
              </p>
            ) : null}
          </form>
        </>
      ) : (
        <section className="rl-call-transfer" aria-label={labels.consult}>
          <p
            className="rl-consult-status"
            role="status"
            aria-live="polite"
            data-state={consult.phase}
            data-end-reason={consult.endReason ?? undefined}
          >
            {status}
          </p>
          {consult.role === 'consulting' && consult.phase !== 'ended' ? (
            <>
              <button
                type="button"
                className="rl-button"
                data-action="complete-transfer"
                disabled={consult.phase !== 'connected'}
                onClick={() => void Promise.resolve(controller.complete()).catch(() => {})}
              >
                {labels.complete}
              </button>
              <button
                type="button"
                className="rl-button"
                data-action="cancel-consult"
                disabled={consult.phase === 'completing'}
                onClick={() => void Promise.resolve(controller.cancel()).catch(() => {})}
              >
                {labels.cancel}
              </button>
            </>
          ) : null}
          {consult.role === 'consulted' && consult.phase !== 'ended' ? (
            <button
              type="button"
              className="rl-button rl-hangup"
              data-variant="hangup"
              data-action="end-consult"
              disabled={consult.phase === 'completing'}
              onClick={() => void Promise.resolve(controller.cancel()).catch(() => {})}
            >
              {labels.end}
            </button>
          ) : null}
          {consult.phase === 'ended' ? (
            <button
              type="button"
              className="rl-button"
              data-action="dismiss"
              onClick={() => controller.dismiss()}
            >
              {labels.dismiss}
            </button>
          ) : null}
        </section>
      )}
    </div>
  )
}

/** Props of {@link ConsultOffers}. */
export interface ConsultOffersProps extends HTMLAttributes<HTMLDivElement> {
  /** Use this client instead of the provider's. */
  client?: CallClientLike
  /** Text overrides. */
  labels?: Partial<ConsultTransferLabels>
  /** How to show a user id (e.g. their name); default the id itself. */
  formatUser?: (userId: string) => string
}

/** Consults colleagues offer you (they hold a caller and want to talk first): join or decline. Nothing when none. */
export function ConsultOffers({
  client,
  labels: labelsProp,
  formatUser,
  className,
  ...rest
}: ConsultOffersProps) {
  const labels = useLabels('consultTransfer', consultTransferLabels, labelsProp)
  const { offers, controller } = useConsult({ client })
  if (!controller || offers.length === 0) return null
  const caller = (o: ConsultOffer) =>
    (o.record.direction === 'inbound' ? o.record.fromNumber : o.record.toNumber) ?? ''
  return (
    <section
      {...rest}
      className={cx('rl-consult-offers', className)}
      data-state="offered"
      aria-label={labels.offersGroup}
    >
      {offers.map((o) => (
        <div key={o.callId} className="rl-call-transfer" data-call-id={o.callId}>
          <p className="rl-consult-offer">{labels.offer(formatUser ? formatUser(o.by) : o.by, caller(o))}</p>
          <button
            type="button"
            className="rl-button"
            data-action="answer-consult"
            onClick={() => void Promise.resolve(controller.answer(o.callId)).catch(() => {})}
          >
            {labels.answerOffer}
          </button>
          <button
            type="button"
            className="rl-button"
            data-action="decline-consult"
            onClick={() => void Promise.resolve(controller.decline(o.callId)).catch(() => {})}
          >
            {labels.declineOffer}
          </button>
        </div>
      ))}
    </section>
  )
}
