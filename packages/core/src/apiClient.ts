import type {
  CallDetail,
  CallRecord,
  CallWithConnection,
  ConnectNumberRequest,
  CreateCallRequest,
  JoinRoomResponse,
  ListCallsQuery,
  ListCallsResponse,
  ListRoomsResponse,
  NumberConnection,
  ReadyCheckConnection,
  ReportMuteResponse,
  TwilioCredentialsRequest,
  TwilioIntegration,
  TwilioNumber,
  TwilioVoiceAutoConfigureRequest,
  TwilioVoiceStatus,
  TwilioVoiceTokenResponse,
} from './protocol'
import {
  callDetailGuard,
  callOnlyGuard,
  callWithConnectionGuard,
  joinRoomResponseGuard,
  listCallsResponseGuard,
  listRoomsResponseGuard,
  listTwilioNumbersResponseGuard,
  numberConnectionGuard,
  type ResponseGuard,
  readyCheckConnectionGuard,
  twilioIntegrationGuard,
  twilioVoiceStatusGuard,
  twilioVoiceTokenResponseGuard,
} from './protocol/guards'
import { errorFromResponse, RinglineError } from './ringlineError'

/** Headers for every request, or a function returning them (e.g. a fresh bearer token). */
export type HeadersOption = HeadersInit | (() => HeadersInit | Promise<HeadersInit>)

/** Options of `createApiClient`. */
export interface ApiClientOptions {
  /** Where the Ringline handler is mounted, e.g. `/api/ringline` or `https://app.example.com/api/ringline`. */
  baseUrl: string
  fetch?: typeof fetch
  headers?: HeadersOption
  /** `fetch` credentials mode; default `same-origin`. */
  credentials?: RequestCredentials
}

/** Options of one request. */
export interface RequestOptions<T> {
  body?: unknown
  query?: Record<string, string | number | boolean | undefined>
  /** Checks the response body (a guard of `@ringline/core`, or any zod-compatible schema with `safeParse`). */
  schema?: ResponseGuard<T>
  signal?: AbortSignal
}

/** Typed access to every route of the Ringline server. Errors are `RinglineError`s. */
export interface ApiClient {
  readonly baseUrl: string
  /** Absolute or root-relative URL of a route. */
  url(path: string, query?: RequestOptions<unknown>['query']): string
  /** Resolved request headers. */
  headers(): Promise<Headers>
  /** The fetch in use. */
  readonly fetch: typeof fetch
  request<T = unknown>(method: string, path: string, options?: RequestOptions<T>): Promise<T>
  createCall(body: CreateCallRequest, signal?: AbortSignal): Promise<CallWithConnection>
  answerCall(id: string, signal?: AbortSignal): Promise<CallWithConnection>
  declineCall(id: string, body?: { reject?: boolean }): Promise<unknown>
  hangupCall(id: string): Promise<unknown>
  /** `POST /calls/:id/mute`: tell the server this user's microphone is now muted (or not), for the call's record. */
  reportMute(id: string, muted: boolean): Promise<ReportMuteResponse>
  /** Hands back this user's answer of an inbound call whose media did not connect: the call rings the others again. */
  releaseCall(id: string): Promise<unknown>
  transferCall(id: string, to: string): Promise<unknown>
  /**
   * `POST /calls/:id/consult`: hold-and-consult colleague `userId`, or phone number `to` (warm transfer); a token for
   * the consult room (a phone: for the consult voice in the call's room).
   */
  startConsult(id: string, body: { userId: string } | { to: string }): Promise<CallWithConnection>
  /** `POST /calls/:id/consult/answer`: join a consult you were asked to; a token for the consult room. */
  answerConsult(id: string): Promise<CallWithConnection>
  /** `POST /calls/:id/consult/complete`: hand the call to the consulted colleague. */
  completeConsult(id: string): Promise<{ call: CallRecord }>
  /** `POST /calls/:id/consult/cancel`: close the consult (either side). */
  cancelConsult(id: string): Promise<{ call: CallRecord }>
  /** `POST /calls/:id/consult/join`: a token for the call's room once it was handed to you. */
  joinTransferredCall(id: string): Promise<CallWithConnection>
  dispatchAgent(id: string, body: { agentName: string; metadata?: string }): Promise<unknown>
  startRecording(id: string): Promise<unknown>
  listCalls(query?: ListCallsQuery, signal?: AbortSignal): Promise<ListCallsResponse>
  getCall(id: string, signal?: AbortSignal): Promise<CallDetail>
  /** `GET /calls/by-room/:roomName`: the same as `getCall`, for the tenant's call of a LiveKit room. */
  getCallByRoom(roomName: string, signal?: AbortSignal): Promise<CallDetail>
  joinRoom(
    name: string,
    body?: { displayName?: string; kind?: string },
    signal?: AbortSignal,
  ): Promise<JoinRoomResponse>
  leaveRoom(name: string): Promise<unknown>
  endRoom(name: string): Promise<unknown>
  /** `POST /ready-check`: a token for a private test room that leaves no call record (the ready check's connection test). */
  readyCheckConnection(signal?: AbortSignal): Promise<ReadyCheckConnection>
  listRooms(signal?: AbortSignal): Promise<ListRoomsResponse>
  twilio: {
    verifyCredentials(body: TwilioCredentialsRequest): Promise<unknown>
    saveCredentials(body: TwilioCredentialsRequest): Promise<TwilioIntegration>
    deleteCredentials(): Promise<unknown>
    listNumbers(signal?: AbortSignal): Promise<TwilioNumber[]>
    connectNumber(sid: string, body?: ConnectNumberRequest): Promise<NumberConnection>
    disconnectNumber(sid: string): Promise<unknown>
    numberStatus(sid: string, signal?: AbortSignal): Promise<NumberConnection>
  }
  /** The Twilio Voice settings routes (`GET|DELETE /twilio/voice`, `POST /twilio/voice/auto-configure`) and its token. */
  twilioVoice: TwilioVoiceSettingsApi
}

/** The Twilio Voice settings operations `VoiceConfigurationCard` uses. */
export interface TwilioVoiceSettingsApi {
  /** `GET /twilio/voice`: what is configured, never secrets. */
  status(signal?: AbortSignal): Promise<TwilioVoiceStatus>
  /** `POST /twilio/voice/auto-configure`: creates the API key and TwiML app from account credentials; admins. */
  autoConfigure(body: TwilioVoiceAutoConfigureRequest): Promise<TwilioVoiceStatus>
  /** `DELETE /twilio/voice`; admins. */
  remove(): Promise<{ deleted: boolean }>
  /** `POST /token` `{ transport: 'twilio' }`: a Voice access token for the signed-in user (the connection test). */
  token(): Promise<TwilioVoiceTokenResponse>
}

const enc = encodeURIComponent

/** Create the HTTP client for a Ringline server; `fetch` defaults to the global one, looked up on first use. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '')
  const fetchImpl: typeof fetch = (input, init) => {
    const f = options.fetch ?? globalThis.fetch
    if (!f) throw new RinglineError('NETWORK_ERROR', 'No fetch available: pass `fetch` to createCallClient.')
    return f(input, init)
  }

  const url: ApiClient['url'] = (path, query) => {
    let out = `${baseUrl}${path}`
    if (query) {
      const params = new URLSearchParams()
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v))
      const qs = params.toString()
      if (qs) out += `?${qs}`
    }
    return out
  }

  const headers = async () => {
    const h = typeof options.headers === 'function' ? await options.headers() : options.headers
    return new Headers(h)
  }

  async function request<T>(method: string, path: string, req: RequestOptions<T> = {}): Promise<T> {
    const h = await headers()
    h.set('accept', 'application/json')
    let body: string | undefined
    // Every state-changing request is JSON (the server refuses other bodies as a CSRF guard): `{}` when empty.
    if (req.body !== undefined || (method !== 'GET' && method !== 'HEAD')) {
      h.set('content-type', 'application/json')
      body = JSON.stringify(req.body ?? {})
    }
    let response: Response
    try {
      response = await fetchImpl(url(path, req.query), {
        method,
        headers: h,
        body,
        credentials: options.credentials ?? 'same-origin',
        signal: req.signal,
      })
    } catch (error) {
      if (error instanceof RinglineError) throw error
      const aborted = (error as { name?: string } | null)?.name === 'AbortError'
      throw new RinglineError(
        'NETWORK_ERROR',
        aborted
          ? `${method} ${path} was aborted.`
          : `Could not reach the Ringline server at ${baseUrl || '/'}: check the network and baseUrl.`,
        { cause: error },
      )
    }
    const text = await response.text().catch(() => '')
    let json: unknown
    if (text) {
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
    }
    if (!response.ok) throw errorFromResponse(response.status, json)
    if (!req.schema) return json as T
    const parsed = req.schema.safeParse(json)
    if (!parsed.success) {
      throw new RinglineError(
        'UPSTREAM_ERROR',
        `${method} ${path} returned a body that does not match the protocol: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        { status: response.status, details: { issues: parsed.error.issues } },
      )
    }
    return parsed.data
  }

  return {
    baseUrl,
    url,
    headers,
    fetch: fetchImpl,
    request,
    createCall: (body, signal) =>
      request('POST', '/calls', { body, schema: callWithConnectionGuard, signal }),
    answerCall: (id, signal) =>
      request('POST', `/calls/${enc(id)}/answer`, { body: {}, schema: callWithConnectionGuard, signal }),
    declineCall: (id, body = {}) => request('POST', `/calls/${enc(id)}/decline`, { body }),
    hangupCall: (id) => request('POST', `/calls/${enc(id)}/hangup`, { body: {} }),
    reportMute: (id, muted) => request('POST', `/calls/${enc(id)}/mute`, { body: { muted } }),
    releaseCall: (id) => request('POST', `/calls/${enc(id)}/release`, { body: {} }),
    transferCall: (id, to) => request('POST', `/calls/${enc(id)}/transfer`, { body: { to } }),
    startConsult: (id, body) =>
      request('POST', `/calls/${enc(id)}/consult`, { body, schema: callWithConnectionGuard }),
    answerConsult: (id) =>
      request('POST', `/calls/${enc(id)}/consult/answer`, { body: {}, schema: callWithConnectionGuard }),
    completeConsult: (id) =>
      request('POST', `/calls/${enc(id)}/consult/complete`, { body: {}, schema: callOnlyGuard }),
    cancelConsult: (id) =>
      request('POST', `/calls/${enc(id)}/consult/cancel`, { body: {}, schema: callOnlyGuard }),
    joinTransferredCall: (id) =>
      request('POST', `/calls/${enc(id)}/consult/join`, { body: {}, schema: callWithConnectionGuard }),
    dispatchAgent: (id, body) => request('POST', `/calls/${enc(id)}/agent`, { body }),
    startRecording: (id) => request('POST', `/calls/${enc(id)}/recording`, { body: {} }),
    listCalls: (query = {}, signal) =>
      request('GET', '/calls', { query, schema: listCallsResponseGuard, signal }),
    getCall: (id, signal) => request('GET', `/calls/${enc(id)}`, { schema: callDetailGuard, signal }),
    getCallByRoom: (roomName, signal) =>
      request('GET', `/calls/by-room/${enc(roomName)}`, { schema: callDetailGuard, signal }),
    joinRoom: (name, body = {}, signal) =>
      request('POST', `/rooms/${enc(name)}/join`, { body, schema: joinRoomResponseGuard, signal }),
    leaveRoom: (name) => request('POST', `/rooms/${enc(name)}/leave`, { body: {} }),
    endRoom: (name) => request('POST', `/rooms/${enc(name)}/end`, { body: {} }),
    readyCheckConnection: (signal) =>
      request('POST', '/ready-check', { body: {}, schema: readyCheckConnectionGuard, signal }),
    listRooms: (signal) => request('GET', '/rooms', { schema: listRoomsResponseGuard, signal }),
    twilio: {
      verifyCredentials: (body) => request('POST', '/twilio/credentials/verify', { body }),
      saveCredentials: (body) =>
        request('PUT', '/twilio/credentials', { body, schema: twilioIntegrationGuard }),
      deleteCredentials: () => request('DELETE', '/twilio/credentials'),
      listNumbers: async (signal) =>
        (await request('GET', '/twilio/numbers', { schema: listTwilioNumbersResponseGuard, signal })).numbers,
      connectNumber: (sid, body = {}) =>
        request('POST', `/twilio/numbers/${enc(sid)}/connect`, { body, schema: numberConnectionGuard }),
      disconnectNumber: (sid) => request('POST', `/twilio/numbers/${enc(sid)}/disconnect`, { body: {} }),
      numberStatus: (sid, signal) =>
        request('GET', `/twilio/numbers/${enc(sid)}/status`, { schema: numberConnectionGuard, signal }),
    },
    twilioVoice: {
      status: (signal) => request('GET', '/twilio/voice', { schema: twilioVoiceStatusGuard, signal }),
      autoConfigure: (body) =>
        request('POST', '/twilio/voice/auto-configure', { body, schema: twilioVoiceStatusGuard }),
      remove: () => request('DELETE', '/twilio/voice'),
      token: () =>
        request('POST', '/token', { body: { transport: 'twilio' }, schema: twilioVoiceTokenResponseGuard }),
    },
  }
}
