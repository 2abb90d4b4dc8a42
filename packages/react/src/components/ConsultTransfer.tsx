'use client'
import { type HTMLAttributes, useEffect } from 'react'
import { useActiveCall } from '../hooks/useActiveCall'
import { useConsult } from '../hooks/useConsult'
import { cx } from '../internal/cx'
import { TransferIcon } from '../internal/icons'
import { LazyFallback, lazyBody, withPreload } from '../internal/lazyBody'
import { useErrorText, useLabels } from '../messages'
import type { CallClientLike, ConsultLeftReason, ConsultOffer } from '../types'

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

// What the body uses of modules the package index reaches, handed over as it loads (see internal/lazyBody.tsx).
const shared = { useConsult, TransferIcon, useActiveCall, useErrorText }
/** What {@link ConsultTransfer}'s body gets from its shell. Internal. */
export type ConsultTransferShared = typeof shared
const body = /* @__PURE__ */ lazyBody(() =>
  import('./ConsultTransferBody').then((m) => m.loadConsultTransferBody(shared)),
)

/**
 * Warm (attended) transfer of the active phone call: consult a colleague while the caller hears hold music, then
 * complete the transfer or cancel back to the caller. Shows the consulted side too. Renders nothing when the
 * client has no warm transfer. Its body loads once the client offers warm transfer (a busy placeholder if it is
 * needed before); `ConsultTransfer.preload()` fetches it ahead.
 */
export const ConsultTransfer = /* @__PURE__ */ withPreload(function ConsultTransfer(
  props: ConsultTransferProps,
) {
  const { client } = props
  const labels = useLabels('consultTransfer', consultTransferLabels, props.labels)
  const { call, phase } = useActiveCall({ client })
  const { consult, controller } = useConsult({ client })
  // Fetch the form while the agent is on the call path anyway, so it is there by the time they consult.
  useEffect(() => {
    if (controller) body.preload().catch(() => {})
  }, [controller])
  // Nothing to show (the body's own rule): render nothing rather than a placeholder.
  if (!controller) return null
  const own = consult && (consult.role === 'consulted' || consult.callId === call?.id)
  if (!own && !(phase === 'connected' && call?.direction !== 'internal')) return null
  return body.render(
    { ...props, labels },
    <LazyFallback
      as="div"
      rootClass="rl-consult"
      className={props.className}
      label={labels.consult}
      style={props.style}
    />,
  )
}, body)
