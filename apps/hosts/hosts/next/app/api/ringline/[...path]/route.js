import { createRingline } from '@ringline/server'
import { toNextHandlers } from '@ringline/server/next'

// LiveKit and SIP settings come from the environment: LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET,
// LIVEKIT_SIP_OUTBOUND_TRUNK_ID, RINGLINE_CALLER_ID (what `ringline-sandbox up` prints).
const ringline = createRingline({
  authorize: (request) => {
    const user = request.headers.get('x-user') // stands in for your session lookup
    return user ? { userId: user, tenantId: 'demo' } : null
  },
  calls: { allowUnassignedNumbers: true }, // the sandbox's +1 555 numbers are unassigned; drop this in production
  sip: { waitForCallerSeconds: 0 }, // dial at once: no browser joins these calls (default: wait for the caller's browser)
})

export const { GET, POST, PUT, DELETE } = toNextHandlers(ringline)
