import type {
  CallDetail,
  CallRecord,
  CallTranscriptResponse,
  CallWithConnection,
  CreateCallRequest,
  DeclineCallRequest,
  DispatchAgentRequest,
  DispatchAgentResponse,
  JoinRoomRequest,
  JoinRoomResponse,
  ListCallsQuery,
  ListCallsResponse,
  RecordingPlayback,
  RecordingResponse,
  ReportMuteRequest,
  ReportMuteResponse,
  RinglineEvent,
  RoomAgentRequest,
  RoomInfo,
  RoomTokenResponse,
  TransferCallRequest,
} from '@ringline/core/protocol'
import { inviteAgent } from './agents/agentOperations'
import { agentRoutes } from './agents/routes'
import { releaseAnswer, stopAnswerWatches } from './calls/answerRelease'
import { followCallEnds } from './calls/callMedia'
import {
  createCall,
  getCallDetail,
  getCallDetailByRoom,
  hangupCall,
  listCalls,
  transferCall,
} from './calls/calls'
import { answerCall, declineCall, type ProvisionNumberInput, provisionNumber } from './calls/inbound'
import { reportMute } from './calls/mute'
import { type ReconcileResult, reconcile } from './calls/reconcile'
import { callRoutes } from './calls/routes'
import { processEnv, resolveConfig } from './config'
import type { RinglineContext } from './context'
import { EventHub } from './events/eventHub'
import { eventRoutes } from './events/routes'
import { type HealthReport, health } from './health/health'
import { healthRoutes } from './health/routes'
import { RateLimiter } from './http/rateLimiter'
import { createRouter, type Route } from './http/router'
import { livekitAccessor } from './livekit'
import { createMedia } from './mediaServices'
import type { NumberConnectionRow } from './numbers/numberRepository'
import { createNumbersApi, type NumbersApi, type TwilioServerOptions } from './numbers/numbersApi'
import { twilioRoutes } from './numbers/routes'
import { recordingPlayback, startRecording, stopRecording } from './recording/recordingOperations'
import { recordingRoutes } from './recording/routes'
import { consoleLogger, Redactor, redactingLogger } from './redact'
import { retryingOnce } from './retryingOnce'
import {
  assertNotRevoked,
  type RevokeUserOptions,
  type RevokeUserResult,
  restoreUser,
  revokeUser,
} from './revocation/revocation'
import { JoinSignals } from './rooms/joinSignals'
import { endRoom, inviteAgentToRoom, joinRoom, leaveRoom, listRooms, roomToken } from './rooms/rooms'
import { roomRoutes } from './rooms/routes'
import { pgliteStore } from './sql/pgliteStore'
import type { RinglineStore } from './sql/types'
import { mintRoomToken, userIdentity } from './tokens'
import { transcriptRoutes } from './transcripts/routes'
import { getTranscript } from './transcripts/transcriptOperations'
import { twilioVoiceRoutes, withTwilioVoiceToken } from './twilioVoice/routes'
import { createTwilioVoice, type TwilioVoiceApi, type TwilioVoiceOptions } from './twilioVoice/twilioVoice'
import { twilioWebhookRoutes } from './twilioVoice/webhookRoutes'
import type { Principal, RinglineConfig } from './types'
import { handleLivekitWebhook, type WebhookOutcome } from './webhooks/livekitWebhook'
import { livekitWebhookRoutes } from './webhooks/routes'
import { type WebhookHealthReport, webhookHealth } from './webhooks/webhookHealth'

/**
 * The same operations as the HTTP routes, as plain functions taking a principal instead of a request: every
 * route of the table has one (the Twilio number and Twilio Voice ones come from `NumbersApi` and `TwilioVoiceApi`).
 */
export interface RinglineApi extends NumbersApi, TwilioVoiceApi {
  /**
   * A one-room token for an internal room (same as joining it), with the room's call id and, for a room kind with
   * an agent, whether the agent is in the room (`agentSpawned`).
   */
  createToken(
    principal: Principal,
    body: { room: string; displayName?: string; kind?: string },
  ): Promise<RoomTokenResponse>
  /** Joins (creating if needed) an internal room: `{ room, connection, canEnd }` (`POST /rooms/:name/join`). */
  joinRoom(principal: Principal, name: string, body?: JoinRoomRequest): Promise<JoinRoomResponse>
  /** The tenant's open internal rooms (`GET /rooms`). */
  listRooms(principal: Principal): Promise<{ rooms: RoomInfo[] }>
  /** Leaves an internal room (`POST /rooms/:name/leave`). */
  leaveRoom(principal: Principal, name: string): Promise<{ room: RoomInfo }>
  /** Ends an internal room for everyone; its creator or an admin (`POST /rooms/:name/end`). */
  endRoom(principal: Principal, name: string): Promise<{ call: CallRecord }>
  /** Invites an agent into an open room, once per agent name; options become its job metadata (`POST /rooms/:name/agent`). */
  inviteRoomAgent(principal: Principal, name: string, body: RoomAgentRequest): Promise<DispatchAgentResponse>
  /** Starts an outbound phone call; the dial result arrives as events (`POST /calls`). */
  createCall(principal: Principal, body: CreateCallRequest): Promise<CallWithConnection>
  /** Call history with filters, cursor and optional stats (`GET /calls`). */
  listCalls(principal: Principal, query?: ListCallsQuery): Promise<ListCallsResponse>
  /** One call with participants, timeline, recording, agents and transcript (`GET /calls/:id`). */
  getCall(principal: Principal, id: string): Promise<CallDetail>
  /** The same for the tenant's call of a LiveKit room: the open one, else the latest (`GET /calls/by-room/:roomName`). */
  getCallByRoom(principal: Principal, roomName: string): Promise<CallDetail>
  /** The tenant's last LiveKit webhook event, for admins (`GET /webhooks/health`). */
  webhookHealth(principal: Principal): Promise<WebhookHealthReport>
  /**
   * Revokes a user (call it on sign-out or tenant switch): from then on every authenticated route and the token
   * functions refuse them with 403 `ACCESS_REVOKED`, their `/events` streams are closed and their LiveKit
   * participants removed. Lasts until `restoreUser`.
   */
  revokeUser(tenantId: string, userId: string, options?: RevokeUserOptions): Promise<RevokeUserResult>
  /** Lets a revoked user in again (e.g. on their next sign-in); true when they were revoked. */
  restoreUser(tenantId: string, userId: string): Promise<boolean>
  /** Atomic claim of a ringing inbound call (`POST /calls/:id/answer`). */
  answerCall(principal: Principal, id: string): Promise<CallWithConnection>
  /** Declines (or, with `reject`, rejects) a ringing inbound call (`POST /calls/:id/decline`). */
  declineCall(principal: Principal, id: string, body?: DeclineCallRequest): Promise<{ call: CallRecord }>
  /** Releases the principal's answer whose media did not connect: the call rings again (`POST /calls/:id/release`). */
  releaseAnswer(principal: Principal, id: string): Promise<{ call: CallRecord }>
  /** Hangs up a call (`POST /calls/:id/hangup`). */
  hangupCall(principal: Principal, id: string): Promise<{ call: CallRecord }>
  /** Records the principal's microphone mute state in a call it is in (`POST /calls/:id/mute`). */
  reportMute(principal: Principal, id: string, body: ReportMuteRequest): Promise<ReportMuteResponse>
  /** Transfers a connected phone call to another number (`POST /calls/:id/transfer`). */
  transferCall(principal: Principal, id: string, body: TransferCallRequest): Promise<{ call: CallRecord }>
  /** Starts recording a connected call; idempotent while one runs. */
  startRecording(principal: Principal, id: string): Promise<RecordingResponse>
  /** Stops the call's running recording. */
  stopRecording(principal: Principal, id: string): Promise<RecordingResponse>
  /** A signed, expiring link to the call's finished recording. */
  recordingPlayback(principal: Principal, id: string): Promise<RecordingPlayback>
  /** Dispatches a LiveKit agent to the call, once per call and agent name. */
  dispatchAgent(principal: Principal, id: string, body: DispatchAgentRequest): Promise<DispatchAgentResponse>
  /** The call's stored transcript. */
  getTranscript(principal: Principal, id: string): Promise<CallTranscriptResponse>
  /** Verifies and applies a LiveKit webhook (raw body + Authorization header). */
  handleLivekitWebhook(
    rawBody: string,
    authorization: string | null,
  ): Promise<{ outcome: WebhookOutcome; event: string }>
  /** Connects a number to a tenant: LiveKit inbound trunk + dispatch rule, recorded; idempotent. */
  provisionNumber(input: ProvisionNumberInput): Promise<NumberConnectionRow>
  /** Closes call records whose LiveKit room is gone; releases inbound answers that never connected. */
  reconcile(options?: { graceSeconds?: number }): Promise<ReconcileResult>
  /** Configuration presence and LiveKit / store reachability, never secrets (`GET /health`). */
  health(): Promise<HealthReport>
  /** Listens to a tenant's events as a user would on `/events`; returns the unsubscribe function. */
  subscribe(principal: Principal, listener: (event: RinglineEvent) => void): () => void
}

/** What `createRingline` returns. */
export interface Ringline {
  /** The Fetch-standard handler for every route under `basePath`. */
  handler(request: Request): Promise<Response>
  api: RinglineApi
  /** The route table behind `handler` (method, path, auth), in matching order; for tests and documentation. */
  routes: readonly Route[]
  store: RinglineStore
  /**
   * Opens the store and runs its pending migrations; resolves when the first request will not wait for them.
   * `createRingline` starts this for the default embedded store; await it at start-up to fail fast on a bad database.
   */
  ready(): Promise<void>
  /** Resolves when background work (dial outcomes, clean-ups) started so far has finished. */
  settled(): Promise<void>
  /** Stops timers and listeners and closes the store. */
  close(): Promise<void>
}

/**
 * Creates the Ringline server: routes for tokens, calls, events and webhooks over LiveKit, with storage.
 * @example
 * const ringline = createRingline({ authorize: async (req) => getSessionUser(req) })
 * export const { GET, POST, PUT, DELETE } = toNextHandlers(ringline)
 */
export function createRingline(options: RinglineConfig): Ringline {
  if (typeof options?.authorize !== 'function') {
    throw new TypeError('createRingline: pass `authorize: async (request) => ({ userId, tenantId }) | null`.')
  }
  const config = resolveConfig(options)
  const redactor = new Redactor([config.livekit.apiSecret, config.secretKey])
  const logger = redactingLogger(options.logger ?? consoleLogger, redactor)
  const dataDir = processEnv().RINGLINE_DATA_DIR
  const store = options.store ?? pgliteStore(dataDir ? { dataDir } : {})
  const hub = new EventHub({ bufferSize: config.eventBufferSize, store, logger })
  const livekit = livekitAccessor(config)
  const pending = new Set<Promise<unknown>>()
  const media = createMedia({
    config,
    store,
    logger,
    redactor,
    livekit,
    ...(options.recording ? { recording: options.recording } : {}),
    ...(options.agents ? { agents: options.agents } : {}),
    ...(options.transcripts ? { transcripts: options.transcripts } : {}),
  })

  const timers = new Set<ReturnType<typeof setTimeout>>()
  const ctx: RinglineContext = {
    config,
    store,
    hub,
    joins: new JoinSignals(),
    logger,
    redactor,
    authorize: options.authorize,
    livekit,
    rateLimiter: new RateLimiter(),
    media,
    connect(principal, roomName) {
      const lk = livekit()
      return mintRoomToken({
        apiKey: lk.apiKey,
        apiSecret: lk.apiSecret,
        serverUrl: lk.url,
        roomName,
        identity: userIdentity(principal.tenantId, principal.userId),
        ttl: config.tokenTtl,
        ...(principal.name ? { name: principal.name } : {}),
      })
    },
    background(name, task) {
      const run = Promise.resolve()
        .then(task)
        .catch((error: unknown) => logger.error(`ringline: background ${name} failed`, { error }))
        .finally(() => pending.delete(run))
      pending.add(run)
    },
    later(name, delayMs, task) {
      const t = setTimeout(() => {
        timers.delete(t)
        ctx.background(name, task)
      }, delayMs)
      ;(t as { unref?: () => void }).unref?.()
      timers.add(t)
    },
  }

  // Services are built once here and handed to the route tables and to `api`.
  const { endCallsOfUser: endTwilioCallsOf, ...voice } = createTwilioVoice(
    ctx,
    options.twilio as TwilioVoiceOptions | undefined,
  )
  const numbers = createNumbersApi(ctx, options.twilio as TwilioServerOptions | undefined)
  // Follow-up work of ended calls listens to what this instance publishes.
  const stopFollowing = followCallEnds(ctx)
  const routes: Route[] = [
    ...healthRoutes,
    ...livekitWebhookRoutes,
    ...twilioWebhookRoutes(voice),
    ...eventRoutes,
    ...withTwilioVoiceToken(voice, roomRoutes),
    ...callRoutes,
    ...recordingRoutes,
    ...transcriptRoutes,
    ...agentRoutes,
    ...twilioRoutes(numbers),
    ...twilioVoiceRoutes(voice),
  ]
  const handler = createRouter(ctx, routes)

  const api: RinglineApi = {
    ...numbers,
    ...voice,
    // The routes refuse revoked users (the router, or POST /token's own read); the token functions check too when
    // called directly.
    createTwilioVoiceToken: async (p, body) => {
      await assertNotRevoked(ctx, p.tenantId, p.userId)
      return voice.createTwilioVoiceToken(p, body)
    },
    // The revocation check is folded into the join's first read (and done before any write).
    createToken: (p, body) => roomToken(ctx, p, body, { checkRevoked: true }),
    joinRoom: (p, name, body) => joinRoom(ctx, p, name, body),
    listRooms: (p) => listRooms(ctx, p),
    leaveRoom: (p, name) => leaveRoom(ctx, p, name),
    endRoom: (p, name) => endRoom(ctx, p, name),
    inviteRoomAgent: (p, name, body) => inviteAgentToRoom(ctx, p, name, body),
    createCall: (p, body) => createCall(ctx, p, body),
    listCalls: (p, query) => listCalls(ctx, p, query),
    getCall: (p, id) => getCallDetail(ctx, p, id),
    getCallByRoom: (p, roomName) => getCallDetailByRoom(ctx, p, roomName),
    webhookHealth: (p) => webhookHealth(ctx, p),
    revokeUser: (tenantId, userId, o) => revokeUser(ctx, tenantId, userId, o, endTwilioCallsOf),
    restoreUser: (tenantId, userId) => restoreUser(ctx, tenantId, userId),
    answerCall: (p, id) => answerCall(ctx, p, id),
    declineCall: (p, id, body) => declineCall(ctx, p, id, body),
    releaseAnswer: (p, id) => releaseAnswer(ctx, p, id),
    hangupCall: (p, id) => hangupCall(ctx, p, id),
    reportMute: (p, id, body) => reportMute(ctx, p, id, body),
    transferCall: (p, id, body) => transferCall(ctx, p, id, body),
    startRecording: (p, id) => startRecording(ctx, p, id),
    stopRecording: (p, id) => stopRecording(ctx, p, id),
    recordingPlayback: (p, id) => recordingPlayback(ctx, p, id),
    dispatchAgent: (p, id, body) => inviteAgent(ctx, p, id, body),
    getTranscript: (p, id) => getTranscript(ctx, p, id),
    handleLivekitWebhook: (raw, auth) => handleLivekitWebhook(ctx, raw, auth),
    provisionNumber: (input) =>
      provisionNumber(ctx, {
        ...input,
        allowedAddresses: input.allowedAddresses ?? config.sip.inboundAllowedAddresses,
      }),
    reconcile: (o) => reconcile(ctx, o),
    health: () => health(ctx),
    subscribe(p, listener) {
      void hub.listen()
      return hub.subscribe({ tenantId: p.tenantId, userId: p.userId }, listener).unsubscribe
    },
  }

  const ready = retryingOnce(async (): Promise<void> => {
    await store.query('SELECT 1')
  })
  // The embedded store (PGlite) takes seconds to start on a busy machine: start it now, not on the first request.
  if (!options.store) ctx.background('open the embedded store', ready)

  // Reconcile on a timer (default every 60 s): a pass with no open call older than its grace is one indexed
  // query (`ringline_calls_open`) and no LiveKit request; without LiveKit settings there is nothing to ask.
  let timer: ReturnType<typeof setInterval> | undefined
  let reconciling = false
  if (config.reconcileIntervalSeconds > 0 && config.livekit.url && config.livekit.apiKey) {
    timer = setInterval(() => {
      if (reconciling) return
      reconciling = true
      reconcile(ctx)
        .catch((error: unknown) => logger.warn('ringline: reconcile failed', { error }))
        .finally(() => {
          reconciling = false
        })
    }, config.reconcileIntervalSeconds * 1000)
    ;(timer as { unref?: () => void }).unref?.()
  }

  return {
    handler,
    api,
    routes,
    store,
    ready,
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending])
    },
    async close() {
      if (timer) clearInterval(timer)
      for (const t of timers) clearTimeout(t)
      timers.clear()
      stopAnswerWatches(ctx)
      stopFollowing()
      await Promise.allSettled([...pending])
      await media.close()
      await hub.close()
      await store.close()
    },
  }
}
