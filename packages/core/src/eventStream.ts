import { systemClock } from './clock'
import type { RinglineEvent } from './protocol'
import { EVENT_TYPES } from './protocol/constants'
import { ringlineEventGuard } from './protocol/guards'
import { errorFromResponse, RinglineError } from './ringlineError'
import { createSseParser, type SseMessage } from './sseParser'
import type { Clock, EventsStatus } from './types'

/** The part of the `EventSource` constructor Ringline uses. */
export type EventSourceConstructor = new (
  url: string,
  init?: { withCredentials?: boolean },
) => EventSourceLike

/** The part of an `EventSource` Ringline uses. */
export interface EventSourceLike {
  readonly readyState: number
  onopen: ((event: unknown) => void) | null
  onerror: ((event: unknown) => void) | null
  addEventListener(type: string, listener: (event: { data: string; lastEventId: string }) => void): void
  close(): void
}

/** Reconnect timing: exponential from `initialMs` to `maxMs`, each delay jittered to 50–100 %. */
export interface BackoffOptions {
  initialMs?: number
  maxMs?: number
}

/** Options of `createEventStream`. */
export interface EventStreamOptions {
  /** URL of `GET /events`. */
  url: string
  /** Streams with fetch (default): sends `Last-Event-ID` and your headers on every connect. */
  fetch?: typeof fetch
  headers?: () => Promise<Headers>
  credentials?: RequestCredentials
  /** Use a native `EventSource` instead of fetch; resumes through the browser and a `lastEventId` query parameter. */
  EventSource?: EventSourceConstructor
  clock?: Clock
  random?: () => number
  backoff?: BackoffOptions
  /** Reconnect when nothing (not even a heartbeat comment) arrived for this long. Default 60 s. */
  idleTimeoutMs?: number
  /** Resume from this event id on the first connect. */
  lastEventId?: string | null
  onEvent(event: RinglineEvent): void
  onStatus(status: EventsStatus): void
  onError?(error: RinglineError): void
}

/** A self-reconnecting subscription to `GET /events`. */
export interface EventStream {
  start(): void
  stop(): void
  readonly status: EventsStatus
  /** Id of the last event received; sent as `Last-Event-ID` on reconnect. */
  readonly lastEventId: string | null
  /** Number of consecutive failed attempts (0 while online). */
  readonly attempt: number
}

const known = new Set<string>(EVENT_TYPES)

/** Create the `/events` stream: SSE with reconnect, exponential backoff with jitter and `Last-Event-ID` resume. */
export function createEventStream(options: EventStreamOptions): EventStream {
  const clock = options.clock ?? systemClock
  const random = options.random ?? Math.random
  let initialMs = options.backoff?.initialMs ?? 1000
  const maxMs = options.backoff?.maxMs ?? 30_000
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000

  let status: EventsStatus = 'offline'
  let lastEventId = options.lastEventId ?? null
  let attempt = 0
  let running = false
  let generation = 0
  let retryTimer: unknown = null
  let idleTimer: unknown = null
  let abort: AbortController | null = null
  let source: EventSourceLike | null = null

  const setStatus = (next: EventsStatus) => {
    if (next === status) return
    status = next
    options.onStatus(next)
  }

  const handleMessage = (message: SseMessage) => {
    if (message.id !== undefined) lastEventId = message.id
    if (message.event !== 'message' && !known.has(message.event)) return
    let json: unknown
    try {
      json = JSON.parse(message.data)
    } catch {
      options.onError?.(new RinglineError('UPSTREAM_ERROR', 'An /events message was not JSON.'))
      return
    }
    if (typeof json === 'object' && json !== null && !known.has((json as { type?: string }).type ?? ''))
      return
    const parsed = ringlineEventGuard.safeParse(json)
    if (!parsed.success) {
      options.onError?.(
        new RinglineError(
          'UPSTREAM_ERROR',
          `An /events message does not match the protocol: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        ),
      )
      return
    }
    if (message.id === undefined) lastEventId = parsed.data.id
    options.onEvent(parsed.data)
  }

  const clearTimers = () => {
    if (retryTimer !== null) clock.clearTimeout(retryTimer)
    if (idleTimer !== null) clock.clearTimeout(idleTimer)
    retryTimer = null
    idleTimer = null
  }

  const scheduleReconnect = (error?: RinglineError) => {
    if (!running) return
    const gen = ++generation
    teardown()
    if (error) options.onError?.(error)
    setStatus('connecting')
    // Auth and configuration errors will not heal in a second: wait the longest delay.
    const fatal =
      error?.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 408
    const base = fatal ? maxMs : Math.min(maxMs, initialMs * 2 ** attempt)
    const delay = Math.round(base / 2 + (random() * base) / 2)
    attempt++
    retryTimer = clock.setTimeout(() => {
      retryTimer = null
      if (running && gen === generation) connect()
    }, delay)
  }

  const armIdle = (gen: number) => {
    if (idleTimer !== null) clock.clearTimeout(idleTimer)
    idleTimer = clock.setTimeout(() => {
      idleTimer = null
      if (gen === generation)
        scheduleReconnect(new RinglineError('NETWORK_ERROR', 'The /events stream went silent.'))
    }, idleTimeoutMs)
  }

  const teardown = () => {
    clearTimers()
    abort?.abort()
    abort = null
    source?.close()
    source = null
  }

  const connectFetch = async (gen: number) => {
    const controller = new AbortController()
    abort = controller
    const parser = createSseParser({
      onMessage: (m) => gen === generation && handleMessage(m),
      onRetry: (ms) => {
        initialMs = ms
      },
      onActivity: () => gen === generation && armIdle(gen),
    })
    try {
      const headers = options.headers ? await options.headers() : new Headers()
      headers.set('accept', 'text/event-stream')
      if (lastEventId) headers.set('last-event-id', lastEventId)
      const f = options.fetch ?? globalThis.fetch
      const response = await f(options.url, {
        headers,
        credentials: options.credentials ?? 'same-origin',
        cache: 'no-store',
        signal: controller.signal,
      })
      if (gen !== generation) return
      if (!response.ok) {
        const body = await response.json().catch(() => undefined)
        throw errorFromResponse(response.status, body)
      }
      const type = response.headers.get('content-type') ?? ''
      if (!type.includes('text/event-stream') || !response.body) {
        throw new RinglineError(
          'UPSTREAM_ERROR',
          `GET /events answered ${type || 'no content type'}, not an event stream.`,
        )
      }
      attempt = 0
      setStatus('online')
      armIdle(gen)
      const reader = response.body.getReader()
      const decoder = new TextDecoder()
      for (;;) {
        const { value, done } = await reader.read()
        if (gen !== generation) {
          void reader.cancel().catch(() => {})
          return
        }
        if (done) break
        parser.feed(decoder.decode(value, { stream: true }))
      }
      scheduleReconnect()
    } catch (error) {
      if (gen !== generation) return
      scheduleReconnect(
        error instanceof RinglineError
          ? error
          : new RinglineError('NETWORK_ERROR', 'The /events stream dropped; reconnecting.', { cause: error }),
      )
    }
  }

  const connectEventSource = (gen: number, ES: EventSourceConstructor) => {
    let url = options.url
    if (lastEventId) url += `${url.includes('?') ? '&' : '?'}lastEventId=${encodeURIComponent(lastEventId)}`
    const es = new ES(url, { withCredentials: options.credentials === 'include' })
    source = es
    es.onopen = () => {
      if (gen !== generation) return
      attempt = 0
      setStatus('online')
    }
    es.onerror = () => {
      if (gen !== generation) return
      // readyState 2 = CLOSED: the browser gave up (HTTP error); otherwise it is retrying by itself.
      if (es.readyState === 2)
        scheduleReconnect(new RinglineError('NETWORK_ERROR', 'The /events stream closed.'))
      else setStatus('connecting')
    }
    for (const type of ['message', ...EVENT_TYPES]) {
      es.addEventListener(type, (event) => {
        if (gen !== generation) return
        handleMessage({ event: type, data: event.data, id: event.lastEventId || undefined })
      })
    }
  }

  const connect = () => {
    const gen = ++generation
    setStatus('connecting')
    if (options.EventSource) connectEventSource(gen, options.EventSource)
    else void connectFetch(gen)
  }

  return {
    start() {
      if (running) return
      running = true
      attempt = 0
      connect()
    },
    stop() {
      if (!running) return
      running = false
      generation++
      teardown()
      setStatus('offline')
    },
    get status() {
      return status
    },
    get lastEventId() {
      return lastEventId
    },
    get attempt() {
      return attempt
    },
  }
}
