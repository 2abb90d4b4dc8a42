// Where this tab hears server events: the leader tab holds the `/events` stream and relays it; followers hear it
// from the leader. Events are deduplicated here, and the last id resumes the stream after a leader change.
import type { ApiClient } from './apiClient'
import { createEventStream, type EventStream } from './eventStream'
import type { RinglineEvent } from './protocol'
import type { RinglineError } from './ringlineError'
import { createTabSync, type TabSync, type TabSyncState } from './tabSync'
import type { CallClientOptions, Clock, EventsStatus } from './types'

/** What the event feed tells the client and asks of it. */
export interface ServerEventsHost {
  /** A server event heard for the first time. */
  event(event: RinglineEvent): void
  status(events: EventsStatus): void
  /** The incoming-call state a new tab adopts. */
  current(): Omit<TabSyncState, 'lastEventId'>
  adopt(state: Omit<TabSyncState, 'lastEventId'>): void
  /** Another tab answered or declined a call. */
  handled(callId: string): void
  /** This tab became the leader or a follower. */
  leaderChanged(): void
  error(error: RinglineError): void
}

/** Options of `createServerEvents`: the client's. */
export type ServerEventsOptions = Pick<
  CallClientOptions,
  'fetch' | 'credentials' | 'events' | 'tabs' | 'random'
> & {
  api: ApiClient
  clock: Clock
}

/** The server-event feed of one client. */
export interface ServerEvents {
  /** True when this tab leads; null while tabs are not coordinated (stopped, or `tabs: false`). */
  readonly leader: boolean | null
  start(): void
  stop(): void
  /** Tell other tabs this tab answered or declined a call. */
  handled(callId: string, how: 'answered' | 'declined'): void
}

/** Create the server-event feed; nothing runs until `start()`. */
export function createServerEvents(options: ServerEventsOptions, host: ServerEventsHost): ServerEvents {
  let running = false
  let tabs: TabSync | null = null
  let stream: EventStream | null = null
  let lastEventId: string | null = null
  const seen = new Set<string>()

  const deliver = (event: RinglineEvent) => {
    if (seen.has(event.id)) return
    seen.add(event.id)
    if (seen.size > 500) seen.delete(seen.values().next().value as string)
    lastEventId = event.id
    host.event(event)
  }

  const becomeLeader = () => {
    if (!running) return
    const e = typeof options.events === 'object' ? options.events : {}
    stream?.stop()
    stream = createEventStream({
      url: options.api.url('/events'),
      fetch: options.fetch,
      headers: () => options.api.headers(),
      credentials: options.credentials,
      EventSource: e.EventSource,
      clock: options.clock,
      random: options.random,
      backoff: e.backoff,
      idleTimeoutMs: e.idleTimeoutMs,
      lastEventId,
      onEvent: (event) => {
        tabs?.relayEvent(event)
        deliver(event)
      },
      onStatus: (status) => {
        host.status(status)
        tabs?.relayStatus(status)
      },
      onError: (error) => host.error(error),
    })
    stream.start()
    host.leaderChanged()
  }

  const becomeFollower = () => {
    stream?.stop()
    stream = null
    host.leaderChanged()
  }

  return {
    get leader() {
      return tabs ? tabs.isLeader : null
    },
    start() {
      if (running) return
      running = true
      const tabOption = options.tabs ?? true
      if (tabOption === false) {
        becomeLeader()
        return
      }
      const t = typeof tabOption === 'object' ? tabOption : {}
      tabs = createTabSync({
        name: t.name ?? `ringline:${options.api.baseUrl}`,
        BroadcastChannel: t.BroadcastChannel,
        locks: t.locks,
        host: {
          current: () => ({ ...host.current(), lastEventId }),
          adopt: ({ lastEventId: id, ...state }) => {
            if (id) lastEventId = id
            host.adopt(state)
          },
          serverEvent: deliver,
          status: (events) => host.status(events),
          handled: (callId) => host.handled(callId),
          leaderChange: (leader) => (leader ? becomeLeader() : becomeFollower()),
        },
      })
      tabs.start()
      if (!tabs.isLeader) {
        host.status('connecting')
        tabs.hello()
      }
    },
    stop() {
      running = false
      stream?.stop()
      stream = null
      tabs?.stop()
      tabs = null
    },
    handled: (callId, how) => tabs?.handled(callId, how),
  }
}
