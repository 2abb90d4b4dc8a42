'use client'

import { CallControls, Dialer, useActiveCall } from '@ringline/react'

/** The dialer, and the controls of the active (outbound or answered inbound) call. */
export function PhonePanel({ defaultNumber }: { defaultNumber: string }) {
  const { call } = useActiveCall()
  return (
    <div className="demo-phone">
      <section aria-label="Dialer">
        <Dialer autoFocus defaultValue={defaultNumber} />
      </section>
      {call ? (
        <section aria-label="Active call">
          <CallControls />
        </section>
      ) : null}
    </div>
  )
}
