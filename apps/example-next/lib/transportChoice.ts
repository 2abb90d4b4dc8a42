// Which transport the example app's calls go over, remembered per browser in a cookie (the server layout reads it,
// so the first render already uses the chosen transport).

/** The transports the example app can demo. */
export type DemoTransport = 'livekit' | 'twilio'

/** Name of the cookie holding the browser's choice. */
export const TRANSPORT_COOKIE = 'rl_demo_transport'

/** Labels of the transports, as the switch and the header show them. */
export const TRANSPORT_LABELS: Record<DemoTransport, string> = {
  livekit: 'LiveKit (WebRTC + SIP)',
  twilio: 'Twilio Voice',
}

/** The transport a cookie value names; LiveKit for anything else. */
export function parseTransport(value: string | undefined): DemoTransport {
  return value === 'twilio' ? 'twilio' : 'livekit'
}

/** Remembers the choice in this browser for a year (client side). */
export function rememberTransport(transport: DemoTransport): void {
  // biome-ignore lint/suspicious/noDocumentCookie: one fixed name and value; the Cookie Store API is not in every browser
  document.cookie = `${TRANSPORT_COOKIE}=${transport}; Path=/; Max-Age=31536000; SameSite=Lax`
}
