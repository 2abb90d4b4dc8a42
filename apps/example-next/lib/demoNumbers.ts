import type { Ringline } from '@ringline/server'

/**
 * Company numbers of the demo tenants, from `RINGLINE_DEMO_NUMBERS` (`acme=+15550009001,globex=+15550009002`;
 * `npm run dev` sets it to free numbers of the sandbox).
 */
export function demoNumbers(): Map<string, string> {
  const numbers = new Map<string, string>()
  for (const pair of (process.env.RINGLINE_DEMO_NUMBERS ?? '').split(',')) {
    const [tenantId, e164] = pair.split('=').map((part) => part.trim())
    if (tenantId && e164) numbers.set(tenantId, e164)
  }
  return numbers
}

/** Points each demo tenant's number at that tenant (LiveKit inbound trunk + dispatch rule); idempotent. */
export async function provisionDemoNumbers(ringline: Ringline): Promise<void> {
  for (const [tenantId, e164] of demoNumbers()) {
    try {
      await ringline.api.provisionNumber({ e164, tenantId })
    } catch (error) {
      console.error(`[example] could not provision ${e164} for ${tenantId}:`, error)
    }
  }
}
