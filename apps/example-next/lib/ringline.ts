import { join } from 'node:path'
import { createRingline, pgliteStore, type Ringline } from '@ringline/server'
import { provisionDemoNumbers } from './demoNumbers'
import { supportAgentName } from './roomKinds'
import { userFromRequest } from './session'
import { startTwilioDemo } from './twilioDemo'

// One server instance per process: Next dev reloads modules, and PGlite may open its data folder only once.
const globalForRingline = globalThis as typeof globalThis & {
  __ringline?: Ringline
  __ringlineProvisioned?: Promise<void>
}

function create(): Ringline {
  startTwilioDemo() // RINGLINE_TWILIO_SIMULATOR=1: simulated Twilio REST for the Settings demo
  const ringline = createRingline({
    // Embedded PostgreSQL (PGlite) under apps/example-next/.data; set RINGLINE_DATA_DIR to move it.
    store: pgliteStore({ dataDir: process.env.RINGLINE_DATA_DIR ?? join(process.cwd(), '.data', 'pglite') }),
    authorize: (request) => {
      const user = userFromRequest(request)
      return user ? { userId: user.userId, tenantId: user.tenantId, name: user.name, role: user.role } : null
    },
    // The sandbox phone numbers are +1 555 test numbers, valid in form but unassigned.
    calls: {
      allowUnassignedNumbers: process.env.RINGLINE_ALLOW_TEST_NUMBERS !== 'false',
      // The LiveKit room page (/livekit-room): the app's own rooms are `lk-<tenant>.<name>`; a user may place a
      // phone into any room of their own tenant (app/api/demo/livekit-token mints their tokens).
      roomAccess: (user, room) => room.startsWith(`lk-${user.tenantId}.`),
    },
    // A `support` browser room dispatches an AI agent once (Team room → "Start support room"). Without an agent
    // worker running the dispatch simply stays unclaimed and the room works as usual.
    rooms: {
      kinds: { support: { agent: { agentName: supportAgentName() } } },
    },
  })
  globalForRingline.__ringlineProvisioned = provisionDemoNumbers(ringline)
  return ringline
}

/** The example app's Ringline server (LiveKit settings from LIVEKIT_* and RINGLINE_* env variables). */
export function getRingline(): Ringline {
  globalForRingline.__ringline ??= create()
  return globalForRingline.__ringline
}

/** Resolves once the store is open and the demo company numbers are provisioned (they ring from then on). */
export async function demoReady(): Promise<void> {
  const ringline = getRingline()
  await ringline.ready()
  await globalForRingline.__ringlineProvisioned
}
