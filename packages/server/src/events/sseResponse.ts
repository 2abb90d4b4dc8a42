import type { RinglineEvent } from '@ringline/core/protocol'
import type { EventHub } from './eventHub'

/** Options of one `/events` stream. */
export interface SseOptions {
  hub: EventHub
  tenantId: string
  userId: string
  lastEventId?: string | null
  heartbeatMs: number
  /** Chunks queued for a client that stopped reading before the stream is closed (it can resume with Last-Event-ID). */
  maxQueuedChunks?: number
  signal?: AbortSignal
  headers: Headers
}

const encoder = new TextEncoder()

/** The wire form of one event: `id:` and `data:` lines; every event is a `message` whose data has a `type`. */
export function formatEvent(event: RinglineEvent): string {
  return `id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`
}

// A broadcast hands the same event object to every stream of the tenant, one after another: its wire form is
// built once per broadcast, not once per subscriber. Each stream still gets bytes of its own (a consumer may
// transfer the buffers it reads), so only the string is shared.
let lastEvent: RinglineEvent | undefined
let lastWire = ''

/** `formatEvent`, remembering the last event's text. */
function wireForm(event: RinglineEvent): string {
  if (event !== lastEvent) {
    lastWire = formatEvent(event)
    lastEvent = event
  }
  return lastWire
}

/** A streaming `text/event-stream` response for one subscriber, with heartbeats, resume and slow-client protection. */
export function sseResponse(options: SseOptions): Response {
  const maxQueued = options.maxQueuedChunks ?? 256
  let cleanup = (): void => {}
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let open = true
        const close = (): void => {
          if (!open) return
          open = false
          cleanup()
          try {
            controller.close()
          } catch {
            // already closed by the consumer
          }
        }
        const send = (text: string): void => {
          if (!open) return
          // A client that stops reading gets cut off instead of growing the queue without bound.
          if ((controller.desiredSize ?? 0) < -maxQueued) {
            close()
            return
          }
          controller.enqueue(encoder.encode(text))
        }
        // While missed events are read from the store, live ones wait behind them (each event once, in order).
        let waiting: RinglineEvent[] | null = null
        const { missed, unsubscribe } = options.hub.subscribe(
          {
            tenantId: options.tenantId,
            userId: options.userId,
            lastEventId: options.lastEventId,
            // `revokeUser` ends the stream; the client's reconnect is then refused with ACCESS_REVOKED.
            close,
          },
          (event) => (waiting ? waiting.push(event) : send(wireForm(event))),
        )
        const heartbeat = setInterval(() => send(': ping\n\n'), options.heartbeatMs)
        const onAbort = (): void => close()
        options.signal?.addEventListener('abort', onAbort)
        cleanup = () => {
          clearInterval(heartbeat)
          unsubscribe()
          options.signal?.removeEventListener('abort', onAbort)
        }
        send(`retry: 3000\n: connected\n\n`)
        if (Array.isArray(missed)) {
          for (const event of missed) send(wireForm(event))
        } else {
          waiting = []
          void missed.then((replayed) => {
            const sent = new Set<string>()
            for (const event of replayed) {
              sent.add(event.id)
              send(wireForm(event))
            }
            for (const event of waiting ?? []) if (!sent.has(event.id)) send(wireForm(event))
            waiting = null
          })
        }
      },
      cancel() {
        cleanup()
      },
    },
    { highWaterMark: 1 },
  )
  const headers = options.headers
  headers.set('content-type', 'text/event-stream; charset=utf-8')
  headers.set('cache-control', 'no-cache, no-transform')
  headers.set('x-accel-buffering', 'no')
  return new Response(stream, { status: 200, headers })
}
