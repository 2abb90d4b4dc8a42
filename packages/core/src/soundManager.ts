// Call sounds generated with Web Audio (no asset files): ringtone, ringback, call-waiting beep, DTMF tones,
// and hold music as a MediaStreamTrack to publish into the room. Knows when autoplay is blocked.
// This file is the eager part: the types and a small facade; the engine (soundEngine.ts) loads with import() as
// soon as a manager is created where Web Audio exists. Sounds asked for before it lands play when it does.
import { systemClock } from './clock'
import type { DtmfDigit } from './dtmf'
import { lazyModule } from './lazyModule'
import type { AudioReadiness, Clock } from './types'

/** A looping call sound. */
export type SoundName = 'ringtone' | 'ringback' | 'callWaiting'

/** The parts of `AudioContext` Ringline uses. */
export interface AudioContextLike {
  readonly state: string
  readonly currentTime: number
  readonly destination: AudioNode
  onstatechange: (() => void) | null
  resume(): Promise<void>
  close(): Promise<void>
  createGain(): GainNode
  createOscillator(): OscillatorNode
  createMediaStreamDestination?(): MediaStreamAudioDestinationNode
  setSinkId?(sinkId: string): Promise<void>
}

/** Constructor of an `AudioContext`. */
export type AudioContextConstructor = new () => AudioContextLike

/** Options of `createSoundManager`. */
export interface SoundManagerOptions {
  /** Default `globalThis.AudioContext`; null disables sound (SSR, tests). */
  AudioContext?: AudioContextConstructor | null
  /** 0–1, default 0.6. */
  volume?: number
  /** Output device for the ringtone (speakers while the headset is on the desk); needs `AudioContext.setSinkId`. */
  ringDeviceId?: string | null
  /** Default `navigator.userActivation`: tells whether the page had a user gesture yet. */
  userActivation?: { readonly hasBeenActive: boolean } | null
  /** Where to listen for the first gesture to unlock audio; default `window`. */
  unlockTarget?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null
  clock?: Clock
}

/** Plays and stops call sounds and reports `readiness`. */
export interface SoundManager {
  /** `blocked` until a user gesture lets the page play sound. */
  readonly readiness: AudioReadiness
  readonly volume: number
  /** True where the ringtone can go to its own output device. */
  readonly canSelectRingDevice: boolean
  subscribe(listener: () => void): () => void
  /** Start a looping sound (idempotent); while blocked it starts as soon as audio is unlocked. */
  play(name: SoundName): void
  stop(name: SoundName): void
  stopAll(): void
  isPlaying(name: SoundName): boolean
  /** Play the local tone of DTMF digits, one after another. */
  playDtmf(digits: string): void
  /**
   * Play a short test tone (about 1 s, 440 Hz) on the ringtone's output; resolves true when it played (audio
   * unlocked), false when the browser still blocks sound or there is no Web Audio. Call from a click.
   */
  playTestTone?(): Promise<boolean>
  /** A track of soft generated hold music to publish into the room; null without Web Audio. */
  createHoldMusic(): { track: MediaStreamTrack; stop(): void } | null
  setVolume(volume: number): void
  setRingDevice(deviceId: string | null): Promise<void>
  /** Unlock audio; call from a click or key handler. */
  unlock(): Promise<void>
  /** Listen for the first user gesture to unlock audio (the client does this when it gets its first subscriber). */
  listen(): void
  /** Stop listening for gestures. */
  unlisten(): void
  destroy(): void
}

const DTMF_FREQS: Record<DtmfDigit, [number, number]> = (() => {
  const rows = [697, 770, 852, 941]
  const cols = [1209, 1336, 1477, 1633]
  const layout = ['123A', '456B', '789C', '*0#D']
  const out = {} as Record<DtmfDigit, [number, number]>
  layout.forEach((row, r) => {
    ;[...row].forEach((digit, c) => {
      out[digit as DtmfDigit] = [rows[r] as number, cols[c] as number]
    })
  })
  return out
})()

/** The two frequencies (Hz) of a DTMF digit. */
export function dtmfFrequencies(digit: DtmfDigit): [number, number] {
  return DTMF_FREQS[digit]
}

function clamp(v: number) {
  return Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0.6))
}

/** The sound engine's module, loaded on first use. Internal. */
export const soundEngineModule = /* @__PURE__ */ lazyModule(() => import('./soundEngine'))

/**
 * A sound manager before and after its engine loaded. Before: the sync getters answer as the engine would with no
 * sound made yet, the loops asked for are remembered (a stop forgets them) and DTMF tones queue; when the engine
 * lands it gets the volume, ring device and gesture listening set meanwhile and plays what is still asked for.
 * After: everything goes to the engine.
 */
class SoundManagerFacade implements SoundManager {
  #options: SoundManagerOptions
  #clock: Clock
  #engine: SoundManager | null = null
  #volume: number
  #ringDevice: string | null
  #wanted = new Set<SoundName>()
  #dtmf = ''
  #listening = false
  #destroyed = false
  #listeners = new Set<() => void>()

  constructor(options: SoundManagerOptions) {
    this.#options = options
    this.#clock = options.clock ?? systemClock
    this.#volume = clamp(options.volume ?? 0.6)
    this.#ringDevice = options.ringDeviceId ?? null
    // Touches no browser global here (SSR): the engine starts loading on `listen()` (the client's first
    // subscriber) or the first sound asked for.
    if (soundEngineModule.loaded) this.#create(soundEngineModule.loaded)
  }

  /** Start loading the engine; without Web Audio (SSR, tests) there is nothing to load: every sound is silent. */
  #warm() {
    if (!this.#engine && !this.#destroyed && this.#AC()) void this.#load().catch(() => {})
  }

  #AC(): AudioContextConstructor | null {
    if (this.#options.AudioContext !== undefined) return this.#options.AudioContext
    const g = globalThis as {
      AudioContext?: AudioContextConstructor
      webkitAudioContext?: AudioContextConstructor
    }
    return g.AudioContext ?? g.webkitAudioContext ?? null
  }

  #load(): Promise<SoundManager> {
    if (this.#engine) return Promise.resolve(this.#engine)
    return soundEngineModule.load().then((m) => this.#create(m))
  }

  #create(module: typeof import('./soundEngine')): SoundManager {
    if (this.#engine) return this.#engine
    const engine = module.createSoundEngine(
      { ...this.#options, volume: this.#volume, ringDeviceId: this.#ringDevice },
      {
        dtmfFrequencies: (digit) => DTMF_FREQS[digit],
        clock: this.#clock,
        audioContext: () => this.#AC(),
        activation: () => this.#activation(),
        clampVolume: clamp,
      },
    )
    this.#engine = engine
    engine.subscribe(() => this.#notify())
    if (this.#destroyed) {
      engine.destroy()
      return engine
    }
    if (this.#listening) engine.listen()
    for (const name of this.#wanted) engine.play(name)
    if (this.#dtmf) engine.playDtmf(this.#dtmf)
    this.#wanted.clear()
    this.#dtmf = ''
    return engine
  }

  #notify() {
    for (const listener of this.#listeners) listener()
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  get readiness(): AudioReadiness {
    if (this.#engine) return this.#engine.readiness
    // No audio context yet: what the page's activation says (read now, not in the constructor: SSR differs).
    const activation = this.#activation()
    return activation && !activation.hasBeenActive ? 'blocked' : 'ready'
  }

  /** The page's user activation: the options' or `navigator.userActivation` (read when asked: SSR differs). */
  #activation(): { readonly hasBeenActive: boolean } | null {
    if (this.#options.userActivation !== undefined) return this.#options.userActivation
    return (
      (globalThis.navigator as { userActivation?: { hasBeenActive: boolean } } | undefined)?.userActivation ??
      null
    )
  }

  get volume() {
    return this.#engine ? this.#engine.volume : this.#volume
  }

  get canSelectRingDevice() {
    const AC = this.#AC()
    return !!AC && typeof (AC.prototype as AudioContextLike | undefined)?.setSinkId === 'function'
  }

  play(name: SoundName) {
    if (this.#engine) return this.#engine.play(name)
    if (this.#destroyed || !this.#AC()) return
    this.#wanted.add(name)
    this.#warm()
  }

  stop(name: SoundName) {
    if (this.#engine) return this.#engine.stop(name)
    this.#wanted.delete(name)
  }

  stopAll() {
    if (this.#engine) return this.#engine.stopAll()
    this.#wanted.clear()
  }

  isPlaying(name: SoundName) {
    return this.#engine ? this.#engine.isPlaying(name) : this.#wanted.has(name)
  }

  playDtmf(digits: string) {
    if (this.#engine) return this.#engine.playDtmf(digits)
    if (this.#destroyed || !this.#AC()) return
    this.#dtmf += digits
    this.#warm()
  }

  async playTestTone(): Promise<boolean> {
    if (this.#destroyed || !this.#AC()) return false
    return (await this.#load()).playTestTone?.() ?? false
  }

  /** Null until the engine has loaded (from the client's first subscriber on); the hold then mutes instead. */
  createHoldMusic() {
    if (this.#engine) return this.#engine.createHoldMusic()
    this.#warm()
    return null
  }

  setVolume(volume: number) {
    if (this.#engine) return this.#engine.setVolume(volume)
    this.#volume = clamp(volume)
    this.#notify()
  }

  async setRingDevice(deviceId: string | null) {
    if (this.#engine) return this.#engine.setRingDevice(deviceId)
    this.#ringDevice = deviceId
  }

  async unlock() {
    if (this.#destroyed || !this.#AC()) return
    // Loaded: unlock within the caller's gesture. Else right after the load (the page's activation is sticky).
    await (this.#engine ?? (await this.#load())).unlock()
  }

  listen() {
    if (this.#engine) return this.#engine.listen()
    this.#listening = true
    this.#warm()
  }

  unlisten() {
    if (this.#engine) return this.#engine.unlisten()
    this.#listening = false
  }

  destroy() {
    this.#destroyed = true
    this.#wanted.clear()
    this.#dtmf = ''
    this.#engine?.destroy()
  }
}

/** Create the sound manager; no AudioContext exists until a sound is played or audio is unlocked. */
export function createSoundManager(options: SoundManagerOptions = {}): SoundManager {
  return new SoundManagerFacade(options)
}
