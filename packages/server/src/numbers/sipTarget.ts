import { TwilioOnboardingError } from './twilioErrors'

const HOST =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/

/**
 * Validate a LiveKit SIP target and put it in the form Twilio origination URLs need:
 * `sip:<host>[:port];transport=<tcp|udp|tls>` (tcp unless given). Accepts a bare host or a `sip:` URI.
 * @throws TwilioOnboardingError `INVALID_SIP_TARGET`
 */
export function normalizeSipTarget(input: string, requestId = 'local'): string {
  const fail = (why: string) =>
    new TwilioOnboardingError(
      'INVALID_SIP_TARGET',
      `Invalid SIP target "${input.slice(0, 200)}": ${why}. Expected e.g. sip:abc123.sip.livekit.cloud;transport=tcp`,
      {
        requestId,
      },
    )
  const text = input.trim()
  if (!text) throw fail('it is empty')
  if (/\s/.test(text)) throw fail('it contains whitespace')
  if (/^sips:/i.test(text))
    throw fail('Twilio origination URLs must use sip:, not sips: (use ;transport=tls for TLS)')
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[^:]+:\d+($|;)/.test(text)
  if (hasScheme && !/^sip:/i.test(text)) throw fail('the scheme must be sip:')
  const rest = hasScheme ? text.slice(4) : text
  const [hostPort = '', ...params] = rest.split(';')
  if (hostPort.includes('@')) throw fail('it must name the LiveKit SIP host only, without a user part')
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(hostPort)
  if (!m) throw fail('the host is missing or malformed')
  const host = (m[1] ?? '').toLowerCase()
  const port = m[2]
  if (!HOST.test(host) && !IPV4.test(host)) throw fail('the host is not a valid hostname or IPv4 address')
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    throw fail('the port must be between 1 and 65535')
  let transport = 'tcp'
  for (const p of params) {
    const [k = '', v = ''] = p.split('=')
    if (k.toLowerCase() !== 'transport') throw fail(`unsupported URI parameter "${k}"`)
    if (!/^(tcp|udp|tls)$/i.test(v)) throw fail('transport must be tcp, udp or tls')
    transport = v.toLowerCase()
  }
  return `sip:${host}${port ? `:${port}` : ''};transport=${transport}`
}
