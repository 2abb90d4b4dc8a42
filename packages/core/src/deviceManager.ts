import { microphoneError } from './microphoneError'
import type { RinglineError } from './ringlineError'
import type { AudioDevice, AudioDeviceKind, DevicesState, MicrophonePermission } from './types'

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
  onChange(): void
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
  }
  let permission: MicrophonePermission = 'prompt'
  let permissionFromQuery = false
  let status: PermissionStatusLike | null = null
  let started = false
  let lastError: RinglineError | null = null
  let generation = 0

  const setPermission = (next: MicrophonePermission) => {
    if (next === permission) return
    permission = next
    options.onChange()
  }

  const onPermissionChange = () => {
    const s = status?.state
    if (s === 'granted' || s === 'denied' || s === 'prompt') {
      setPermission(s)
      void refresh()
    }
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
    // Without the Permissions API, labels are the only hint that access was granted.
    if (!permissionFromQuery && infos.some((d) => d.kind === 'audioinput' && d.label))
      setPermission('granted')
    const next: DevicesState = {
      ...devices,
      audioinput: sameList(audioinput, devices.audioinput) ? devices.audioinput : audioinput,
      audiooutput: sameList(audiooutput, devices.audiooutput) ? devices.audiooutput : audiooutput,
    }
    if (next.audioinput !== devices.audioinput || next.audiooutput !== devices.audiooutput) {
      devices = next
      options.onChange()
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
      media()?.addEventListener('devicechange', onDeviceChange)
      const p = perms()
      if (p) {
        p.query({ name: 'microphone' })
          .then((s) => {
            if (!started || gen !== generation) return
            status = s
            permissionFromQuery = true
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
      status?.removeEventListener('change', onPermissionChange)
      status = null
    },
    refresh,
    select(kind, deviceId) {
      if (devices.selected[kind] === deviceId) return
      devices = { ...devices, selected: { ...devices.selected, [kind]: deviceId } }
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
        setPermission('granted')
      } catch (error) {
        lastError = microphoneError(error)
        if (lastError.code === 'MICROPHONE_PERMISSION_DENIED') setPermission('denied')
        else options.onChange()
      }
      await refresh()
      return permission
    },
    notePermission(next) {
      setPermission(next)
    },
  }
}
