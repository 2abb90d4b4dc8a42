'use client'
import { type FormEvent, useId, useState } from 'react'
import { cx } from '../internal/cx'
import type { OverridesBodyProps } from '../internal/lazyBody'
import type { Consult } from '../types'
import type { ConsultTransferLabels, ConsultTransferProps, ConsultTransferShared } from './ConsultTransfer'
import { consultTransferLabels } from './consultTransferLabels'

let shared: ConsultTransferShared
/** The default texts: the body's own and the eager ones the shell handed over. */
let defaults: ConsultTransferLabels

/** Called by the shell as it loads this body: what the body uses of modules the package index reaches. */
export function loadConsultTransferBody(given: ConsultTransferShared): typeof ConsultTransferBody {
  shared = given
  defaults = { ...given.consultOfferLabels, ...consultTransferLabels }
  return ConsultTransferBody
}

/** The body of {@link ConsultTransfer}, loaded with import() once the client offers warm transfer. */
export function ConsultTransferBody({
  client,
  labels: overrides,
  formatUser,
  className,
  ...rest
}: OverridesBodyProps<ConsultTransferProps, ConsultTransferLabels>) {
  const labels = shared.useDefaultLabels(defaults, overrides)
  const errorText = shared.useErrorText()
  const { call, phase } = shared.useActiveCall({ client })
  const { consult: anyConsult, controller } = shared.useConsult({ client })
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
            <shared.TransferIcon />
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
