import { describe, expect, it } from 'vitest'
import { createDeviceManager, DEVICE_STORAGE_KEY, type MediaDevicesLike } from './deviceManager'
import type { AudioDeviceKind, DeviceStorage } from './types'

type Info = Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'groupId' | 'label'>
const mic = (deviceId: string, label: string): Info => ({
  kind: 'audioinput',
  deviceId,
  groupId: deviceId,
  label,
})
const spk = (deviceId: string, label: string): Info => ({
  kind: 'audiooutput',
  deviceId,
  groupId: deviceId,
  label,
})

/** A plug board: `plug`/`unplug` change what `enumerateDevices` lists and fire `devicechange`. */
function fakeDevices(initial: Info[]) {
  let list = initial
  const listeners = new Set<() => void>()
  const media: MediaDevicesLike = {
    enumerateDevices: async () => list as MediaDeviceInfo[],
    getUserMedia: async () => ({ getTracks: () => [] }) as unknown as MediaStream,
    addEventListener: (_type, l) => void listeners.add(l),
    removeEventListener: (_type, l) => void listeners.delete(l),
  }
  return {
    media,
    set(next: Info[]) {
      list = next
      for (const l of listeners) l()
    },
  }
}

function memoryStorage(
  initial: Record<string, string> = {},
): DeviceStorage & { data: Record<string, string> } {
  const data = { ...initial }
  return {
    data,
    getItem: (k) => data[k] ?? null,
    setItem: (k, v) => {
      data[k] = v
    },
  }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

function manager(media: MediaDevicesLike, storage: DeviceStorage | null) {
  const switches: Array<[AudioDeviceKind, string]> = []
  let changes = 0
  const dm = createDeviceManager({
    mediaDevices: media,
    permissions: null,
    canSelectOutput: true,
    storage,
    onChange: () => void changes++,
    onAutoSwitch: (kind, id) => void switches.push([kind, id]),
  })
  return { dm, switches, changes: () => changes }
}

const builtIn = [
  mic('default', 'Default'),
  mic('builtin', 'Built-in mic'),
  spk('default', 'Default speakers'),
]
const headset = mic('usb-1', 'USB headset')

describe('deviceManager: chosen devices are remembered, replaced when unplugged, followed when back', () => {
  it('remembers a choice and uses it on the next visit once the device is listed', async () => {
    const storage = memoryStorage()
    const board = fakeDevices([...builtIn, headset])
    const first = manager(board.media, storage)
    first.dm.start()
    await settle()
    first.dm.select('audioinput', 'usb-1')
    expect(JSON.parse(storage.data[DEVICE_STORAGE_KEY] ?? '{}')).toEqual({ audioinput: 'usb-1' })
    first.dm.stop()

    const next = manager(board.media, storage)
    // Nothing read before start(): the first render matches the server's.
    expect(next.dm.devices.selected.audioinput).toBeNull()
    next.dm.start()
    await settle()
    expect(next.dm.devices.selected.audioinput).toBe('usb-1')
    expect(next.dm.devices.notice).toBeNull()
  })

  it('falls back to the default when the chosen device is unplugged, says so, and goes back when it returns', async () => {
    const board = fakeDevices([...builtIn, headset])
    const { dm, switches } = manager(board.media, null)
    dm.start()
    await settle()
    dm.select('audioinput', 'usb-1')

    board.set(builtIn)
    await settle()
    expect(dm.devices.selected.audioinput).toBeNull()
    expect(dm.devices.notice).toEqual({ type: 'fell-back', kind: 'audioinput', label: 'USB headset' })
    expect(switches).toEqual([['audioinput', 'default']])

    board.set([...builtIn, headset])
    await settle()
    expect(dm.devices.selected.audioinput).toBe('usb-1')
    expect(dm.devices.notice).toEqual({ type: 'restored', kind: 'audioinput', label: 'USB headset' })
    expect(switches).toEqual([
      ['audioinput', 'default'],
      ['audioinput', 'usb-1'],
    ])

    // A choice by the user clears the notice.
    dm.select('audioinput', 'builtin')
    expect(dm.devices.notice).toBeNull()
  })

  it('switches to the first device where the browser has no "default" entry', async () => {
    const board = fakeDevices([mic('a', 'Mic A'), mic('b', 'Mic B')])
    const { dm, switches } = manager(board.media, null)
    dm.start()
    await settle()
    dm.select('audioinput', 'b')
    board.set([mic('a', 'Mic A')])
    await settle()
    expect(switches).toEqual([['audioinput', 'a']])
  })

  it('changes nothing while the browser hides device ids (no permission yet)', async () => {
    const storage = memoryStorage({ [DEVICE_STORAGE_KEY]: JSON.stringify({ audioinput: 'usb-1' }) })
    const board = fakeDevices([mic('', ''), spk('', '')])
    const { dm, switches } = manager(board.media, storage)
    dm.start()
    await settle()
    expect(dm.devices.selected.audioinput).toBeNull()
    expect(dm.devices.notice).toBeNull()
    expect(switches).toEqual([])
    // Permission granted: ids appear, the remembered headset is in use.
    board.set([...builtIn, headset])
    await settle()
    expect(dm.devices.selected.audioinput).toBe('usb-1')
    expect(switches).toEqual([['audioinput', 'usb-1']])
  })

  it('survives storage that throws or holds junk', async () => {
    const throwing: DeviceStorage = {
      getItem: () => {
        throw new Error('SecurityError')
      },
      setItem: () => {
        throw new Error('QuotaExceededError')
      },
    }
    const board = fakeDevices([...builtIn, headset])
    const a = manager(board.media, throwing)
    a.dm.start()
    await settle()
    a.dm.select('audioinput', 'usb-1')
    expect(a.dm.devices.selected.audioinput).toBe('usb-1')

    for (const junk of [
      'not json',
      '[1,2]',
      JSON.stringify({ audioinput: 42, audiooutput: 'x'.repeat(600) }),
    ]) {
      const b = manager(board.media, memoryStorage({ [DEVICE_STORAGE_KEY]: junk }))
      b.dm.start()
      await settle()
      expect(b.dm.devices.selected).toEqual({ audioinput: null, audiooutput: null })
    }
  })
})
