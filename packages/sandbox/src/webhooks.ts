import { request } from 'node:http'
import type { WebhookDelivery } from './types'

export interface WebhookFilter {
  /** Only webhooks whose `room.name` starts with this (events without a room are skipped). */
  roomPrefix?: string
}

export interface WebhookStream {
  /** Deliveries received so far (also passed to the listener). */
  readonly deliveries: WebhookDelivery[]
  /** Resolves with the first delivery (already received or future) that matches `predicate`. */
  waitFor(predicate: (d: WebhookDelivery) => boolean, timeoutMs?: number): Promise<WebhookDelivery>
  close(): void
}

/**
 * Client of the sandbox's webhook relay. livekit-server's webhook URL is fixed when it starts, so it always
 * posts to the relay; the relay forwards each webhook, byte for byte with its `Authorization` header, to
 * every subscriber. Several test files (or the app and the tests) can subscribe at once, each with its
 * own room-name filter.
 */
export class WebhookRelay {
  private readonly owned = new Set<string>()
  private readonly streams = new Set<WebhookStream>()

  constructor(
    /** Base URL of the sandbox hub. */
    readonly hubUrl: string,
    /** The URL livekit-server posts to. */
    readonly relayUrl: string,
  ) {}

  /**
   * Forwards every webhook (optionally only those of matching rooms) to `url` as LiveKit sent it:
   * same body, `Content-Type` and `Authorization`. If `url` answers 5xx or 429, the relay answers 502 to
   * LiveKit, which retries (so other subscribers may see that event again: dedupe by id, as with LiveKit).
   * Resolves with a function that removes the subscription.
   */
  async forward(
    url: string,
    filter: WebhookFilter & { persistent?: boolean } = {},
  ): Promise<() => Promise<void>> {
    const res = await fetch(new URL('/webhooks/subscriptions', this.hubUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url, roomPrefix: filter.roomPrefix, persistent: filter.persistent }),
    })
    if (res.status !== 201) throw new Error(`webhook relay: ${res.status} ${await res.text()}`)
    const { id } = (await res.json()) as { id: string }
    this.owned.add(id)
    return async () => {
      this.owned.delete(id)
      await fetch(new URL(`/webhooks/subscriptions/${id}`, this.hubUrl), { method: 'DELETE' }).catch(
        () => undefined,
      )
    }
  }

  /**
   * Streams webhooks to this process (Server-Sent Events from the relay). Resolves once subscribed, so no
   * webhook sent after it resolves is missed.
   */
  subscribe(
    listener?: (delivery: WebhookDelivery) => void,
    filter: WebhookFilter = {},
  ): Promise<WebhookStream> {
    const url = new URL('/webhooks/stream', this.hubUrl)
    if (filter.roomPrefix) url.searchParams.set('roomPrefix', filter.roomPrefix)
    const deliveries: WebhookDelivery[] = []
    const waiters = new Set<{
      predicate: (d: WebhookDelivery) => boolean
      resolve: (d: WebhookDelivery) => void
    }>()
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`webhook relay stream: ${res.statusCode}`))
          res.resume()
          return
        }
        res.setEncoding('utf8')
        let buffer = ''
        res.on('data', (chunk: string) => {
          buffer += chunk
          let idx = buffer.indexOf('\n\n')
          while (idx >= 0) {
            const frame = buffer.slice(0, idx)
            buffer = buffer.slice(idx + 2)
            idx = buffer.indexOf('\n\n')
            const event = /^event: (.*)$/m.exec(frame)?.[1]
            const data = frame
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n')
            if (event === 'ready') {
              resolve(stream)
            } else if (event === 'webhook' && data) {
              const d = JSON.parse(data) as WebhookDelivery
              deliveries.push(d)
              listener?.(d)
              for (const w of [...waiters]) {
                if (w.predicate(d)) {
                  waiters.delete(w)
                  w.resolve(d)
                }
              }
            }
          }
        })
      })
      req.on('error', reject)
      req.end()
      const stream: WebhookStream = {
        deliveries,
        waitFor: (predicate, timeoutMs = 20_000) => {
          const found = deliveries.find(predicate)
          if (found) return Promise.resolve(found)
          return new Promise<WebhookDelivery>((res, rej) => {
            const w = {
              predicate,
              resolve: (d: WebhookDelivery) => {
                clearTimeout(timer)
                res(d)
              },
            }
            const timer = setTimeout(() => {
              waiters.delete(w)
              rej(
                new Error(
                  `no matching webhook within ${timeoutMs} ms; got: ${deliveries.map((d) => `${d.event}(${d.room ?? '-'})`).join(', ') || 'none'}`,
                ),
              )
            }, timeoutMs)
            waiters.add(w)
          })
        },
        close: () => {
          this.streams.delete(stream)
          req.destroy()
        },
      }
      this.streams.add(stream)
    })
  }

  /** The last webhooks the relay saw (up to 500), newest last. */
  async recent(filter: WebhookFilter & { since?: number } = {}): Promise<WebhookDelivery[]> {
    const url = new URL('/webhooks/recent', this.hubUrl)
    if (filter.roomPrefix) url.searchParams.set('roomPrefix', filter.roomPrefix)
    if (filter.since) url.searchParams.set('since', String(filter.since))
    const res = await fetch(url)
    return (await res.json()) as WebhookDelivery[]
  }

  /** Removes this client's subscriptions and streams. */
  async close(): Promise<void> {
    for (const s of [...this.streams]) s.close()
    await Promise.all(
      [...this.owned].map((id) =>
        fetch(new URL(`/webhooks/subscriptions/${id}`, this.hubUrl), { method: 'DELETE' }).catch(
          () => undefined,
        ),
      ),
    )
    this.owned.clear()
  }
}
