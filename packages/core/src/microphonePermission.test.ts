import { describe, expect, it } from 'vitest'
import {
  createDeviceManager,
  type FocusTargetLike,
  type MediaDevicesLike,
  type PermissionStatusLike,
} from './deviceManager'
import { microphoneStateOf } from './microphoneError'
import { detectBrowser, microphoneHelp } from './microphoneHelp'
import { RinglineError } from './ringlineError'
import type { MicrophonePermission } from './types'

const settle = () => new Promise((r) => setTimeout(r, 0))
const domError = (name: string) => Object.assign(new Error(name), { name })

/** A browser: devices, a permission status whose state can change (with or without a `change` event), focus. */
function browser(
  options: { inputs?: number; state?: string; getUserMedia?: () => Promise<MediaStream> } = {},
) {
  let inputs = options.inputs ?? 1
  const deviceListeners = new Set<() => void>()
  const focusListeners = new Set<() => void>()
  const statusListeners = new Set<() => void>()
  const status: PermissionStatusLike = {
    state: options.state ?? 'prompt',
    addEventListener: (_t, l) => void statusListeners.add(l),
    removeEventListener: (_t, l) => void statusListeners.delete(l),
  }
  let gum = options.getUserMedia ?? (async () => ({ getTracks: () => [] }) as unknown as MediaStream)
  const media: MediaDevicesLike = {
    enumerateDevices: async () =>
      Array.from({ length: inputs }, (_, i) => ({
        kind: 'audioinput',
        deviceId: status.state === 'granted' ? `mic${i}` : '',
        groupId: '',
        label: status.state === 'granted' ? `Mic ${i}` : '',
      })) as MediaDeviceInfo[],
    getUserMedia: () => gum(),
    addEventListener: (_t, l) => void deviceListeners.add(l),
    removeEventListener: (_t, l) => void deviceListeners.delete(l),
  }
  const focus: FocusTargetLike = {
    addEventListener: (_t, l) => void focusListeners.add(l),
    removeEventListener: (_t, l) => void focusListeners.delete(l),
  }
  let policy = true
  const dm = createDeviceManager({
    mediaDevices: media,
    permissions: { query: async () => status },
    focusTarget: focus,
    allowedByPolicy: () => policy,
    storage: null,
    onChange() {},
  })
  return {
    dm,
    /** The person changes the site setting; `event: false` for browsers that fire no `change`. */
    setState(state: string, event = true) {
      status.state = state
      if (event) for (const l of statusListeners) l()
    },
    plug(count: number) {
      inputs = count
      for (const l of deviceListeners) l()
    },
    focus: () => {
      for (const l of focusListeners) l()
    },
    failNext(name: string) {
      gum = async () => {
        throw domError(name)
      }
    },
    succeed() {
      gum = async () => ({ getTracks: () => [] }) as unknown as MediaStream
    },
    forbid() {
      policy = false
    },
  }
}

describe('microphone permission as a person meets it', () => {
  it('is unknown until the browser says, then follows the Permissions API', async () => {
    const b = browser({ state: 'prompt' })
    expect(b.dm.permission).toBe('unknown')
    b.dm.start()
    await settle()
    expect(b.dm.permission).toBe('prompt')
    b.setState('granted')
    await settle()
    expect(b.dm.permission).toBe('granted')
    b.setState('denied')
    expect(b.dm.permission).toBe('denied')
  })

  it('re-checks on focus where the browser fires no change event', async () => {
    const b = browser({ state: 'denied' })
    b.dm.start()
    await settle()
    expect(b.dm.permission).toBe('denied')
    b.setState('granted', false)
    expect(b.dm.permission).toBe('denied')
    b.focus()
    await settle()
    expect(b.dm.permission).toBe('granted')
  })

  it('says no-device when none is connected, and recovers when one is plugged in', async () => {
    const b = browser({ state: 'granted', inputs: 0 })
    b.dm.start()
    await settle()
    expect(b.dm.permission).toBe('no-device')
    b.plug(1)
    await settle()
    expect(b.dm.permission).toBe('granted')
  })

  it('learns in-use and denied from a failed start, and clears them when the microphone starts', async () => {
    const b = browser({ state: 'prompt' })
    b.dm.start()
    await settle()
    b.failNext('NotReadableError')
    await expect(b.dm.requestPermission()).resolves.toBe('in-use')
    expect(b.dm.lastError?.code).toBe('MICROPHONE_NOT_FOUND')
    b.succeed()
    await expect(b.dm.requestPermission()).resolves.toBe('granted')
    b.failNext('NotAllowedError')
    b.dm.notePermission(microphoneStateOf(domError('NotAllowedError')) as MicrophonePermission)
    expect(b.dm.permission).toBe('denied')
  })

  it('says blocked-by-policy when the Permissions Policy forbids the microphone', async () => {
    const b = browser({ state: 'prompt' })
    b.forbid()
    b.dm.start()
    await settle()
    expect(b.dm.permission).toBe('blocked-by-policy')
  })
})

describe('microphoneStateOf', () => {
  it('maps browser errors (raw or wrapped) to states', () => {
    expect(microphoneStateOf(domError('NotAllowedError'), true)).toBe('denied')
    expect(microphoneStateOf(domError('NotAllowedError'), false)).toBe('blocked-by-policy')
    expect(microphoneStateOf(domError('NotFoundError'))).toBe('no-device')
    expect(microphoneStateOf(domError('OverconstrainedError'))).toBe('no-device')
    expect(microphoneStateOf(domError('NotReadableError'))).toBe('in-use')
    const wrapped = new RinglineError('CONNECTION_FAILED', 'x', { cause: domError('NotReadableError') })
    expect(microphoneStateOf(wrapped)).toBe('in-use')
    expect(microphoneStateOf(new Error('network'))).toBeNull()
  })
})

describe('microphoneHelp', () => {
  const UA = {
    chrome:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    safari:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
  }
  it('detects the browser family', () => {
    for (const [family, ua] of Object.entries(UA)) expect(detectBrowser(ua)).toBe(family)
    expect(detectBrowser('curl/8')).toBe('other')
  })

  it('gives a step for every state that needs one, in the browser’s own words where they differ', () => {
    const states: MicrophonePermission[] = ['prompt', 'denied', 'blocked-by-policy', 'no-device', 'in-use']
    for (const s of states) expect(microphoneHelp(s, 'chrome')).toMatch(/\w/)
    expect(microphoneHelp('granted', 'chrome')).toBeNull()
    expect(microphoneHelp('unknown', 'chrome')).toBeNull()
    const denied = new Set(
      ['chrome', 'edge', 'firefox', 'safari'].map((b) => microphoneHelp('denied', b as 'chrome')),
    )
    expect(denied.size).toBe(4)
  })
})
