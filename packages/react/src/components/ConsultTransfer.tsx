'use client'
import { type HTMLAttributes, useEffect } from 'react'
import { useActiveCall } from '../hooks/useActiveCall'
import { useConsult } from '../hooks/useConsult'
import { cx } from '../internal/cx'
import { TransferIcon } from '../internal/icons'
import { useDefaultLabels } from '../internal/labels'
import { LazyFallback, lazyBody, withPreload } from '../internal/lazyBody'
import { useErrorText, useLabelOverrides } from '../messages'
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

/**
 * The default texts the eager code shows: the consult button's name (the placeholder's too) and the offers of
 * {@link ConsultOffers}. The others load with the body (`consultTransferLabels.ts`). Internal.
 */
export const consultOfferLabels = {
  consult: 'Consult',
  offersGroup: 'Consult requests',
  offer: (who, caller) =>
    caller
      ? `${who} wants to consult you about a call with ${caller}`
      : `${who} wants to consult you about a call`,
  answerOffer: 'Join consult',
  declineOffer: 'Decline',
} satisfies Partial<ConsultTransferLabels>

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
  const labels = useDefaultLabels(consultOfferLabels, useLabelOverrides('consultTransfer', labelsProp))
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
const shared = { useConsult, TransferIcon, useActiveCall, useErrorText, useDefaultLabels, consultOfferLabels }
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
  // The body's default texts load with it; the placeholder needs only the consult button's name.
  const labels = useLabelOverrides('consultTransfer', props.labels)
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
      label={labels.consult ?? consultOfferLabels.consult}
      style={props.style}
    />,
  )
}, body)
