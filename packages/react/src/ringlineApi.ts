import type { ErrorCode, TwilioNumber } from '@ringline/core/protocol'
import type { RinglineApi } from './types'

// Stop-gap until @ringline/core exports `createApiClient` (same shape): the provider prefers the client's own `api`.

/** An error from the Ringline server, carrying its stable `code`. */
export class RinglineApiError extends Error {
  /** Stable code from the registry (`AUTH_INVALID`, `NOT_CONFIGURED`, ...). */
  readonly code: ErrorCode
  /** HTTP status, 0 when the request never got an answer. */
  readonly status: number
  /** Server request id, quote it when reporting a problem. */
  readonly requestId: string | null

  constructor(code: ErrorCode, message: string, status: number, requestId: string | null = null) {
    super(message)
    this.name = 'RinglineApiError'
    this.code = code
    this.status = status
    this.requestId = requestId
  }
}

/** Options of {@link createRinglineApi}. */
export interface RinglineApiOptions {
  /** Where the server routes are mounted, e.g. `/api/ringline`. */
  baseUrl: string
  /** Fetch implementation; defaults to the global one at call time. */
  fetch?: typeof fetch
}

/** Builds the HTTP operations used by `useCallHistory` and `useTwilioOnboarding` from a base URL. */
export function createRinglineApi(options: RinglineApiOptions): RinglineApi {
  const base = options.baseUrl.replace(/\/+$/, '')

  async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const doFetch = options.fetch ?? globalThis.fetch
    let response: Response
    try {
      response = await doFetch(`${base}${path}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        signal,
      })
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') throw error
      throw new RinglineApiError('NETWORK_ERROR', 'Could not reach the Ringline server.', 0)
    }
    if (response.status === 204) return undefined as T
    const text = await response.text()
    let json: unknown = null
    try {
      json = text ? JSON.parse(text) : null
    } catch {
      json = null
    }
    if (!response.ok) {
      const error = (json as { error?: { code?: ErrorCode; message?: string; requestId?: string } } | null)
        ?.error
      throw new RinglineApiError(
        error?.code ?? (response.status >= 500 ? 'UPSTREAM_ERROR' : 'INVALID_REQUEST'),
        error?.message ?? `Request failed with status ${response.status}.`,
        response.status,
        error?.requestId ?? null,
      )
    }
    return json as T
  }

  const enc = encodeURIComponent
  return {
    listCalls(query = {}, signal) {
      const params = new URLSearchParams()
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
      }
      const qs = params.toString()
      return request('GET', `/calls${qs ? `?${qs}` : ''}`, undefined, signal)
    },
    getCall: (id, signal) => request('GET', `/calls/${enc(id)}`, undefined, signal),
    endRoom: (name) => request('POST', `/rooms/${enc(name)}/end`, {}),
    twilio: {
      verifyCredentials: (body) => request('POST', '/twilio/credentials/verify', body),
      saveCredentials: (body) => request('PUT', '/twilio/credentials', body),
      getCredentials: (signal) => request('GET', '/twilio/credentials', undefined, signal),
      deleteCredentials: () => request('DELETE', '/twilio/credentials'),
      listNumbers: async (signal) =>
        (await request<{ numbers: TwilioNumber[] }>('GET', '/twilio/numbers', undefined, signal)).numbers,
      connectNumber: (sid, body) => request('POST', `/twilio/numbers/${enc(sid)}/connect`, body ?? {}),
      disconnectNumber: (sid) => request('POST', `/twilio/numbers/${enc(sid)}/disconnect`, {}),
      numberStatus: (sid, signal) => request('GET', `/twilio/numbers/${enc(sid)}/status`, undefined, signal),
    },
  }
}
