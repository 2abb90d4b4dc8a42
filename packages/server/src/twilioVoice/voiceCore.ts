// Shared internals of the Twilio Voice service: settings and secrets, the REST client, the outbound guard and call records.
import type { TwilioVoiceStatus } from '@ringline/core/protocol'
import twilio from 'twilio'
import { publishCall } from '../calls/callEvents'
import { closeCall, getCall, updateInternals } from '../calls/callRepository'
import type { StoredCall } from '../calls/callRow'
import type { CloseCall } from '../calls/lifecycle'
import { auditRefusal, checkDestination, insertOutboundCall, limitCallStarts } from '../calls/outboundGuard'
import { env } from '../config'
import type { RinglineContext } from '../context'
import { createSecretBox, type SecretBox } from '../crypto/secretBox'
import { HttpError, isHttpError } from '../http/errors'
import { createTwilioRestClient, type TwilioRestClient } from '../numbers/twilioClient'
import { normalizeTwilioError } from '../numbers/twilioErrors'
import { countryOf, parsePhone } from '../phone'
import type { Queryable } from '../sql/types'
import type { Principal } from '../types'
import { twilioVoiceFromEnv } from './envConfig'
import { twilioClientIdentity } from './identity'
import type { TwilioParams } from './signature'
import type { TwilioVoiceOptions } from './twilioVoice'
import { getTwilioVoice, type StoredTwilioVoice, saveTwilioVoice } from './voiceStore'
import { publicRouteUrl, twilioRequestUrl } from './webhookUrl'

/** Twilio's longest Access Token lifetime (24 h); longer ones fail with 20157. */
export const TWILIO_MAX_TOKEN_TTL = 86_400

/** `<Dial>` rings at most ten `<Client>` nouns at once. */
export const MAX_CLIENTS = 10

/** The room-name slot of a Twilio Voice call record (unique while open; never a LiveKit room). */
export function twilioRoomName(tenantId: string, callId: string): string {
  return `twilio-${tenantId}_${callId}`
}

export interface Secrets {
  apiKeySecret: string
  authToken: string
}

export function xml(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/xml; charset=utf-8' } })
}

export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'

export function one(params: TwilioParams, name: string): string | undefined {
  const v = params[name]
  return typeof v === 'string' ? v : v?.[0]
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(value)))
}

/**
 * What the Twilio Voice service and its webhooks share: settings, secrets, the REST client, outbound guard
 * and call-record helpers of one server. Built once per `createTwilioVoice`.
 */
/**
 * The outgoing caller id a call may use: `asked` must be the workspace's own (403 FORBIDDEN otherwise), and
 * there must be one (NOT_CONFIGURED otherwise), so a call is refused before it is recorded, not by Twilio later.
 */
export function outgoingCallerId(cfg: { callerId: string | null }, asked: string | undefined): string {
  if (asked && asked !== cfg.callerId) {
    throw new HttpError('FORBIDDEN', 'callerId is not the Twilio Voice caller id of this workspace.', {
      field: 'callerId',
    })
  }
  if (!cfg.callerId) {
    throw new HttpError(
      'NOT_CONFIGURED',
      'Twilio Voice has no caller id: set `callerId` in the Twilio Voice settings (or TWILIO_CALLER_ID).',
    )
  }
  return cfg.callerId
}

export function createVoiceCore(ctx: RinglineContext, options: TwilioVoiceOptions) {
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

  // Single-tenant fallback (`TWILIO_*`), read once; its secrets join the redactor so logs never show them.
  const fromEnv = options.voice?.envFallback === false ? null : twilioVoiceFromEnv(ctx.logger)
  if (fromEnv) {
    ctx.redactor.addSecret(fromEnv.apiKeySecret)
    if (fromEnv.authToken) ctx.redactor.addSecret(fromEnv.authToken)
  }
  const envLoadedAt = new Date().toISOString()
  /** The environment settings shaped like stored ones (no ciphertexts), for a tenant without stored settings. */
  const envConfigFor = (tenantId: string): (StoredTwilioVoice & Secrets) | null => {
    if (!fromEnv || (fromEnv.tenantId && fromEnv.tenantId !== tenantId)) return null
    return {
      tenantId,
      accountSid: fromEnv.accountSid,
      apiKeySid: fromEnv.apiKeySid,
      apiKeySecretCiphertext: '',
      authTokenCiphertext: '',
      secretKeyId: '',
      twimlAppSid: fromEnv.twimlAppSid,
      callerId: fromEnv.callerId,
      setupMethod: 'env',
      updatedAt: envLoadedAt,
      apiKeySecret: fromEnv.apiKeySecret,
      // Empty: signatures cannot be verified, so webhooks are refused (a warning said so at start-up).
      authToken: fromEnv.authToken ?? '',
    }
  }
  /** The tenant's settings without secrets: stored ones, else the environment fallback. */
  const configOf = async (tenantId: string): Promise<StoredTwilioVoice | null> =>
    (await getTwilioVoice(ctx.store, tenantId)) ?? envConfigFor(tenantId)
  /** The tenant's settings with secrets: stored ones (decrypted), else the environment fallback. */
  const loadConfig = async (tenantId: string): Promise<(StoredTwilioVoice & Secrets) | null> => {
    const stored = await getTwilioVoice(ctx.store, tenantId)
    if (stored) return { ...stored, ...secretsOf(stored) }
    return envConfigFor(tenantId)
  }

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
    const cfg = await loadConfig(tenantId)
    if (!cfg?.twimlAppSid) {
      throw new HttpError(
        'NOT_CONFIGURED',
        'Twilio Voice is not configured for this workspace: run POST /twilio/voice/auto-configure or PUT /twilio/voice, or set the TWILIO_* variables.',
      )
    }
    return cfg
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
    fallbackUrl: publicRouteUrl(base, '/webhooks/twilio/fallback', { tenant: tenantId }),
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

  return {
    publicUrl,
    tokenTtl,
    ringTimeout,
    secretBox,
    context,
    secretsOf,
    configOf,
    loadConfig,
    requireConfig,
    rest,
    requireAdmin,
    publicBase,
    webhooksFor,
    statusOf,
    store,
    twilioFailure,
    connectionFor,
    mintToken,
    guardedOutbound,
    linkCallSid,
    callBySid,
    setRinging,
    close,
    endAtTwilio,
  }
}

/** The shared part of the Twilio Voice service. */
export type VoiceCore = ReturnType<typeof createVoiceCore>
