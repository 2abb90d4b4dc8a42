// One leader tab per browser (Web Locks), messages between tabs (BroadcastChannel). The leader holds the
// /events stream and rings; followers mirror its state. When the leader tab closes, its lock is released
// and the next waiting tab takes over, even mid-ring.

/** The part of `navigator.locks` Ringline uses. */
export interface LockManagerLike {
  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: (lock: unknown) => Promise<unknown>,
  ): Promise<unknown>
}

/** The part of a `BroadcastChannel` Ringline uses. */
export interface BroadcastChannelLike {
  onmessage: ((event: { data: unknown }) => void) | null
  postMessage(message: unknown): void
  close(): void
}

/** Constructor of a `BroadcastChannel`. */
export type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike

/** Options of `createTabCoordinator`. */
export interface TabCoordinatorOptions<M> {
  /** Channel and lock name; tabs with the same name coordinate. */
  name: string
  /** Default `globalThis.BroadcastChannel`; null: this tab works alone. */
  BroadcastChannel?: BroadcastChannelConstructor | null
  /** Default `navigator.locks`; null: without Web Locks every tab leads (all ring). */
  locks?: LockManagerLike | null
  onMessage(message: M, from: string): void
  onLeaderChange(isLeader: boolean): void
}

/** Leader election and messaging between the tabs of one browser. */
export interface TabCoordinator<M> {
  readonly tabId: string
  readonly isLeader: boolean
  /** True when other tabs can hear this one. */
  readonly connected: boolean
  start(): void
  stop(): void
  /** Send to every other tab. */
  post(message: M): void
}

interface Envelope<M> {
  ringline: 1
  from: string
  message: M
}

let counter = 0

/** Create a tab coordinator; nothing is touched until `start()`. */
export function createTabCoordinator<M>(options: TabCoordinatorOptions<M>): TabCoordinator<M> {
  const tabId = `${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`
  let channel: BroadcastChannelLike | null = null
  let leader = false
  let running = false
  let abort: AbortController | null = null
  let release: (() => void) | null = null

  const setLeader = (next: boolean) => {
    if (next === leader) return
    leader = next
    options.onLeaderChange(next)
  }

  const BC = () =>
    options.BroadcastChannel === undefined
      ? ((globalThis as { BroadcastChannel?: BroadcastChannelConstructor }).BroadcastChannel ?? null)
      : options.BroadcastChannel
  const locks = () =>
    options.locks === undefined
      ? ((globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks ?? null)
      : options.locks

  return {
    tabId,
    get isLeader() {
      return leader
    },
    get connected() {
      return channel !== null
    },
    start() {
      if (running) return
      running = true
      const Channel = BC()
      if (Channel) {
        channel = new Channel(options.name)
        channel.onmessage = (event) => {
          const data = event.data as Envelope<M> | null
          if (!running || !data || data.ringline !== 1 || data.from === tabId) return
          options.onMessage(data.message, data.from)
        }
      }
      const lockManager = channel ? locks() : null
      if (!lockManager) {
        setLeader(true)
        return
      }
      const controller = new AbortController()
      abort = controller
      lockManager
        .request(`${options.name}:leader`, { signal: controller.signal }, () => {
          if (controller.signal.aborted) return Promise.resolve()
          return new Promise<void>((resolve) => {
            release = resolve
            setLeader(true)
          })
        })
        .catch(() => {})
    },
    stop() {
      if (!running) return
      running = false
      abort?.abort()
      abort = null
      release?.()
      release = null
      channel?.close()
      channel = null
      setLeader(false)
    },
    post(message) {
      channel?.postMessage({ ringline: 1, from: tabId, message } satisfies Envelope<M>)
    },
  }
}
