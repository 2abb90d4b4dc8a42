import {
  type CallRecord,
  type CreateCallRequest,
  type DeclineCallRequest,
  TWILIO_CALL_ID_PARAM,
  type TwilioVoiceAutoConfigureRequest,
  type TwilioVoiceCallResponse,
  type TwilioVoiceConfigRequest,
  type TwilioVoiceStatus,
  type TwilioVoiceTokenRequest,
  type TwilioVoiceTokenResponse,
} from '@ringline/core/protocol'
import twilio from 'twilio'
import { publishCall } from '../calls/callEvents'
import {
  addDecline,
  audit,
  claimCall,
  closeCall,
  getCall,
  insertCall,
  markAnswered,
  updateInternals,
} from '../calls/callRepository'
import { publicCall, type StoredCall } from '../calls/callRow'
import { visibleCall } from '../calls/calls'
import {
  CLOSE,
  type CloseCall,
  closeOnDecline,
  closeOnHangup,
  closeOnTwilioDial,
  closeOnTwilioStatus,
  isTwilioAnswered,
  isTwilioFinal,
} from '../calls/lifecycle'
import { auditRefusal, checkDestination, insertOutboundCall, limitCallStarts } from '../calls/outboundGuard'
import { env } from '../config'
import type { RinglineContext } from '../context'
import { createSecretBox, type SecretBox } from '../crypto/secretBox'
import { HttpError, isHttpError } from '../http/errors'
import {
  createTwilioRestClient,
  type TwilioRestClient,
  type TwilioRestClientOptions,
} from '../numbers/twilioClient'
import { normalizeTwilioError } from '../numbers/twilioErrors'
import { countryOf, parsePhone } from '../phone'
import type { Queryable } from '../sql/types'
import type { Principal } from '../types'
import { parseTwilioClientIdentity, twilioClientIdentity } from './identity'
import {
  formParams,
  type TwilioParams,
  validateTwilioBodySignature,
  validateTwilioSignature,
} from './signature'
import { deleteTwilioVoice, getTwilioVoice, type StoredTwilioVoice, saveTwilioVoice } from './voiceStore'
import { publicRouteUrl, twilioRequestUrl } from './webhookUrl'

/** Twilio's longest Access Token lifetime (24 h); longer ones fail with 20157. */
export const TWILIO_MAX_TOKEN_TTL = 86_400
/** `<Dial>` rings at most ten `<Client>` nouns at once. */
const MAX_CLIENTS = 10

/** The `twilio` option of `createRingline` as far as Twilio Voice reads it. */
export interface TwilioVoiceOptions {
  /** Public origin Twilio reaches this app at (e.g. `https://app.example.com`); webhooks are verified against it. Default `RINGLINE_PUBLIC_URL`. */
  publicUrl?: string
  voice?: {
    /** Access token lifetime in seconds (default 3600, at most 86400). */
    tokenTtl?: number
    /** Seconds an inbound call rings the browsers (default 30). */
    ringTimeout?: number
    /** What a caller hears when no agent is online. */
    noAgentMessage?: string
  }
  /** Options of the Twilio REST client (edge, region, timeout). */
  clientOptions?: TwilioRestClientOptions
}

/** Twilio Voice: per-tenant settings, browser tokens, call control and the signed TwiML/status webhooks. */
export interface TwilioVoice {
  /** What is configured (no secrets), with the webhook URLs for this deployment. */
  status(principal: Principal, request: Request): Promise<TwilioVoiceStatus>
  /** Stores settings entered by hand after checking them against Twilio (admins). */
  saveConfig(
    principal: Principal,
    body: TwilioVoiceConfigRequest,
    request: Request,
  ): Promise<TwilioVoiceStatus>
  /** Forgets the tenant's settings (admins). */
  deleteConfig(principal: Principal): Promise<{ deleted: boolean }>
  /** Creates (or reuses) the API key and TwiML app from account credentials and stores them (admins). */
  autoConfigure(
    principal: Principal,
    body: TwilioVoiceAutoConfigureRequest,
    request: Request,
  ): Promise<TwilioVoiceStatus>
  /** A Voice access token for the principal's browser `Device`. */
  token(principal: Principal, body: TwilioVoiceTokenRequest): Promise<TwilioVoiceTokenResponse>
  /** Records and guards an outbound call; the browser then places it with `Device.connect`. */
  createCall(principal: Principal, body: CreateCallRequest): Promise<TwilioVoiceCallResponse>
  /** Atomic claim of a ringing inbound call; the browser then accepts its Twilio invite. */
  answerCall(principal: Principal, id: string): Promise<TwilioVoiceCallResponse>
  declineCall(principal: Principal, id: string, body?: DeclineCallRequest): Promise<{ call: CallRecord }>
  hangupCall(principal: Principal, id: string): Promise<{ call: CallRecord }>
  /** `POST /webhooks/twilio/voice`: verified TwiML for browser-placed and inbound calls. */
  handleVoiceWebhook(request: Request, rawBody: string): Promise<Response>
  /** `POST /webhooks/twilio/status`: verified status callbacks and `<Dial action>` requests. */
  handleStatusWebhook(request: Request, rawBody: string): Promise<Response>
}

interface Secrets {
  apiKeySecret: string
  authToken: string
}

function xml(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/xml; charset=utf-8' } })
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'

function one(params: TwilioParams, name: string): string | undefined {
  const v = params[name]
  return typeof v === 'string' ? v : v?.[0]
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)))
}

/** The room-name slot of a Twilio Voice call record (unique while open; never a LiveKit room). */
export function twilioRoomName(tenantId: string, callId: string): string {
  return `twilio-${tenantId}_${callId}`
}

/** Creates the Twilio Voice service over a Ringline context. */
export function createTwilioVoice(ctx: RinglineContext, options: TwilioVoiceOptions = {}): TwilioVoice {
  const publicUrl = options.publicUrl ?? env('RINGLINE_PUBLIC_URL')
  const tokenTtl = clamp(options.voice?.tokenTtl ?? 3600, 60, TWILIO_MAX_TOKEN_TTL)
  const ringTimeout = clamp(options.voice?.ringTimeout ?? 30, 5, 600)
  let box: SecretBox | null = null

  const secretBox = (): SecretBox => {
    if (!ctx.config.secretKey) {
      throw new HttpError(
        'NOT_CONFIGURED',
        'Set RINGLINE_SECRET_KEY (32 random bytes, e.g. `openssl rand -base64 32`) to store Twilio secrets.',
      )
    }
    box ??= createSecretBox({ current: ctx.config.secretKey })
    return box
  }
  const context = (tenantId: string, what: string) => `twilio-voice:${tenantId}:${what}`

  const secretsOf = (cfg: StoredTwilioVoice): Secrets => {
    const b = secretBox()
    const secrets = {
      apiKeySecret: b.decrypt(cfg.apiKeySecretCiphertext, context(cfg.tenantId, 'apiKeySecret')),
      authToken: b.decrypt(cfg.authTokenCiphertext, context(cfg.tenantId, 'authToken')),
    }
    ctx.redactor.addSecret(secrets.apiKeySecret)
    ctx.redactor.addSecret(secrets.authToken)
    return secrets
  }

  const requireConfig = async (tenantId: string): Promise<StoredTwilioVoice & Secrets> => {
    const cfg = await getTwilioVoice(ctx.store, tenantId)
    if (!cfg?.twimlAppSid) {
      throw new HttpError(
        'NOT_CONFIGURED',
        'Twilio Voice is not configured for this workspace: run POST /twilio/voice/auto-configure or PUT /twilio/voice.',
      )
    }
    return { ...cfg, ...secretsOf(cfg) }
  }

  const rest = (cfg: StoredTwilioVoice & Secrets): TwilioRestClient =>
    createTwilioRestClient(
      { accountSid: cfg.accountSid, apiKeySid: cfg.apiKeySid, apiKeySecret: cfg.apiKeySecret },
      options.clientOptions,
    )

  const requireAdmin = (principal: Principal) => {
    if (principal.role !== 'admin')
      throw new HttpError('FORBIDDEN', 'Only workspace admins can change Twilio Voice.')
  }

  /** The public base of the handler (origin + basePath), as Twilio must call it. */
  const publicBase = (request: Request): string => {
    if (publicUrl) return `${publicUrl.replace(/\/+$/, '')}${ctx.config.basePath}`
    const origin = new URL(twilioRequestUrl(request, { trustProxy: ctx.config.trustProxy })).origin
    return `${origin}${ctx.config.basePath}`
  }
  const webhooksFor = (base: string, tenantId: string) => ({
    voiceUrl: publicRouteUrl(base, '/webhooks/twilio/voice', { tenant: tenantId }),
    statusCallbackUrl: publicRouteUrl(base, '/webhooks/twilio/status', { tenant: tenantId }),
  })

  const statusOf = (cfg: StoredTwilioVoice | null, base: string, tenantId: string): TwilioVoiceStatus => ({
    configured: cfg !== null && cfg.twimlAppSid !== null,
    hasTwimlApp: cfg?.twimlAppSid != null,
    setupMethod: cfg?.setupMethod ?? null,
    accountSid: cfg?.accountSid ?? null,
    apiKeySid: cfg?.apiKeySid ?? null,
    twimlAppSid: cfg?.twimlAppSid ?? null,
    callerId: cfg?.callerId ?? null,
    webhooks: webhooksFor(base, tenantId),
    updatedAt: cfg?.updatedAt ?? null,
  })

  const store = async (
    tenantId: string,
    fields: {
      accountSid: string
      apiKeySid: string
      apiKeySecret: string
      authToken: string
      twimlAppSid: string
      callerId: string | null
      setupMethod: 'auto' | 'manual'
    },
  ) => {
    const b = secretBox()
    const secret = b.encrypt(fields.apiKeySecret, context(tenantId, 'apiKeySecret'))
    const token = b.encrypt(fields.authToken, context(tenantId, 'authToken'))
    return saveTwilioVoice(ctx.store, {
      tenantId,
      accountSid: fields.accountSid,
      apiKeySid: fields.apiKeySid,
      apiKeySecretCiphertext: secret.ciphertext,
      authTokenCiphertext: token.ciphertext,
      secretKeyId: secret.keyId,
      twimlAppSid: fields.twimlAppSid,
      callerId: fields.callerId,
      setupMethod: fields.setupMethod,
    })
  }

  const twilioFailure = (error: unknown, step: string): never => {
    if (isHttpError(error)) throw error
    throw normalizeTwilioError(error, { requestId: 'twilio-voice', step })
  }

  const connectionFor = async (
    cfg: StoredTwilioVoice & Secrets,
    principal: Principal,
    call: StoredCall,
    ttl = tokenTtl,
  ) => {
    const t = mintToken(cfg, principal, ttl)
    return {
      serverUrl: 'twilio:',
      token: t.token,
      roomName: call.roomName,
      identity: t.identity,
      expiresAt: t.expiresAt,
    }
  }

  const mintToken = (cfg: StoredTwilioVoice & Secrets, principal: Principal, ttl: number) => {
    const identity = twilioClientIdentity(principal.tenantId, principal.userId)
    const { AccessToken } = twilio.jwt
    const token = new AccessToken(cfg.accountSid, cfg.apiKeySid, cfg.apiKeySecret, { identity, ttl })
    token.addGrant(
      new AccessToken.VoiceGrant({
        outgoingApplicationSid: cfg.twimlAppSid ?? undefined,
        incomingAllow: true,
      }),
    )
    return {
      token: token.toJwt(),
      identity,
      ttl,
      expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
    }
  }

  // ── outbound guard (the same limits `POST /calls` applies) ───────────────

  const guardedOutbound = async (
    principal: Principal,
    cfg: StoredTwilioVoice,
    to: string,
    contactId: string | null,
  ): Promise<StoredCall> => {
    const guard = ctx.config.calls
    const callerId = cfg.callerId ?? undefined
    const defaultCountry = countryOf(cfg.callerId)
    const phone = parsePhone(to, {
      ...(defaultCountry ? { defaultCountry } : {}),
      allowUnassigned: guard.allowUnassignedNumbers === true || guard.disabled === true,
    })
    const transport = { transport: 'twilio' as const }
    await auditRefusal(
      ctx,
      principal,
      phone.number,
      () => checkDestination(phone, guard, callerId),
      transport,
    )
    limitCallStarts(ctx, principal)
    const id = crypto.randomUUID()
    return auditRefusal(
      ctx,
      principal,
      phone.number,
      () =>
        insertOutboundCall(
          ctx,
          principal,
          {
            id,
            roomName: twilioRoomName(principal.tenantId, id),
            fromNumber: cfg.callerId,
            toNumber: phone.number,
            contactId,
            internals: transport,
          },
          transport,
        ),
      transport,
    )
  }

  // ── call records ─────────────────────────────────────────────────────────

  const linkCallSid = async (q: Queryable, id: string, callSid: string): Promise<StoredCall | null> => {
    const { rowCount } = await q.query(
      `UPDATE ringline_calls SET sip_call_id = $2, updated_at = now()
       WHERE id = $1 AND sip_call_id IS NULL AND ended_at IS NULL`,
      [id, callSid],
    )
    if (rowCount === 0) return null
    return updateInternals(q, id, { twilioCallSid: callSid })
  }

  const callBySid = async (tenantId: string, callSid: string): Promise<StoredCall | null> => {
    const { rows } = await ctx.store.query<{ id: string }>(
      'SELECT id FROM ringline_calls WHERE tenant_id = $1 AND sip_call_id = $2 ORDER BY started_at DESC LIMIT 1',
      [tenantId, callSid],
    )
    return rows[0] ? getCall(ctx.store, tenantId, rows[0].id) : null
  }

  const setRinging = async (id: string): Promise<StoredCall | null> => {
    const { rows } = await ctx.store.query<{ id: string; tenant_id: string }>(
      `UPDATE ringline_calls SET status = 'ringing', updated_at = now()
       WHERE id = $1 AND status = 'initiated' AND ended_at IS NULL RETURNING id, tenant_id`,
      [id],
    )
    return rows[0] ? getCall(ctx.store, rows[0].tenant_id, rows[0].id) : null
  }

  const close = async (call: StoredCall, how: CloseCall) => {
    const closed = await closeCall(ctx.store, call.id, how)
    if (closed) publishCall(ctx, 'call.ended', closed)
    return closed
  }

  const endAtTwilio = async (cfg: StoredTwilioVoice & Secrets, call: StoredCall) => {
    const sid = call.sipCallId
    if (!sid) return
    const calls = rest(cfg).api.v2010.account.calls
    try {
      await calls(sid).update({ status: 'completed' })
    } catch (error) {
      const status = (error as { status?: number }).status
      if (status === 404) return
      // A call still queued or ringing can only be canceled.
      try {
        await calls(sid).update({ status: 'canceled' })
      } catch {
        ctx.logger.warn('ringline: could not end a Twilio call', { callId: call.id, error })
      }
    }
  }

  // ── webhooks ─────────────────────────────────────────────────────────────

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
    const cfg = tenantId ? await getTwilioVoice(ctx.store, tenantId) : null
    if (!cfg || !signature) throw signatureInvalid()
    const secrets = secretsOf(cfg)
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
    return { cfg: { ...cfg, ...secrets }, params, url }
  }

  const statusUrl = (base: string, tenantId: string, callId: string, leg: string) =>
    publicRouteUrl(base, '/webhooks/twilio/status', {
      tenant: tenantId,
      call: callId,
      leg,
    })

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
    const r = new twilio.twiml.VoiceResponse()
    const dial = r.dial({
      callerId: cfg.callerId,
      answerOnBridge: true,
      timeout: ctx.config.sip.ringingTimeout,
      timeLimit: ctx.config.sip.maxCallDuration,
      action: statusUrl(base, cfg.tenantId, call.id, 'dial'),
      method: 'POST',
    })
    dial.number(
      {
        statusCallback: statusUrl(base, cfg.tenantId, call.id, 'number'),
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        statusCallbackMethod: 'POST',
      },
      call.toNumber ?? to,
    )
    return xml(r.toString())
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
      const online = [...ctx.hub.onlineUsers(cfg.tenantId)].slice(0, MAX_CLIENTS)
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

  // ── service ──────────────────────────────────────────────────────────────

  return {
    async status(principal, request) {
      const cfg = await getTwilioVoice(ctx.store, principal.tenantId)
      return statusOf(cfg, publicBase(request), principal.tenantId)
    },

    async saveConfig(principal, body, request) {
      requireAdmin(principal)
      const client = createTwilioRestClient(
        { accountSid: body.accountSid, apiKeySid: body.apiKeySid, apiKeySecret: body.apiKeySecret },
        options.clientOptions,
      )
      try {
        await client.api.v2010.account.applications(body.twimlAppSid).fetch()
      } catch (error) {
        if ((error as { status?: number }).status === 404) {
          throw new HttpError(
            'INVALID_REQUEST',
            `twimlAppSid: no TwiML app ${body.twimlAppSid} in this account.`,
            {
              field: 'twimlAppSid',
            },
          )
        }
        twilioFailure(error, 'checking the TwiML app')
      }
      const saved = await store(principal.tenantId, {
        ...body,
        callerId: body.callerId ?? null,
        setupMethod: 'manual',
      })
      await audit(ctx.store, {
        tenantId: principal.tenantId,
        userId: principal.userId,
        action: 'twilio.voice.configure',
        target: body.accountSid,
        detail: { setupMethod: 'manual', twimlAppSid: body.twimlAppSid },
      })
      return statusOf(saved, publicBase(request), principal.tenantId)
    },

    async deleteConfig(principal) {
      requireAdmin(principal)
      const deleted = await deleteTwilioVoice(ctx.store, principal.tenantId)
      if (deleted) {
        await audit(ctx.store, {
          tenantId: principal.tenantId,
          userId: principal.userId,
          action: 'twilio.voice.delete',
        })
      }
      return { deleted }
    },

    async autoConfigure(principal, body, request) {
      requireAdmin(principal)
      secretBox()
      ctx.redactor.addSecret(body.authToken)
      const client = createTwilioRestClient(
        { accountSid: body.accountSid, apiKeySid: body.accountSid, apiKeySecret: body.authToken },
        options.clientOptions,
      )
      const account = client.api.v2010.account
      try {
        await client.api.v2010.accounts(body.accountSid).fetch()
      } catch (error) {
        twilioFailure(error, 'checking the account credentials')
      }
      const existing = await getTwilioVoice(ctx.store, principal.tenantId)
      let key: { sid: string; secret: string }
      if (existing && existing.accountSid === body.accountSid) {
        key = { sid: existing.apiKeySid, secret: secretsOf(existing).apiKeySecret }
      } else {
        try {
          const created = await account.newKeys.create({
            friendlyName: `Ringline voice ${principal.tenantId}`,
          })
          key = { sid: created.sid, secret: created.secret }
          ctx.redactor.addSecret(key.secret)
        } catch (error) {
          return twilioFailure(error, 'creating the API key')
        }
      }
      const base = publicBase(request)
      const hooks = webhooksFor(base, principal.tenantId)
      const friendlyName = `Ringline ${principal.tenantId}`
      const app = {
        friendlyName,
        voiceUrl: hooks.voiceUrl,
        voiceMethod: 'POST',
        statusCallback: hooks.statusCallbackUrl,
        statusCallbackMethod: 'POST',
      }
      let appSid: string
      try {
        const found = existing?.twimlAppSid
          ? await account
              .applications(existing.twimlAppSid)
              .fetch()
              .catch(() => null)
          : ((await account.applications.list({ friendlyName, limit: 1 }))[0] ?? null)
        appSid = found
          ? (await account.applications(found.sid).update(app)).sid
          : (await account.applications.create(app)).sid
      } catch (error) {
        return twilioFailure(error, 'creating the TwiML app')
      }
      for (const e164 of body.inboundNumbers ?? []) {
        try {
          const [number] = await account.incomingPhoneNumbers.list({ phoneNumber: e164, limit: 1 })
          if (!number) {
            throw new HttpError('NUMBER_NOT_FOUND', `${e164} is not a number of this Twilio account.`, {
              field: 'inboundNumbers',
            })
          }
          await account.incomingPhoneNumbers(number.sid).update({ voiceApplicationSid: appSid })
        } catch (error) {
          twilioFailure(error, `pointing ${e164} at the TwiML app`)
        }
      }
      const saved = await store(principal.tenantId, {
        accountSid: body.accountSid,
        apiKeySid: key.sid,
        apiKeySecret: key.secret,
        authToken: body.authToken,
        twimlAppSid: appSid,
        callerId: body.callerId ?? existing?.callerId ?? null,
        setupMethod: 'auto',
      })
      await audit(ctx.store, {
        tenantId: principal.tenantId,
        userId: principal.userId,
        action: 'twilio.voice.configure',
        target: body.accountSid,
        detail: { setupMethod: 'auto', twimlAppSid: appSid, apiKeySid: key.sid },
      })
      return statusOf(saved, base, principal.tenantId)
    },

    async token(principal, body) {
      const cfg = await requireConfig(principal.tenantId)
      const ttl = clamp(body.ttl ?? tokenTtl, 60, TWILIO_MAX_TOKEN_TTL)
      return { transport: 'twilio', ...mintToken(cfg, principal, ttl) }
    },

    async createCall(principal, body) {
      const cfg = await requireConfig(principal.tenantId)
      if (body.callerId && body.callerId !== cfg.callerId) {
        throw new HttpError('FORBIDDEN', 'callerId is not the Twilio Voice caller id of this workspace.', {
          field: 'callerId',
        })
      }
      const call = await guardedOutbound(principal, cfg, body.to, body.contactId ?? null)
      publishCall(ctx, 'call.updated', call)
      return {
        call: publicCall(call),
        connection: await connectionFor(cfg, principal, call),
        twilio: {
          action: 'dial',
          callId: call.id,
          params: { To: call.toNumber ?? body.to, [TWILIO_CALL_ID_PARAM]: call.id },
        },
      }
    },

    async answerCall(principal, id) {
      const cfg = await requireConfig(principal.tenantId)
      const call = id.length <= 128 ? await getCall(ctx.store, principal.tenantId, id) : null
      const rings = call?.internals.ringUsers
      if (
        call?.direction !== 'inbound' ||
        call.internals.transport !== 'twilio' ||
        (rings && !rings.includes(principal.userId) && principal.role !== 'admin')
      ) {
        throw new HttpError('CALL_NOT_FOUND', 'No such call.')
      }
      let claimed = await claimCall(ctx.store, principal.tenantId, call.id, principal.userId)
      if (!claimed) {
        const current = await getCall(ctx.store, principal.tenantId, call.id)
        if (current?.answeredBy && current.answeredBy !== principal.userId) {
          throw new HttpError('CALL_ALREADY_ANSWERED', 'Someone else answered this call.', {
            details: { answeredBy: current.answeredBy },
          })
        }
        if (!current || current.answeredBy !== principal.userId || current.endedAt) {
          throw new HttpError('CALL_NOT_ACTIVE', 'This call is no longer ringing.')
        }
        claimed = current
      } else publishCall(ctx, 'call.updated', claimed)
      return {
        call: publicCall(claimed),
        connection: await connectionFor(cfg, principal, claimed),
        twilio: { action: 'accept', callId: claimed.id, params: {} },
      }
    },

    async declineCall(principal, id, body = {}) {
      const call = id.length <= 128 ? await getCall(ctx.store, principal.tenantId, id) : null
      const rings = call?.internals.ringUsers
      if (
        call?.direction !== 'inbound' ||
        (rings && !rings.includes(principal.userId) && principal.role !== 'admin')
      ) {
        throw new HttpError('CALL_NOT_FOUND', 'No such call.')
      }
      if (call.status !== 'ringing') throw new HttpError('CALL_NOT_ACTIVE', 'This call is not ringing.')
      const updated = (await addDecline(ctx.store, call.id, principal.userId)) ?? call
      const declined = new Set(updated.internals.declinedBy ?? [])
      const everyone = (call.internals.ringUsers ?? []).every((u) => declined.has(u))
      if (!body.reject && !everyone) return { call: publicCall(updated) }
      const closed = await close(call, closeOnDecline(body.reject))
      if (closed) {
        const cfg = await requireConfig(principal.tenantId)
        await endAtTwilio(cfg, closed)
      }
      return { call: publicCall(closed ?? updated) }
    },

    async hangupCall(principal, id) {
      const call = await visibleCall(ctx, principal, id)
      if (call.endedAt) return { call: publicCall(call) }
      const how = closeOnHangup(call)
      const closed = await close(call, how)
      if (closed && call.internals.transport === 'twilio') {
        const cfg = await requireConfig(principal.tenantId)
        await endAtTwilio(cfg, closed)
      }
      return { call: publicCall(closed ?? call) }
    },

    async handleVoiceWebhook(request, rawBody) {
      const { cfg, params } = await verified(request, rawBody)
      const from = one(params, 'From') ?? ''
      const base = publicBase(request)
      return from.startsWith('client:') ? outboundTwiml(cfg, params, base) : inboundTwiml(cfg, params, base)
    },

    async handleStatusWebhook(request, rawBody) {
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
