// Twilio Voice webhooks: verified TwiML for browser-placed and inbound calls, and status callbacks.
import { TWILIO_CALL_ID_PARAM } from '@ringline/core/protocol'
import twilio from 'twilio'
import { publishCall } from '../calls/callEvents'
import { claimCall, getCall, insertCall, markAnswered } from '../calls/callRepository'
import type { StoredCall } from '../calls/callRow'
import {
  CLOSE,
  closeOnTwilioDial,
  closeOnTwilioStatus,
  isTwilioAnswered,
  isTwilioFinal,
} from '../calls/lifecycle'
import { checkDestination } from '../calls/outboundGuard'
import type { RinglineContext } from '../context'
import { HttpError, isHttpError } from '../http/errors'
import { countryOf, parsePhone } from '../phone'
import type { Principal } from '../types'
import { parseTwilioClientIdentity, twilioClientIdentity } from './identity'
import { numberDialTwiml, twilioStatusUrl } from './numberDial'
import { serverCallTwiml } from './serverCall'
import {
  formParams,
  type TwilioParams,
  validateTwilioBodySignature,
  validateTwilioSignature,
} from './signature'
import type { TwilioVoiceApi, TwilioVoiceOptions } from './twilioVoice'
import { EMPTY_TWIML, MAX_CLIENTS, one, type Secrets, twilioRoomName, type VoiceCore, xml } from './voiceCore'
import type { StoredTwilioVoice } from './voiceStore'
import { twilioRequestUrl } from './webhookUrl'

/** The two Twilio Voice webhook handlers over the shared core. */
export function createVoiceWebhooks(
  ctx: RinglineContext,
  options: TwilioVoiceOptions,
  core: VoiceCore,
): Pick<
  TwilioVoiceApi,
  'handleTwilioVoiceWebhook' | 'handleTwilioStatusWebhook' | 'handleTwilioFallbackWebhook'
> {
  const {
    publicUrl,
    ringTimeout,
    loadConfig,
    publicBase,
    guardedOutbound,
    linkCallSid,
    callBySid,
    setRinging,
    close,
  } = core

  const signatureInvalid = () =>
    new HttpError('WEBHOOK_SIGNATURE_INVALID', 'The X-Twilio-Signature header does not match this request.', {
      status: 403,
    })

  /** Loads the tenant named in the (signed) URL and verifies the request; throws 403 before any write. */
  const verified = async (
    request: Request,
    rawBody: string,
  ): Promise<{ cfg: StoredTwilioVoice & Secrets; params: TwilioParams; url: URL }> => {
    const fullUrl = twilioRequestUrl(request, { publicUrl, trustProxy: ctx.config.trustProxy })
    const url = new URL(fullUrl)
    const tenantId = url.searchParams.get('tenant')
    const signature = request.headers.get('x-twilio-signature')
    const cfg = tenantId && tenantId.length <= 64 ? await loadConfig(tenantId) : null
    // Environment settings without TWILIO_AUTH_TOKEN have no key to verify with: refused like a bad signature.
    if (!cfg || !signature || !cfg.authToken) throw signatureInvalid()
    const secrets = cfg
    const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
    let params: TwilioParams
    if (
      type === 'application/x-www-form-urlencoded' ||
      (type === '' && !url.searchParams.has('bodySHA256'))
    ) {
      params = formParams(rawBody)
      if (!validateTwilioSignature(secrets.authToken, signature, fullUrl, params)) throw signatureInvalid()
    } else {
      if (!validateTwilioBodySignature(secrets.authToken, signature, fullUrl, rawBody))
        throw signatureInvalid()
      try {
        const body = JSON.parse(rawBody) as Record<string, unknown>
        params = Object.fromEntries(
          Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'),
        )
      } catch {
        throw new HttpError('INVALID_REQUEST', 'The webhook body is not valid JSON.')
      }
    }
    const account = one(params, 'AccountSid')
    if (account && account !== cfg.accountSid) throw signatureInvalid()
    return { cfg, params, url }
  }

  const statusUrl = twilioStatusUrl

  const reject = (reason: string) => {
    ctx.logger.warn('ringline: Twilio call refused', { reason })
    const r = new twilio.twiml.VoiceResponse()
    r.reject()
    return xml(r.toString())
  }

  const outboundTwiml = async (
    cfg: StoredTwilioVoice & Secrets,
    params: TwilioParams,
    base: string,
  ): Promise<Response> => {
    const from = one(params, 'From') ?? ''
    const callSid = one(params, 'CallSid')
    const who = parseTwilioClientIdentity(from)
    if (!who || who.tenantId !== cfg.tenantId || !callSid) return reject('unknown client identity')
    const principal: Principal = { tenantId: who.tenantId, userId: who.userId }
    const to = one(params, 'To') ?? ''
    const callId = one(params, TWILIO_CALL_ID_PARAM)
    let call: StoredCall | null = null
    try {
      if (callId) {
        call = await getCall(ctx.store, cfg.tenantId, callId)
        if (call?.direction !== 'outbound' || call.createdBy !== who.userId || call.endedAt) {
          return reject('call id does not match the caller')
        }
      } else {
        // A Device placed the call without `POST /twilio/voice/calls`: record and guard it here.
        call = await guardedOutbound(principal, cfg, to, null)
        publishCall(ctx, 'call.updated', call)
      }
      // The browser chose `To`: guard it again and require it to be the number the call was recorded for.
      const phone = parsePhone(to, {
        ...(countryOf(cfg.callerId) ? { defaultCountry: countryOf(cfg.callerId) } : {}),
        allowUnassigned:
          ctx.config.calls.allowUnassignedNumbers === true || ctx.config.calls.disabled === true,
      })
      checkDestination(phone, ctx.config.calls, cfg.callerId ?? undefined)
      if (phone.number !== call.toNumber) return reject('To differs from the recorded number')
    } catch (error) {
      if (isHttpError(error)) {
        if (call?.id) await close(call, CLOSE.failed)
        return reject(error.code)
      }
      throw error
    }
    const linked = await linkCallSid(ctx.store, call.id, callSid)
    if (!linked) return reject('call already placed')
    if (!cfg.callerId) {
      await close(linked, CLOSE.failed)
      return reject('no caller id configured')
    }
    return xml(numberDialTwiml(ctx, cfg.callerId, call, base, to))
  }

  const inboundTwiml = async (
    cfg: StoredTwilioVoice & Secrets,
    params: TwilioParams,
    base: string,
  ): Promise<Response> => {
    const callSid = one(params, 'CallSid')
    if (!callSid) return reject('no CallSid')
    let call = await callBySid(cfg.tenantId, callSid)
    if (!call) {
      const online = [...(await ctx.hub.onlineUsersEverywhere(cfg.tenantId))].slice(0, MAX_CLIENTS)
      const id = crypto.randomUUID()
      call = await insertCall(ctx.store, {
        id,
        tenantId: cfg.tenantId,
        direction: 'inbound',
        status: 'ringing',
        roomName: twilioRoomName(cfg.tenantId, id),
        fromNumber: one(params, 'From') ?? null,
        toNumber: one(params, 'To') ?? null,
        sipCallId: callSid,
        internals: {
          transport: 'twilio',
          twilioCallSid: callSid,
          number: one(params, 'To'),
          ringUsers: online,
        },
      })
      if (!call) throw new Error('call room name collision')
      if (online.length === 0) {
        await close(call, CLOSE.missed)
        const r = new twilio.twiml.VoiceResponse()
        r.say(options.voice?.noAgentMessage ?? 'Sorry, no one is available to take your call.')
        r.hangup()
        return xml(r.toString())
      }
      publishCall(ctx, 'call.incoming', call)
    }
    if (call.endedAt) {
      const r = new twilio.twiml.VoiceResponse()
      r.hangup()
      return xml(r.toString())
    }
    const r = new twilio.twiml.VoiceResponse()
    const dial = r.dial({
      answerOnBridge: true,
      timeout: ringTimeout,
      action: statusUrl(base, cfg.tenantId, call.id, 'dial'),
      method: 'POST',
    })
    for (const userId of call.internals.ringUsers ?? []) {
      const client = dial.client({
        statusCallback: statusUrl(base, cfg.tenantId, call.id, 'client'),
        statusCallbackEvent: ['ringing', 'answered', 'completed'],
        statusCallbackMethod: 'POST',
      })
      client.identity(twilioClientIdentity(cfg.tenantId, userId))
      client.parameter({ name: TWILIO_CALL_ID_PARAM, value: call.id })
    }
    return xml(r.toString())
  }

  const applyStatus = async (cfg: StoredTwilioVoice, params: TwilioParams, url: URL): Promise<void> => {
    const leg = url.searchParams.get('leg')
    const callId = url.searchParams.get('call')
    const callSid = one(params, 'CallSid') ?? ''
    let call = callId
      ? await getCall(ctx.store, cfg.tenantId, callId)
      : await callBySid(cfg.tenantId, callSid)
    if (!call || call.endedAt) return
    if (leg === 'dial') {
      const dialStatus = one(params, 'DialCallStatus') ?? one(params, 'CallStatus') ?? ''
      const how = closeOnTwilioDial(call, dialStatus)
      if (how) await close(call, how)
      return
    }
    const status = one(params, 'CallStatus') ?? ''
    if (leg === 'number') {
      if (status === 'ringing') {
        const ringing = await setRinging(call.id)
        if (ringing) publishCall(ctx, 'call.updated', ringing)
      } else if (isTwilioAnswered(status)) {
        const answered = await markAnswered(ctx.store, call.id, {})
        if (answered) publishCall(ctx, 'call.updated', answered)
      } else if (isTwilioFinal(status)) {
        call = (await getCall(ctx.store, cfg.tenantId, call.id)) ?? call
        const how = closeOnTwilioStatus(call, status)
        if (how) await close(call, how)
      }
      return
    }
    if (leg === 'client') {
      if (!isTwilioAnswered(status)) return
      const who = parseTwilioClientIdentity(one(params, 'To') ?? '')
      if (!who || who.tenantId !== cfg.tenantId) return
      const claimed = await claimCall(ctx.store, cfg.tenantId, call.id, who.userId)
      if (claimed) publishCall(ctx, 'call.updated', claimed)
      else if (call.answeredBy && call.answeredBy !== who.userId) {
        ctx.logger.warn('ringline: Twilio bridged a different browser than the one that answered', {
          callId: call.id,
        })
      }
      return
    }
    // The parent call (browser leg of an outbound call, phone leg of an inbound one).
    if (isTwilioFinal(status)) {
      const how = closeOnTwilioStatus(call, status)
      if (how) await close(call, how)
    }
  }

  return {
    async handleTwilioVoiceWebhook(request, rawBody) {
      const { cfg, params, url } = await verified(request, rawBody)
      const from = one(params, 'From') ?? ''
      const base = publicBase(request)
      // A server-initiated call (`initiate: 'server'`): the browser it rang answered; now dial the destination.
      if (url.searchParams.get('leg') === 'bridge') return serverCallTwiml(ctx, core, cfg, params, url, base)
      return from.startsWith('client:') ? outboundTwiml(cfg, params, base) : inboundTwiml(cfg, params, base)
    },

    async handleTwilioFallbackWebhook(request, rawBody) {
      const polite = () => {
        const r = new twilio.twiml.VoiceResponse()
        r.say(
          options.voice?.fallbackMessage ??
            'We are sorry, we cannot connect your call right now because of a technical problem. Please try again later.',
        )
        r.hangup()
        return xml(r.toString())
      }
      let checked: Awaited<ReturnType<typeof verified>>
      try {
        checked = await verified(request, rawBody)
      } catch (error) {
        // A forged request is refused; when our own store is what failed, the caller still hears the message.
        if (isHttpError(error)) throw error
        ctx.logger.error('ringline: Twilio fallback webhook could not be verified; answered politely', {
          error,
        })
        return polite()
      }
      const { cfg, params } = checked
      const callSid = one(params, 'CallSid') ?? null
      ctx.logger.warn('ringline: Twilio used the fallback URL: the voice webhook failed', {
        tenantId: cfg.tenantId,
        callSid,
        errorCode: one(params, 'ErrorCode') ?? null,
        errorUrl: one(params, 'ErrorUrl') ?? null,
        from: one(params, 'From') ?? null,
        to: one(params, 'To') ?? null,
      })
      // A record the failed voice webhook may have opened is closed as failed, so history shows the call.
      const call = callSid ? await callBySid(cfg.tenantId, callSid).catch(() => null) : null
      if (call && !call.endedAt) await close(call, CLOSE.failed).catch(() => null)
      return polite()
    },

    async handleTwilioStatusWebhook(request, rawBody) {
      const { cfg, params, url } = await verified(request, rawBody)
      await applyStatus(cfg, params, url)
      if (url.searchParams.get('leg') === 'dial') {
        const r = new twilio.twiml.VoiceResponse()
        r.hangup()
        return xml(r.toString())
      }
      return xml(EMPTY_TWIML)
    },
  }
}
