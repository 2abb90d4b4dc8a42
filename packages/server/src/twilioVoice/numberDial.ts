// The `<Dial><Number>` that connects a Twilio Voice call to its phone destination, shared by browser-placed and
// server-initiated calls.
import twilio from 'twilio'
import type { StoredCall } from '../calls/callRow'
import type { RinglineContext } from '../context'
import { publicRouteUrl } from './webhookUrl'

/** The status callback URL of one leg (`dial`, `number`, `client`, `agent`) of a call. */
export function twilioStatusUrl(base: string, tenantId: string, callId: string, leg: string): string {
  return publicRouteUrl(base, '/webhooks/twilio/status', { tenant: tenantId, call: callId, leg })
}

/** TwiML dialling the call's recorded number with the workspace caller id, progress reported on the call. */
export function numberDialTwiml(
  ctx: RinglineContext,
  callerId: string,
  call: Pick<StoredCall, 'id' | 'tenantId' | 'toNumber'>,
  base: string,
  to: string,
): string {
  const r = new twilio.twiml.VoiceResponse()
  const dial = r.dial({
    callerId,
    answerOnBridge: true,
    timeout: ctx.config.sip.ringingTimeout,
    timeLimit: ctx.config.sip.maxCallDuration,
    action: twilioStatusUrl(base, call.tenantId, call.id, 'dial'),
    method: 'POST',
  })
  dial.number(
    {
      statusCallback: twilioStatusUrl(base, call.tenantId, call.id, 'number'),
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      statusCallbackMethod: 'POST',
    },
    call.toNumber ?? to,
  )
  return r.toString()
}
