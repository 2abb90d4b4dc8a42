// The protocol between tabs of one page's client: the leader holds the `/events` stream and relays what it hears;
// a follower asks for the current list when it starts and mirrors answered/declined calls.
import type { RinglineEvent } from './protocol'
import {
  type BroadcastChannelConstructor,
  createTabCoordinator,
  type LockManagerLike,
  type TabCoordinator,
} from './tabCoordinator'
import type { EventsStatus, IncomingCall } from './types'

/** Messages between tabs. */
export type TabMessage =
  | { type: 'hello' }
  | {
      type: 'sync'
      events: EventsStatus
      incoming: readonly IncomingCall[]
      lastEventId: string | null
      handled: string[]
    }
  | { type: 'event'; event: RinglineEvent }
  | { type: 'status'; events: EventsStatus }
  | { type: 'handled'; callId: string; how: 'answered' | 'declined' }

/** What the leader tells a tab that just started. */
export type TabSyncState = Omit<Extract<TabMessage, { type: 'sync' }>, 'type'>

/** The client side of tab sync: what it reads when asked and what it applies from other tabs. */
export interface TabSyncHost {
  /** The state a new tab adopts. */
  current(): TabSyncState
  /** A follower adopts the leader's state. */
  adopt(state: TabSyncState): void
  /** A follower hears a server event the leader received. */
  serverEvent(event: RinglineEvent): void
  /** A follower hears the leader's `/events` status. */
  status(events: EventsStatus): void
  /** Another tab answered or declined a call. */
  handled(callId: string): void
  leaderChange(isLeader: boolean): void
}

/** Options of `createTabSync`. */
export interface TabSyncOptions {
  name: string
  BroadcastChannel?: BroadcastChannelConstructor | null
  locks?: LockManagerLike | null
  host: TabSyncHost
}

/** Tab sync: a `TabCoordinator` speaking `TabMessage`. */
export interface TabSync {
  readonly isLeader: boolean
  start(): void
  stop(): void
  /** A tab that did not win the election asks the leader for its state. */
  hello(): void
  /** The leader relays a server event. */
  relayEvent(event: RinglineEvent): void
  /** The leader relays its `/events` status. */
  relayStatus(events: EventsStatus): void
  /** Tell other tabs this tab answered or declined a call. */
  handled(callId: string, how: 'answered' | 'declined'): void
}

/** Create the tab-sync protocol over `createTabCoordinator`. */
export function createTabSync(options: TabSyncOptions): TabSync {
  const { host } = options
  const onMessage = (message: TabMessage) => {
    switch (message.type) {
      case 'hello':
        if (tabs.isLeader) tabs.post({ type: 'sync', ...host.current() })
        return
      case 'sync': {
        if (tabs.isLeader) return
        const { type: _, ...state } = message
        host.adopt(state)
        return
      }
      case 'event':
        if (!tabs.isLeader) host.serverEvent(message.event)
        return
      case 'status':
        if (!tabs.isLeader) host.status(message.events)
        return
      case 'handled':
        host.handled(message.callId)
        return
      default:
        return message satisfies never
    }
  }
  const tabs: TabCoordinator<TabMessage> = createTabCoordinator<TabMessage>({
    name: options.name,
    BroadcastChannel: options.BroadcastChannel,
    locks: options.locks,
    onMessage,
    onLeaderChange: (leader) => host.leaderChange(leader),
  })
  return {
    get isLeader() {
      return tabs.isLeader
    },
    start: () => tabs.start(),
    hello: () => tabs.post({ type: 'hello' }),
    stop: () => tabs.stop(),
    relayEvent: (event) => tabs.post({ type: 'event', event }),
    relayStatus: (events) => tabs.post({ type: 'status', events }),
    handled: (callId, how) => tabs.post({ type: 'handled', callId, how }),
  }
}
