import { microphoneAllowedByPolicy, microphoneError, microphoneStateOf } from './microphoneError'
import type { RinglineError } from './ringlineError'
import type {
  AudioDevice,
  AudioDeviceKind,
  DeviceNotice,
  DeviceStorage,
  DevicesState,
  MicrophonePermission,
} from './types'

/** The parts of `navigator.mediaDevices` Ringline uses. */
export interface MediaDevicesLike {
  enumerateDevices(): Promise<MediaDeviceInfo[]>
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>
  addEventListener(type: 'devicechange', listener: () => void): void
  removeEventListener(type: 'devicechange', listener: () => void): void
}

/** The parts of a `PermissionStatus` Ringline uses. */
export interface PermissionStatusLike {
  state: string
  addEventListener(type: 'change', listener: () => void): void
  removeEventListener(type: 'change', listener: () => void): void
}

/** The parts of `navigator.permissions` Ringline uses. */
export interface PermissionsLike {
  query(descriptor: { name: string }): Promise<PermissionStatusLike>
}

/** Options of `createDeviceManager`. */
export interface DeviceManagerOptions {
  /** Default `navigator.mediaDevices`; null disables device handling (SSR, tests). */
  mediaDevices?: MediaDevicesLike | null
  /** Default `navigator.permissions`. */
  permissions?: PermissionsLike | null
  /** Whether audio output can be chosen; default: `HTMLMediaElement.prototype.setSinkId` exists. */
  canSelectOutput?: boolean
  /** Initially selected devices (e.g. restored from storage). */
  selected?: Partial<DevicesState['selected']>
  /** Where choices are remembered; default `localStorage`, `null` for none. Read in `start()`, not before (SSR). */
  storage?: DeviceStorage | null
  onChange(): void
  /**
   * The device in use changed without the user choosing (theirs was unplugged, or came back): switch the
   * live call to `deviceId` (the default device when theirs is gone).
   */
  onAutoSwitch?(kind: AudioDeviceKind, deviceId: string): void
  /** Where focus returns (permission re-checked then: not every browser fires `change`); default `window`. */
  focusTarget?: FocusTargetLike | null
  /** Whether the Permissions Policy allows the microphone; default `document.permissionsPolicy`. */
  allowedByPolicy?: () => boolean
}

/** The parts of `window` the permission re-check on focus uses. */
export interface FocusTargetLike {
  addEventListener(type: 'focus', listener: () => void): void
  removeEventListener(type: 'focus', listener: () => void): void
}

/** The storage key of the remembered device choices. */
export const DEVICE_STORAGE_KEY = 'ringline.devices'

const KINDS: readonly AudioDeviceKind[] = ['audioinput', 'audiooutput']

function defaultStorage(): DeviceStorage | null {
  try {
    return (globalThis as { localStorage?: DeviceStorage }).localStorage ?? null
  } catch {
    return null // Access can throw (blocked storage, sandboxed frames).
  }
}

function readChoices(storage: DeviceStorage | null): Partial<Record<AudioDeviceKind, string>> {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(DEVICE_STORAGE_KEY) ?? 'null')
    if (!parsed || typeof parsed !== 'object') return {}
    const out: Partial<Record<AudioDeviceKind, string>> = {}
    for (const kind of KINDS) {
      const v = (parsed as Record<string, unknown>)[kind]
      if (typeof v === 'string' && v.length > 0 && v.length < 512) out[kind] = v
    }
    return out
  } catch {
    return {}
  }
}

/** The id that means "the system default" in this list: Chrome's `default` entry, else the first device. */
function defaultDeviceId(list: readonly AudioDevice[]): string {
  return list.find((d) => d.deviceId === 'default')?.deviceId ?? list[0]?.deviceId ?? 'default'
}

/** Audio device lists, selection and microphone permission, kept current while started. */
export interface DeviceManager {
  readonly devices: DevicesState
  readonly permission: MicrophonePermission
  start(): void
  stop(): void
  refresh(): Promise<void>
  select(kind: AudioDeviceKind, deviceId: string): void
  /** Ask for the microphone (shows the browser prompt); resolves to the resulting permission. */
  requestPermission(): Promise<MicrophonePermission>
  /** Record a permission learnt elsewhere (e.g. a failed getUserMedia during a call). */
  notePermission(permission: MicrophonePermission): void
  readonly lastError: RinglineError | null
}

const EMPTY: readonly AudioDevice[] = []

function sameList(a: readonly AudioDevice[], b: readonly AudioDevice[]): boolean {
  return (
    a.length === b.length &&
    a.every((d, i) => {
      const o = b[i]
      return o !== undefined && d.deviceId === o.deviceId && d.label === o.label && d.groupId === o.groupId
    })
  )
}

/** Create the device manager; it touches `navigator` only in `start()`. */
export function createDeviceManager(options: DeviceManagerOptions): DeviceManager {
  const media = () =>
    options.mediaDevices === undefined
      ? ((globalThis.navigator?.mediaDevices as MediaDevicesLike | undefined) ?? null)
      : options.mediaDevices
  const perms = () =>
    options.permissions === undefined
      ? ((globalThis.navigator?.permissions as PermissionsLike | undefined) ?? null)
      : options.permissions
  const canSelectOutput =
    options.canSelectOutput ??
    (typeof globalThis.HTMLMediaElement !== 'undefined' &&
      'setSinkId' in globalThis.HTMLMediaElement.prototype)

  let devices: DevicesState = {
    audioinput: EMPTY,
    audiooutput: EMPTY,
    selected: {
      audioinput: options.selected?.audioinput ?? null,
      audiooutput: options.selected?.audiooutput ?? null,
    },
    canSelectOutput,
    notice: null,
  }
  const storage = () => (options.storage === undefined ? defaultStorage() : options.storage)
  /** What the user chose (remembered), as opposed to `devices.selected`, what is in use now. */
  const chosen: Partial<Record<AudioDeviceKind, string>> = {}
  for (const kind of KINDS) {
    const id = options.selected?.[kind]
    if (id) chosen[kind] = id
  }
  /** Labels of devices seen, to name a device after it is gone. */
  const labels = new Map<string, string>()
  let permission: MicrophonePermission = 'unknown'
  /** What `navigator.permissions` says, when it says. */
  let queried: 'prompt' | 'granted' | 'denied' | null = null
  /** What the last microphone start taught (denied, in use, no device …); cleared by success or a permission change. */
  let failure: MicrophonePermission | null = null
  /** Evidence of access without the Permissions API: device labels, or a microphone that started. */
  let grantedSeen = false
  let enumerated = false
  let inputCount = 0
  let status: PermissionStatusLike | null = null
  let started = false
  let lastError: RinglineError | null = null
  let generation = 0
  const allowedByPolicy = options.allowedByPolicy ?? (() => microphoneAllowedByPolicy())
  const focusTarget = () =>
    options.focusTarget === undefined
      ? ((globalThis as { window?: FocusTargetLike }).window ?? null)
      : options.focusTarget

  /** One state from every signal, most actionable first. */
  const computePermission = (): MicrophonePermission => {
    if (!allowedByPolicy() || failure === 'blocked-by-policy') return 'blocked-by-policy'
    if (queried === 'denied' || failure === 'denied') return 'denied'
    if (enumerated && inputCount === 0) return 'no-device'
    if (failure) return failure
    if (queried) return queried
    if (grantedSeen) return 'granted'
    return enumerated ? 'prompt' : 'unknown'
  }
  const updatePermission = () => {
    const next = computePermission()
    if (next === permission) return
    permission = next
    options.onChange()
  }

  /** A microphone started: that is access, whatever a stale permission query said. */
  const noteGranted = () => {
    failure = null
    grantedSeen = true
    if (queried !== null) queried = 'granted'
  }

  const onPermissionChange = () => {
    const s = status?.state
    if ((s === 'granted' || s === 'denied' || s === 'prompt') && s !== queried) {
      queried = s
      // The person changed the setting: what the last failure said no longer holds.
      if (failure === 'denied' || s === 'granted') failure = null
      updatePermission()
      void refresh()
    }
  }
  const onFocus = () => {
    onPermissionChange()
    void refresh()
  }

  async function refresh() {
    const md = media()
    if (!md) return
    const gen = generation
    let infos: MediaDeviceInfo[]
    try {
      infos = await md.enumerateDevices()
    } catch {
      return
    }
    if (gen !== generation) return
    const pick = (kind: AudioDeviceKind) =>
      infos
        .filter((d) => d.kind === kind)
        .map((d, i) => ({
          deviceId: d.deviceId,
          groupId: d.groupId,
          kind,
          label: d.label || (kind === 'audioinput' ? `Microphone ${i + 1}` : `Speaker ${i + 1}`),
        }))
    const audioinput = pick('audioinput')
    const audiooutput = pick('audiooutput')
    for (const d of [...audioinput, ...audiooutput])
      if (d.deviceId) labels.set(`${d.kind}:${d.deviceId}`, d.label)
    // Without the Permissions API, labels are the only hint that access was granted.
    if (infos.some((d) => d.kind === 'audioinput' && d.label)) grantedSeen = true
    enumerated = true
    inputCount = audioinput.length
    // A microphone plugged in: "none found" no longer holds.
    if (failure === 'no-device' && inputCount > 0) failure = null
    updatePermission()
    const next: DevicesState = {
      ...devices,
      audioinput: sameList(audioinput, devices.audioinput) ? devices.audioinput : audioinput,
      audiooutput: sameList(audiooutput, devices.audiooutput) ? devices.audiooutput : audiooutput,
    }
    const switches = follow(next)
    if (
      next.audioinput !== devices.audioinput ||
      next.audiooutput !== devices.audiooutput ||
      next.selected !== devices.selected ||
      next.notice !== devices.notice
    ) {
      devices = next
      options.onChange()
    }
    for (const [kind, id] of switches) options.onAutoSwitch?.(kind, id)
  }

  /**
   * Keeps the device in use in line with the user's choice and the devices present: the chosen one when it
   * is plugged in, the default while it is not. Mutates `next.selected`/`next.notice` (a fresh object) and
   * returns the switches a live call must make.
   */
  function follow(next: DevicesState): Array<[AudioDeviceKind, string]> {
    const switches: Array<[AudioDeviceKind, string]> = []
    for (const kind of KINDS) {
      const list = next[kind]
      // Before permission the browser hides device ids: nothing can be known to be gone.
      if (!list.some((d) => d.deviceId !== '')) continue
      const want = chosen[kind]
      if (!want) continue
      const present = list.some((d) => d.deviceId === want)
      const inUse = next.selected[kind]
      const label = labels.get(`${kind}:${want}`) ?? want
      let notice: DeviceNotice | null | undefined
      let selected: string | null | undefined
      if (present && inUse !== want) {
        selected = want
        // Back after being unplugged (not merely restored on load): say so.
        if (next.notice?.type === 'fell-back' && next.notice.kind === kind)
          notice = { type: 'restored', kind, label }
        switches.push([kind, want])
      } else if (!present && inUse === want) {
        selected = null
        notice = { type: 'fell-back', kind, label }
        switches.push([kind, defaultDeviceId(list)])
      }
      if (selected !== undefined) next.selected = { ...next.selected, [kind]: selected }
      if (notice !== undefined) next.notice = notice
    }
    return switches
  }

  function remember() {
    try {
      storage()?.setItem(DEVICE_STORAGE_KEY, JSON.stringify(chosen))
    } catch {
      // Full or blocked storage: the choice holds for this page only.
    }
  }

  const onDeviceChange = () => void refresh()

  return {
    get devices() {
      return devices
    },
    get permission() {
      return permission
    },
    get lastError() {
      return lastError
    },
    start() {
      if (started) return
      started = true
      generation++
      const gen = generation
      // Remembered choices apply from here (after hydration), unless this page chose already.
      const stored = readChoices(storage())
      for (const kind of KINDS) {
        const id = stored[kind]
        // In use once the device list shows it is plugged in (refresh below).
        if (id && !chosen[kind]) chosen[kind] = id
      }
      media()?.addEventListener('devicechange', onDeviceChange)
      focusTarget()?.addEventListener('focus', onFocus)
      updatePermission()
      const p = perms()
      if (p) {
        p.query({ name: 'microphone' })
          .then((s) => {
            if (!started || gen !== generation) return
            status = s
            s.addEventListener('change', onPermissionChange)
            onPermissionChange()
          })
          .catch(() => {})
      }
      void refresh()
    },
    stop() {
      if (!started) return
      started = false
      generation++
      media()?.removeEventListener('devicechange', onDeviceChange)
      focusTarget()?.removeEventListener('focus', onFocus)
      status?.removeEventListener('change', onPermissionChange)
      status = null
    },
    refresh,
    select(kind, deviceId) {
      chosen[kind] = deviceId
      remember()
      if (devices.selected[kind] === deviceId && devices.notice === null) return
      devices = { ...devices, selected: { ...devices.selected, [kind]: deviceId }, notice: null }
      options.onChange()
    },
    async requestPermission() {
      const md = media()
      if (!md) return permission
      try {
        const stream = await md.getUserMedia({
          audio: devices.selected.audioinput ? { deviceId: devices.selected.audioinput } : true,
        })
        for (const track of stream.getTracks()) track.stop()
        lastError = null
        noteGranted()
        updatePermission()
      } catch (error) {
        lastError = microphoneError(error)
        failure = microphoneStateOf(error, allowedByPolicy()) ?? failure
        if (computePermission() === permission) options.onChange()
        else updatePermission()
      }
      await refresh()
      return permission
    },
    notePermission(next) {
      if (next === 'granted') noteGranted()
      else if (next === 'prompt' || next === 'unknown') failure = null
      else failure = next
      updatePermission()
    },
  }
}
