import {
  type CallRecord,
  type CreateCallRequest,
  createCallRequestSchema,
  type DeclineCallRequest,
  declineCallRequestSchema,
  TWILIO_CALL_ID_PARAM,
  type TwilioVoiceAutoConfigureRequest,
  type TwilioVoiceCallResponse,
  type TwilioVoiceConfigRequest,
  type TwilioVoiceServerCallRequest,
  type TwilioVoiceServerCallResponse,
  type TwilioVoiceStatus,
  type TwilioVoiceTokenRequest,
  type TwilioVoiceTokenResponse,
  twilioVoiceAutoConfigureRequestSchema,
  twilioVoiceConfigRequestSchema,
  twilioVoiceTokenRequestSchema,
} from '@ringline/core/protocol'
import { publishCall } from '../calls/callEvents'
import { addDecline, afterClose, audit, claimCall, getCall } from '../calls/callRepository'
import { publicCall } from '../calls/callRow'
import { visibleCall } from '../calls/calls'
import { closeOnDecline, closeOnHangup } from '../calls/lifecycle'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { parse } from '../http/validate'
import { createTwilioRestClient, type TwilioRestClientOptions } from '../numbers/twilioClient'
import type { Principal } from '../types'
import { startServerCall } from './serverCall'
import { clamp, createVoiceCore, outgoingCallerId, TWILIO_MAX_TOKEN_TTL } from './voiceCore'
import { deleteTwilioVoice, getTwilioVoice } from './voiceStore'
import { createVoiceWebhooks } from './voiceWebhooks'

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
    /** What a caller hears when Twilio fell back to `/webhooks/twilio/fallback` (the voice URL failed). */
    fallbackMessage?: string
    /** Use the `TWILIO_*` variables for a tenant without stored settings (default true; see the README). */
    envFallback?: boolean
  }
  /** Options of the Twilio REST client (edge, region, timeout). */
  clientOptions?: TwilioRestClientOptions
}

/**
 * Twilio Voice: per-tenant settings, browser tokens, call control and the signed TwiML/status webhooks, as the
 * plain functions behind the `/twilio/voice` routes, the Twilio `POST /token` and the Twilio webhooks. Every
 * operation validates its input; settings writes are for admins, checked before the body so members learn
 * nothing from validation.
 */
export interface TwilioVoiceApi {
  /** What is configured (no secrets), with webhook URLs derived from `request` (`GET /twilio/voice`). */
  twilioVoiceStatus(principal: Principal, request: Request): Promise<TwilioVoiceStatus>
  /** Stores Twilio Voice settings entered by hand after checking them against Twilio; admins (`PUT /twilio/voice`). */
  saveTwilioVoice(
    principal: Principal,
    body: TwilioVoiceConfigRequest,
    request: Request,
  ): Promise<TwilioVoiceStatus>
  /** Forgets the tenant's Twilio Voice settings; admins (`DELETE /twilio/voice`). */
  deleteTwilioVoice(principal: Principal): Promise<{ deleted: boolean }>
  /** Creates (or reuses) the API key and TwiML app from account credentials and stores them; admins (`POST /twilio/voice/auto-configure`). */
  autoConfigureTwilioVoice(
    principal: Principal,
    body: TwilioVoiceAutoConfigureRequest,
    request: Request,
  ): Promise<TwilioVoiceStatus>
  /** A Twilio Voice access token for the principal's browser `Device` (`POST /token` `{ transport: 'twilio' }`). */
  createTwilioVoiceToken(
    principal: Principal,
    body: TwilioVoiceTokenRequest,
  ): Promise<TwilioVoiceTokenResponse>
  /** Records and guards an outbound call; the browser then places it with `Device.connect` (`POST /twilio/voice/calls`). */
  createTwilioVoiceCall(principal: Principal, body: CreateCallRequest): Promise<TwilioVoiceCallResponse>
  /**
   * Places a call from the server through Twilio's REST Calls API: rings the principal's browser, then dials `to`
   * once they answer; status callbacks update the returned record (`POST /twilio/voice/calls` with
   * `initiate: 'server'`). Without `request`, `twilio.publicUrl` must be set.
   */
  startTwilioVoiceServerCall(
    principal: Principal,
    body: TwilioVoiceServerCallRequest,
    request?: Request,
  ): Promise<TwilioVoiceServerCallResponse>
  /** Atomic claim of a ringing inbound call; the browser then accepts its Twilio invite (`POST /twilio/voice/calls/:id/answer`). */
  answerTwilioVoiceCall(principal: Principal, id: string): Promise<TwilioVoiceCallResponse>
  /** Declines (or, with `reject`, rejects) a ringing Twilio Voice call (`POST /twilio/voice/calls/:id/decline`). */
  declineTwilioVoiceCall(
    principal: Principal,
    id: string,
    body?: DeclineCallRequest,
  ): Promise<{ call: CallRecord }>
  /** Hangs up a Twilio Voice call (`POST /twilio/voice/calls/:id/hangup`). */
  hangupTwilioVoiceCall(principal: Principal, id: string): Promise<{ call: CallRecord }>
  /** Verified TwiML for browser-placed and inbound calls (`POST /webhooks/twilio/voice`). */
  handleTwilioVoiceWebhook(request: Request, rawBody: string): Promise<Response>
  /** Verified status callbacks and `<Dial action>` requests (`POST /webhooks/twilio/status`). */
  handleTwilioStatusWebhook(request: Request, rawBody: string): Promise<Response>
  /** The TwiML app's fallback URL (`POST /webhooks/twilio/fallback`): logs the failure, answers a polite message. */
  handleTwilioFallbackWebhook(request: Request, rawBody: string): Promise<Response>
}

/** What `createTwilioVoice` returns: the API, and what `revokeUser` uses to end a user's Twilio calls. */
export type TwilioVoiceService = TwilioVoiceApi & {
  /** Ends (at Twilio and in the store) the open Twilio Voice calls a user placed or answered; their ids. */
  endCallsOfUser(tenantId: string, userId: string): Promise<string[]>
}

/** Creates the Twilio Voice service over a Ringline context. */
export function createTwilioVoice(
  ctx: RinglineContext,
  options: TwilioVoiceOptions = {},
): TwilioVoiceService {
  const core = createVoiceCore(ctx, options)
  const {
    mintToken,
    tokenTtl,
    secretBox,
    secretsOf,
    requireConfig,
    requireAdmin,
    publicBase,
    webhooksFor,
    statusOf,
    configOf,
    store,
    twilioFailure,
    connectionFor,
    guardedOutbound,
    close,
    endAtTwilio,
  } = core
  const webhooks = createVoiceWebhooks(ctx, options, core)

  // ── service ──────────────────────────────────────────────────────────────

  return {
    async twilioVoiceStatus(principal, request) {
      const cfg = await configOf(principal.tenantId)
      return statusOf(cfg, publicBase(request), principal.tenantId)
    },

    async saveTwilioVoice(principal, input, request) {
      requireAdmin(principal)
      const body = parse(twilioVoiceConfigRequestSchema, input)
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

    async deleteTwilioVoice(principal) {
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

    async autoConfigureTwilioVoice(principal, input, request) {
      requireAdmin(principal)
      const body = parse(twilioVoiceAutoConfigureRequestSchema, input)
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
        voiceFallbackUrl: hooks.fallbackUrl,
        voiceFallbackMethod: 'POST',
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
      // Calls going out need a caller id the account owns: the one given or kept, else the first inbound number
      // pointed at the app, else the account's first voice number (none: status says so, calls out are refused).
      const callerId =
        body.callerId ??
        (existing?.accountSid === body.accountSid ? existing.callerId : null) ??
        body.inboundNumbers?.[0] ??
        (await firstVoiceNumber(account, ctx))
      const saved = await store(principal.tenantId, {
        accountSid: body.accountSid,
        apiKeySid: key.sid,
        apiKeySecret: key.secret,
        authToken: body.authToken,
        twimlAppSid: appSid,
        callerId,
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

    async createTwilioVoiceToken(principal, input) {
      const body = parse(twilioVoiceTokenRequestSchema, input)
      const cfg = await requireConfig(principal.tenantId)
      const ttl = clamp(body.ttl ?? tokenTtl, 60, TWILIO_MAX_TOKEN_TTL)
      return { transport: 'twilio', ...mintToken(cfg, principal, ttl) }
    },

    async createTwilioVoiceCall(principal, input) {
      const body = parse(createCallRequestSchema, input)
      const cfg = await requireConfig(principal.tenantId)
      outgoingCallerId(cfg, body.callerId)
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

    startTwilioVoiceServerCall: (principal, body, request) =>
      startServerCall(ctx, core, principal, body, request),

    async answerTwilioVoiceCall(principal, id) {
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

    async declineTwilioVoiceCall(principal, id, input = {}) {
      const body = parse(declineCallRequestSchema, input)
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
      return { call: publicCall(await afterClose(ctx.store, updated, closed)) }
    },

    async hangupTwilioVoiceCall(principal, id) {
      const call = await visibleCall(ctx, principal, id)
      if (call.endedAt) return { call: publicCall(call) }
      const how = closeOnHangup(call)
      const closed = await close(call, how)
      if (closed && call.internals.transport === 'twilio') {
        const cfg = await requireConfig(principal.tenantId)
        await endAtTwilio(cfg, closed)
      }
      return { call: publicCall(await afterClose(ctx.store, call, closed)) }
    },
    async endCallsOfUser(tenantId, userId) {
      const { rows } = await ctx.store.query<{ id: string }>(
        `SELECT id FROM ringline_calls
         WHERE tenant_id = $1 AND ended_at IS NULL AND (created_by = $2 OR answered_by = $2)
           AND metadata->'internals'->>'transport' = 'twilio'`,
        [tenantId, userId],
      )
      const ended: string[] = []
      for (const { id } of rows) {
        const call = await getCall(ctx.store, tenantId, id)
        if (!call || call.endedAt) continue
        const closed = await close(call, closeOnHangup(call))
        if (!closed) continue
        ended.push(closed.id)
        const cfg = await requireConfig(tenantId).catch(() => null)
        if (cfg) await endAtTwilio(cfg, closed)
      }
      return ended
    },
    ...webhooks,
  }
}

/**
 * The account's first voice-capable number (Twilio lists them oldest first), the default caller id of an
 * auto-configured tenant; null when it has none or Twilio cannot list them now (the setup does not fail for it).
 */
async function firstVoiceNumber(
  account: ReturnType<typeof createTwilioRestClient>['api']['v2010']['account'],
  ctx: RinglineContext,
): Promise<string | null> {
  try {
    const numbers = await account.incomingPhoneNumbers.list({ limit: 50 })
    return numbers.find((n) => n.capabilities?.voice !== false)?.phoneNumber ?? null
  } catch (error) {
    ctx.logger.warn('ringline: could not list the Twilio numbers for a default caller id', { error })
    return null
  }
}
