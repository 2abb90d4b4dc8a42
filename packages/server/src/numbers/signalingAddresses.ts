/**
 * Twilio's SIP signalling ranges (all edges), which Twilio says must all be allowed: the default `allowedAddresses`
 * of the LiveKit inbound trunks Ringline creates for numbers connected through Twilio, so INVITEs from anywhere else
 * never ring anyone. Twilio adds ranges over time: pass `twilio.inboundAllowedAddresses` (or
 * `sip.inboundAllowedAddresses` / `RINGLINE_SIP_ALLOWED_ADDRESSES`) to use the current list from
 * https://www.twilio.com/docs/sip-trunking/ip-addresses.
 */
export const TWILIO_SIGNALING_ADDRESSES: readonly string[] = Object.freeze([
  '54.172.60.0/30', // us1 Virginia
  '54.172.60.4/30', // us1 Virginia
  '34.203.250.0/30', // us1 Virginia
  '54.244.51.0/30', // us2 Oregon
  '54.171.127.192/30', // ie1 Dublin
  '54.246.7.128/30', // ie1 Dublin
  '35.156.191.128/30', // de1 Frankfurt
  '54.65.63.192/30', // jp1 Tokyo
  '3.112.80.0/30', // jp1 Tokyo
  '54.169.127.128/30', // sg1 Singapore
  '54.252.254.64/30', // au1 Sydney
  '177.71.206.192/30', // br1 São Paulo
])
