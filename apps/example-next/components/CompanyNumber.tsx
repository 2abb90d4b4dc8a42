import { formatPhoneNumber } from '@ringline/react'

/** Tells the signed-in agent which number rings their tenant (the sandbox phone can call it). */
export function CompanyNumber({ e164 }: { e164: string | undefined }) {
  if (!e164) return null
  return (
    <p className="demo-banner" data-testid="company-number">
      Your company number is <strong>{formatPhoneNumber(e164)}</strong>: calls to it ring every online agent
      of your team. From the sandbox: <code>pnpm sandbox call {e164}</code>
    </p>
  )
}
