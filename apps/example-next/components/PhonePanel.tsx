'use client'

import { CallControls, ConsultOffers, ConsultTransfer, Dialer, useActiveCall } from '@ringline/react'

/** The dialer, and the controls of the active (outbound or answered inbound) call. */
export function PhonePanel({ defaultNumber }: { defaultNumber: string }) {
  const { call } = useActiveCall()
  return (
    <div className="demo-phone">
      <section aria-label="Dialer">
        <Dialer autoFocus defaultValue={defaultNumber} />
      </section>
      <section aria-label="Active call">
        {call ? (
          <CallControls />
        ) : (
          <>
            <p className="demo-idle" data-testid="no-active-call">
              No call right now. Dial a number, or call your company number from the sandbox phone: every
              online agent of your team is rung.
            </p>
            {/* A colleague's consult (warm transfer) reaches you here while you have no call of your own. */}
            <ConsultOffers />
            <ConsultTransfer />
          </>
        )}
      </section>
    </div>
  )
}
