// Server-initiated Twilio Voice calls: Twilio's REST Calls API rings the user's browser, then dials the destination.
import {
  type TwilioVoiceServerCallRequest,
  type TwilioVoiceServerCallResponse,
  twilioVoiceServerCallRequestSchema,
} from '@ringline/core/protocol'
import twilio from 'twilio'
import { publishCall } from '../calls/callEvents'
import { getCall, updateInternals } from '../calls/callRepository'
import { publicCall } from '../calls/callRow'
import { CLOSE } from '../calls/lifecycle'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { parse } from '../http/validate'
import type { Principal } from '../types'
import { twilioClientIdentity } from './identity'
import { numberDialTwiml, twilioStatusUrl } from './numberDial'
import type { TwilioParams } from './signature'
import { one, outgoingCallerId, type Secrets, type VoiceCore, xml } from './voiceCore'
import type { StoredTwilioVoice } from './voiceStore'
import { publicRouteUrl } from './webhookUrl'

/** `internals.initiatedBy` of a call the server placed through the REST API. */
const SERVER = 'server'

/**
 * Places a call from the server (`POST /twilio/voice/calls` with `initiate: 'server'`): records and guards it like a
 * browser-placed call, then asks Twilio's REST Calls API to ring the principal's browser (`client:<tenant>:<user>`).
 * When they answer, Twilio requests `/webhooks/twilio/voice?leg=bridge`, which dials `to`; every leg's status
 * callback lands on the same call record. The user's streams get `call.incoming` with `serverDial` while the browsers
 * ring, and `call.updated` with `serverDial.answered` once one answered. `request` gives the public URL when `twilio.publicUrl` is not set.
 */
export async function startServerCall(
  ctx: RinglineContext,
  core: VoiceCore,
  principal: Principal,
  input: TwilioVoiceServerCallRequest,
  request?: Request,
): Promise<TwilioVoiceServerCallResponse> {
  const body = parse(twilioVoiceServerCallRequestSchema, input)
  const cfg = await core.requireConfig(principal.tenantId)
  const callerId = outgoingCallerId(cfg, body.callerId)
  if (!request && !core.publicUrl) {
    throw new HttpError(
      'NOT_CONFIGURED',
      'Set `twilio.publicUrl` (or RINGLINE_PUBLIC_URL) so Twilio can reach the webhooks of a server-placed call.',
    )
  }
  const base = request
    ? core.publicBase(request)
    : `${core.publicUrl?.replace(/\/+$/, '')}${ctx.config.basePath}`
  const recorded = await core.guardedOutbound(principal, cfg, body.to, body.contactId ?? null)
  const call = (await updateInternals(ctx.store, recorded.id, { initiatedBy: SERVER })) ?? recorded
  publishCall(ctx, 'call.updated', call)
  let created: { sid: string; status: string }
  try {
    created = await core.rest(cfg).api.v2010.account.calls.create({
      to: `client:${twilioClientIdentity(principal.tenantId, principal.userId)}`,
      from: callerId,
      url: publicRouteUrl(base, '/webhooks/twilio/voice', {
        tenant: principal.tenantId,
        call: call.id,
        leg: 'bridge',
      }),
      method: 'POST',
      statusCallback: twilioStatusUrl(base, principal.tenantId, call.id, 'agent'),
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      statusCallbackMethod: 'POST',
      timeout: body.timeout ?? core.ringTimeout,
    })
  } catch (error) {
    await core.close(call, CLOSE.failed)
    return core.twilioFailure(error, 'placing the call')
  }
  // A status callback may have closed the call already; the sid is linked only on an open record.
  const linked = await core.linkCallSid(ctx.store, call.id, created.sid)
  // The user's other tabs and devices hear that their browsers ring for this call (the placing tab takes the ring
  // itself). Not when the bridge already linked the sid: a browser answered before this response.
  if (linked) publishCall(ctx, 'call.incoming', linked, { callSid: created.sid, answered: false })
  return {
    call: publicCall(
      linked ?? (await getCall(ctx.store, call.tenantId, call.id)) ?? call,
      ctx.config.basePath,
    ),
    twilio: { callSid: created.sid, status: created.status },
  }
}

/**
 * TwiML for the answered browser leg of a server-initiated call (`/webhooks/twilio/voice?leg=bridge&call=<id>`):
 * dials the recorded destination, or hangs up when the record is not an open server call of this Twilio call.
 */
export async function serverCallTwiml(
  ctx: RinglineContext,
  core: VoiceCore,
  cfg: StoredTwilioVoice & Secrets,
  params: TwilioParams,
  url: URL,
  base: string,
): Promise<Response> {
  const hangup = (reason: string) => {
    ctx.logger.warn('ringline: Twilio server call not bridged', { reason })
    const r = new twilio.twiml.VoiceResponse()
    r.hangup()
    return xml(r.toString())
  }
  const callId = url.searchParams.get('call') ?? ''
  const callSid = one(params, 'CallSid') ?? ''
  const call =
    callId.length > 0 && callId.length <= 128 ? await getCall(ctx.store, cfg.tenantId, callId) : null
  if (!call || call.internals.initiatedBy !== SERVER || call.direction !== 'outbound') {
    return hangup('no server-initiated call with this id')
  }
  if (call.endedAt) return hangup('call already ended')
  if (!callSid || (call.sipCallId !== null && call.sipCallId !== callSid)) {
    return hangup('CallSid differs from the call placed')
  }
  // The answer can beat the REST response: link the sid here then.
  if (call.sipCallId === null && !(await core.linkCallSid(ctx.store, call.id, callSid))) {
    return hangup('call already placed')
  }
  if (!cfg.callerId || !call.toNumber) {
    await core.close(call, CLOSE.failed)
    return hangup('no caller id or destination')
  }
  // A browser took the ring: the user's other tabs and devices stop listing it as ringing.
  publishCall(ctx, 'call.updated', call, { callSid, answered: true })
  return xml(numberDialTwiml(ctx, cfg.callerId, call, base, call.toNumber))
}
