// Desktop notifications for incoming calls while the page is hidden, and a flashing title when sound is blocked.
import { systemClock } from './clock'
import type { Clock } from './types'

/** The part of the `Notification` constructor Ringline uses. */
export interface NotificationConstructorLike {
  readonly permission: NotificationPermission
  requestPermission(): Promise<NotificationPermission>
  new (title: string, options?: NotificationOptions): NotificationLike
}

/** The part of a `Notification` Ringline uses. */
export interface NotificationLike {
  onclick: ((event: unknown) => void) | null
  close(): void
}

/** The part of `document` Ringline uses. */
export interface DocumentLike {
  title: string
  readonly visibilityState: string
  addEventListener(type: 'visibilitychange', listener: () => void): void
  removeEventListener(type: 'visibilitychange', listener: () => void): void
}

/** Options of `createDesktopNotifier`. */
export interface DesktopNotifierOptions {
  /** Default `globalThis.Notification`; null disables notifications. */
  Notification?: NotificationConstructorLike | null
  /** Default `globalThis.document`; null disables title flashing and visibility checks. */
  document?: DocumentLike | null
  /** Called when a notification is clicked; default focuses the window. */
  focus?: () => void
  clock?: Clock
}

/** Shows and closes call notifications, flashes the title. */
export interface DesktopNotifier {
  /** `unsupported` where there is no Notification API. */
  permission(): NotificationPermission | 'unsupported'
  /** Ask for permission; call from a user gesture. */
  requestPermission(): Promise<NotificationPermission | 'unsupported'>
  /** True while the page is hidden (another tab or minimized). */
  isHidden(): boolean
  /** Show a notification keyed by `tag`; clicking it focuses the tab and calls `onClick`. No-op without permission. */
  show(tag: string, title: string, body: string, onClick?: () => void): void
  close(tag: string): void
  closeAll(): void
  /** Alternate the document title with `text` until `stopFlashing()`. */
  flashTitle(text: string): void
  stopFlashing(): void
  readonly flashing: boolean
}

/** Create the desktop notifier; it touches globals only when used. */
export function createDesktopNotifier(options: DesktopNotifierOptions = {}): DesktopNotifier {
  const clock = options.clock ?? systemClock
  const N = () =>
    options.Notification === undefined
      ? ((globalThis as { Notification?: NotificationConstructorLike }).Notification ?? null)
      : options.Notification
  const doc = () =>
    options.document === undefined
      ? ((globalThis as { document?: DocumentLike }).document ?? null)
      : options.document
  const focus =
    options.focus ??
    (() => {
      ;(globalThis as { focus?: () => void }).focus?.()
    })

  const open = new Map<string, NotificationLike>()
  let flashTimer: unknown = null
  let originalTitle: string | null = null

  return {
    permission() {
      return N()?.permission ?? 'unsupported'
    },
    async requestPermission() {
      const Ctor = N()
      if (!Ctor) return 'unsupported'
      if (Ctor.permission !== 'default') return Ctor.permission
      return Ctor.requestPermission()
    },
    isHidden() {
      return doc()?.visibilityState === 'hidden'
    },
    show(tag, title, body, onClick) {
      const Ctor = N()
      if (Ctor?.permission !== 'granted' || open.has(tag)) return
      try {
        const n = new Ctor(title, { body, tag, requireInteraction: true })
        n.onclick = () => {
          focus()
          onClick?.()
          n.close()
          open.delete(tag)
        }
        open.set(tag, n)
      } catch {
        // Chrome on Android only allows notifications from a service worker.
      }
    },
    close(tag) {
      open.get(tag)?.close()
      open.delete(tag)
    },
    closeAll() {
      for (const n of open.values()) n.close()
      open.clear()
    },
    flashTitle(text) {
      const d = doc()
      if (!d || flashTimer !== null) return
      originalTitle = d.title
      let on = false
      const tick = () => {
        on = !on
        d.title = on ? text : (originalTitle ?? '')
        flashTimer = clock.setTimeout(tick, 1000)
      }
      tick()
    },
    stopFlashing() {
      if (flashTimer === null) return
      clock.clearTimeout(flashTimer)
      flashTimer = null
      const d = doc()
      if (d && originalTitle !== null) d.title = originalTitle
      originalTitle = null
    },
    get flashing() {
      return flashTimer !== null
    },
  }
}
