import { createTwilioSimulator, type TwilioSimulator } from '@ringline/server/testing'

/** The simulated Twilio account's credentials: paste them in Settings → Phone numbers. Not secrets: nothing real. */
export const DEMO_TWILIO = Object.freeze({
  accountSid: `AC${'de'.repeat(16)}`,
  apiKeySid: `SK${'de'.repeat(16)}`,
  apiKeySecret: 'ringline-demo-api-key-secret',
  /** For Settings → Voice calling (Twilio Voice auto-configuration). */
  authToken: 'ad'.repeat(16),
})

/** Numbers of the demo account (default: sandbox numbers its phone can call). `RINGLINE_TWILIO_SIMULATOR_NUMBERS` overrides. */
const DEFAULT_NUMBERS = ['+15550009001', '+15550009002', '+15550009003']

const globalForDemo = globalThis as typeof globalThis & { __ringlineTwilioDemo?: TwilioSimulator }

/**
 * With `RINGLINE_TWILIO_SIMULATOR=1`, answers Twilio's REST API in this server process with Ringline's simulator
 * (MSW; requests to any other host pass through) and logs the demo credentials. Does nothing otherwise.
 */
export function startTwilioDemo(): TwilioSimulator | undefined {
  if (process.env.RINGLINE_TWILIO_SIMULATOR !== '1') return undefined
  if (globalForDemo.__ringlineTwilioDemo) return globalForDemo.__ringlineTwilioDemo
  const numbers = (process.env.RINGLINE_TWILIO_SIMULATOR_NUMBERS ?? DEFAULT_NUMBERS.join(','))
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
  const sim = createTwilioSimulator({
    accounts: [
      {
        sid: DEMO_TWILIO.accountSid,
        authToken: DEMO_TWILIO.authToken,
        friendlyName: 'Ringline demo',
        keys: [
          { sid: DEMO_TWILIO.apiKeySid, secret: DEMO_TWILIO.apiKeySecret, friendlyName: 'Ringline demo' },
        ],
        numbers: numbers.map((phoneNumber, i) => ({ phoneNumber, friendlyName: `Demo line ${i + 1}` })),
      },
    ],
  })
  sim.listen({ onUnhandledRequest: 'bypass' })
  globalForDemo.__ringlineTwilioDemo = sim
  // The demo works out of the box: a throwaway key for stored secrets, the sandbox's SIP address for LiveKit.
  if (!process.env.RINGLINE_SECRET_KEY) {
    process.env.RINGLINE_SECRET_KEY = 'ringline-demo-only-secret-key (simulated Twilio)'
    console.warn(
      '[ringline demo] RINGLINE_SECRET_KEY is not set: using a demo-only key for the simulated Twilio.',
    )
  }
  process.env.LIVEKIT_SIP_URI ??= 'sip:127.0.0.1:5060'
  console.log(
    [
      '[ringline demo] Simulated Twilio is on (RINGLINE_TWILIO_SIMULATOR=1). Paste these in Settings → Phone numbers:',
      `  Account SID     ${DEMO_TWILIO.accountSid}`,
      `  API key SID     ${DEMO_TWILIO.apiKeySid}`,
      `  API key secret  ${DEMO_TWILIO.apiKeySecret}`,
      `  Auth Token      ${DEMO_TWILIO.authToken}   (Settings → Voice calling)`,
      `  Numbers         ${numbers.join(', ')}; calls are routed to LiveKit SIP at ${process.env.LIVEKIT_SIP_URI}`,
    ].join('\n'),
  )
  return sim
}
