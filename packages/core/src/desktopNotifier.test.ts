import { describe, expect, it, vi } from 'vitest'
import {
  createDesktopNotifier,
  type NotificationConstructorLike,
  type NotificationLike,
} from './desktopNotifier'
import { createFakeClock } from './testing/fakeClock'

function fakeNotification(permission: NotificationPermission) {
  const shown: Array<{
    title: string
    options?: NotificationOptions
    n: NotificationLike & { closed: boolean }
  }> = []
  const Ctor = function (
    this: NotificationLike & { closed: boolean },
    title: string,
    options?: NotificationOptions,
  ) {
    this.onclick = null
    this.closed = false
    this.close = () => {
      this.closed = true
    }
    shown.push({ title, options, n: this })
  } as unknown as NotificationConstructorLike
  Object.assign(Ctor, { permission, requestPermission: vi.fn(async () => 'granted' as const) })
  return { Ctor, shown }
}

describe('createDesktopNotifier', () => {
  it('shows one notification per tag when permitted; a click focuses the tab and closes it', () => {
    const { Ctor, shown } = fakeNotification('granted')
    const focus = vi.fn()
    const onClick = vi.fn()
    const notifier = createDesktopNotifier({ Notification: Ctor, document: null, focus })
    notifier.show('in_1', 'Incoming call', '+14155550123', onClick)
    notifier.show('in_1', 'Incoming call', '+14155550123')
    expect(shown).toHaveLength(1)
    expect(shown[0]?.options).toMatchObject({ body: '+14155550123', tag: 'in_1', requireInteraction: true })
    shown[0]?.n.onclick?.({})
    expect(focus).toHaveBeenCalledOnce()
    expect(onClick).toHaveBeenCalledOnce()
    expect(shown[0]?.n.closed).toBe(true)
  })

  it('stays quiet without permission and asks only when undecided', async () => {
    const denied = fakeNotification('denied')
    const n1 = createDesktopNotifier({ Notification: denied.Ctor, document: null })
    n1.show('x', 't', 'b')
    expect(denied.shown).toHaveLength(0)
    expect(await n1.requestPermission()).toBe('denied')
    const undecided = fakeNotification('default')
    expect(await createDesktopNotifier({ Notification: undecided.Ctor }).requestPermission()).toBe('granted')
    expect(createDesktopNotifier({ Notification: null }).permission()).toBe('unsupported')
  })

  it('flashes the title and restores it', () => {
    const clock = createFakeClock()
    const doc = { title: 'Inbox', visibilityState: 'hidden', addEventListener() {}, removeEventListener() {} }
    const notifier = createDesktopNotifier({ Notification: null, document: doc, clock })
    expect(notifier.isHidden()).toBe(true)
    notifier.flashTitle('📞 Incoming call')
    expect(doc.title).toBe('📞 Incoming call')
    clock.advance(1000)
    expect(doc.title).toBe('Inbox')
    clock.advance(1000)
    expect(doc.title).toBe('📞 Incoming call')
    notifier.stopFlashing()
    expect(doc.title).toBe('Inbox')
    expect(clock.pending()).toBe(0)
  })
})
