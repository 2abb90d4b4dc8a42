// The call-sound engine behind `createSoundManager` (see soundManager.ts): Web Audio tones for the ringtone,
// ringback, call-waiting beep, DTMF, the test tone and the hold music. Loaded with import() when a sound manager is
// created, so pages carry only the small facade until then.
import type { DtmfDigit } from './dtmf'
import type {
  AudioContextConstructor,
  AudioContextLike,
  SoundManager,
  SoundManagerOptions,
  SoundName,
} from './soundManager'
import type { AudioReadiness, Clock } from './types'

/**
 * Helpers this engine shares with the rest of core, handed in by soundManager.ts: this chunk imports none of core's
 * files (as livekitSession.ts), so a bundler that splits by file keeps nothing of it in the eager code. Internal.
 */
export interface SoundEngineHelpers {
  /** The two frequencies of a DTMF digit; undefined for anything else. */
  dtmfFrequencies(digit: DtmfDigit): [number, number] | undefined
  clock: Clock
  /** The Web Audio constructor in use (the options' or the browser's), or null without Web Audio. */
  audioContext(): AudioContextConstructor | null
  /** The page's user activation (the options' or `navigator.userActivation`), or null where unknown. */
  activation(): { readonly hasBeenActive: boolean } | null
  /** A volume brought into 0–1 (the default for a non-number). */
  clampVolume(volume: number): number
}

interface Pattern {
  freqs: number[]
  /** [on, off] seconds */
  cadence: Array<[number, number]>
  level: number
}

/** Tones: UK-style double ring for the ringtone, North American ringback, a single call-waiting beep. */
const PATTERNS: Record<SoundName, Pattern> = {
  ringtone: {
    freqs: [400, 450],
    cadence: [
      [0.4, 0.2],
      [0.4, 2.0],
    ],
    level: 0.25,
  },
  ringback: { freqs: [440, 480], cadence: [[2.0, 4.0]], level: 0.12 },
  callWaiting: { freqs: [440], cadence: [[0.3, 9.7]], level: 0.12 },
}

const SCHEDULE_AHEAD = 20
const RESCHEDULE_EVERY_MS = 5_000

class SoundEngine implements SoundManager {
  #listeners = new Set<() => void>()
  #h: SoundEngineHelpers
  #options: SoundManagerOptions
  #clock: Clock
  #volume: number
  #ringDevice: string | null
  #main: { ctx: AudioContextLike; master: GainNode } | null = null
  #ring: { ctx: AudioContextLike; master: GainNode } | null = null
  #playing = new Map<SoundName, { stop(): void }>()
  #readiness: AudioReadiness
  #listening = false
  #destroyed = false

  constructor(options: SoundManagerOptions, helpers: SoundEngineHelpers) {
    this.#options = options
    this.#h = helpers
    this.#clock = helpers.clock
    this.#volume = helpers.clampVolume(options.volume ?? 0.6)
    this.#ringDevice = options.ringDeviceId ?? null
    // Not computed here: reading navigator in a constructor would differ between server and browser.
    this.#readiness = 'ready'
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  get readiness() {
    if (!this.#main && !this.#ring) this.#readiness = this.#computeReadiness()
    return this.#readiness
  }
  get volume() {
    return this.#volume
  }
  get canSelectRingDevice() {
    const AC = this.#AC()
    return !!AC && typeof (AC.prototype as AudioContextLike | undefined)?.setSinkId === 'function'
  }

  #AC(): AudioContextConstructor | null {
    return this.#h.audioContext()
  }

  #activation() {
    return this.#h.activation()
  }

  #computeReadiness(): AudioReadiness {
    const contexts = [this.#main?.ctx, this.#ring?.ctx].filter((c): c is AudioContextLike => !!c)
    if (contexts.length > 0) return contexts.every((c) => c.state === 'running') ? 'ready' : 'blocked'
    const activation = this.#activation()
    return activation && !activation.hasBeenActive ? 'blocked' : 'ready'
  }

  #update = () => {
    const next = this.#computeReadiness()
    if (next === this.#readiness) return
    this.#readiness = next
    for (const listener of this.#listeners) listener()
    if (next === 'ready') this.#removeGestureListeners()
  }

  #context(which: 'main' | 'ring') {
    if (this.#destroyed) return null
    const useRing = which === 'ring' && this.#ringDevice !== null && this.canSelectRingDevice
    const slot = useRing ? this.#ring : this.#main
    if (slot) return slot
    const AC = this.#AC()
    if (!AC) return null
    const ctx = new AC()
    const master = ctx.createGain()
    master.gain.value = this.#volume
    master.connect(ctx.destination)
    ctx.onstatechange = this.#update
    const created = { ctx, master }
    if (useRing) {
      this.#ring = created
      if (this.#ringDevice) void ctx.setSinkId?.(this.#ringDevice).catch(() => {})
    } else this.#main = created
    // A context made without a user gesture starts suspended; try anyway, it works when the page was activated.
    if (ctx.state !== 'running') void ctx.resume().catch(() => {})
    this.#update()
    return created
  }

  play(name: SoundName) {
    if (this.#playing.has(name)) return
    const slot = this.#context(name === 'ringtone' ? 'ring' : 'main')
    if (!slot) return
    this.#playing.set(name, this.#loop(slot, PATTERNS[name]))
    if (slot.ctx.state !== 'running') this.listen()
  }

  #loop(slot: { ctx: AudioContextLike; master: GainNode }, pattern: Pattern) {
    const { ctx } = slot
    const gain = ctx.createGain()
    gain.gain.value = 0
    gain.connect(slot.master)
    const oscillators = pattern.freqs.map((f) => {
      const osc = ctx.createOscillator()
      osc.frequency.value = f
      osc.connect(gain)
      osc.start()
      return osc
    })
    let t = ctx.currentTime + 0.05
    let timer: unknown = null
    const schedule = () => {
      // A suspended context's time stands still; keep the schedule anchored to it.
      if (t < ctx.currentTime) t = ctx.currentTime + 0.05
      while (t < ctx.currentTime + SCHEDULE_AHEAD) {
        for (const [on, off] of pattern.cadence) {
          gain.gain.setValueAtTime(0, t)
          gain.gain.linearRampToValueAtTime(pattern.level, t + 0.02)
          gain.gain.setValueAtTime(pattern.level, t + on - 0.02)
          gain.gain.linearRampToValueAtTime(0, t + on)
          t += on + off
        }
      }
      timer = this.#clock.setTimeout(schedule, RESCHEDULE_EVERY_MS)
    }
    schedule()
    return {
      stop: () => {
        if (timer !== null) this.#clock.clearTimeout(timer)
        for (const osc of oscillators) {
          try {
            osc.stop()
          } catch {}
          osc.disconnect()
        }
        gain.disconnect()
      },
    }
  }

  stop(name: SoundName) {
    this.#playing.get(name)?.stop()
    this.#playing.delete(name)
  }

  stopAll() {
    for (const name of [...this.#playing.keys()]) this.stop(name)
  }

  isPlaying(name: SoundName) {
    return this.#playing.has(name)
  }

  playDtmf(digits: string) {
    const slot = this.#context('main')
    if (!slot) return
    const { ctx } = slot
    let t = ctx.currentTime + 0.01
    for (const raw of digits) {
      const digit = raw.toUpperCase() as DtmfDigit
      const freqs = this.#h.dtmfFrequencies(digit)
      if (!freqs) continue
      const gain = ctx.createGain()
      gain.gain.setValueAtTime(0, t)
      gain.gain.linearRampToValueAtTime(0.15, t + 0.005)
      gain.gain.setValueAtTime(0.15, t + 0.115)
      gain.gain.linearRampToValueAtTime(0, t + 0.12)
      gain.connect(slot.master)
      for (const f of freqs) {
        const osc = ctx.createOscillator()
        osc.frequency.value = f
        osc.connect(gain)
        osc.start(t)
        osc.stop(t + 0.13)
        osc.onended = () => {
          osc.disconnect()
          gain.disconnect()
        }
      }
      t += 0.2
    }
  }

  async playTestTone() {
    const slot = this.#context('ring')
    if (!slot) return false
    if (slot.ctx.state !== 'running') await slot.ctx.resume().catch(() => {})
    this.#update()
    if (slot.ctx.state !== 'running') return false
    const { ctx } = slot
    const t = ctx.currentTime + 0.01
    const gain = ctx.createGain()
    gain.gain.setValueAtTime(0, t)
    gain.gain.linearRampToValueAtTime(0.3, t + 0.02)
    gain.gain.setValueAtTime(0.3, t + 0.9)
    gain.gain.linearRampToValueAtTime(0, t + 1)
    gain.connect(slot.master)
    const osc = ctx.createOscillator()
    osc.frequency.value = 440
    osc.connect(gain)
    osc.start(t)
    osc.stop(t + 1.05)
    osc.onended = () => {
      osc.disconnect()
      gain.disconnect()
    }
    return true
  }

  createHoldMusic() {
    const AC = this.#AC()
    if (!AC || this.#destroyed) return null
    // Its own context: the music must play even when the page's sounds are muted, and stop with the hold.
    const ctx = new AC()
    if (!ctx.createMediaStreamDestination) {
      void ctx.close()
      return null
    }
    const out = ctx.createMediaStreamDestination()
    const gain = ctx.createGain()
    gain.gain.value = 0.18
    gain.connect(out)
    // A slow I–vi–IV–V arpeggio in C, two notes a second, on three sine voices.
    const chords = [
      [261.63, 329.63, 392.0],
      [220.0, 261.63, 329.63],
      [174.61, 220.0, 261.63],
      [196.0, 246.94, 293.66],
    ]
    const voices = [0, 1, 2].map(() => {
      const osc = ctx.createOscillator()
      const env = ctx.createGain()
      env.gain.value = 0
      osc.type = 'sine'
      osc.connect(env)
      env.connect(gain)
      osc.start()
      return { osc, env }
    })
    let t = ctx.currentTime + 0.05
    let beat = 0
    let timer: unknown = null
    const schedule = () => {
      if (t < ctx.currentTime) t = ctx.currentTime + 0.05
      while (t < ctx.currentTime + SCHEDULE_AHEAD) {
        const chord = chords[Math.floor(beat / 4) % chords.length] as number[]
        const voice = voices[beat % 3] as { osc: OscillatorNode; env: GainNode }
        voice.osc.frequency.setValueAtTime((chord[beat % 3] as number) * (beat % 8 < 4 ? 1 : 2), t)
        voice.env.gain.setValueAtTime(0, t)
        voice.env.gain.linearRampToValueAtTime(0.5, t + 0.04)
        voice.env.gain.exponentialRampToValueAtTime(0.01, t + 1.4)
        t += 0.5
        beat++
      }
      timer = this.#clock.setTimeout(schedule, RESCHEDULE_EVERY_MS)
    }
    schedule()
    void ctx.resume().catch(() => {})
    const track = out.stream.getAudioTracks()[0]
    if (!track) {
      void ctx.close()
      return null
    }
    return {
      track,
      stop: () => {
        if (timer !== null) this.#clock.clearTimeout(timer)
        track.stop()
        void ctx.close().catch(() => {})
      },
    }
  }

  setVolume(volume: number) {
    this.#volume = this.#h.clampVolume(volume)
    for (const slot of [this.#main, this.#ring]) if (slot) slot.master.gain.value = this.#volume
    for (const listener of this.#listeners) listener()
  }

  async setRingDevice(deviceId: string | null) {
    this.#ringDevice = deviceId
    const ringing = this.#playing.has('ringtone')
    if (this.#ring && deviceId) {
      await this.#ring.ctx.setSinkId?.(deviceId)
      return
    }
    // Moving between the shared and the separate context: restart the ringtone where it now belongs.
    if (ringing) {
      this.stop('ringtone')
      this.play('ringtone')
    }
  }

  async unlock() {
    const slots = [this.#main ?? this.#context('main'), this.#ring].filter(
      (s): s is NonNullable<typeof s> => !!s,
    )
    await Promise.all(slots.map((s) => s.ctx.resume().catch(() => {})))
    this.#update()
  }

  #onGesture = () => {
    void this.unlock()
  }

  #target() {
    if (this.#options.unlockTarget !== undefined) return this.#options.unlockTarget
    return typeof window === 'undefined' ? null : window
  }

  listen() {
    if (this.#listening || (this.#readiness === 'ready' && this.#main)) return
    const target = this.#target()
    if (!target) return
    this.#listening = true
    for (const type of ['pointerdown', 'keydown', 'touchend']) {
      target.addEventListener(type, this.#onGesture, {
        capture: true,
        passive: true,
      } as AddEventListenerOptions)
    }
  }

  unlisten() {
    this.#removeGestureListeners()
  }

  #removeGestureListeners() {
    if (!this.#listening) return
    this.#listening = false
    const target = this.#target()
    for (const type of ['pointerdown', 'keydown', 'touchend']) {
      target?.removeEventListener(type, this.#onGesture, { capture: true } as EventListenerOptions)
    }
  }

  destroy() {
    this.stopAll()
    this.#removeGestureListeners()
    this.#destroyed = true
    for (const slot of [this.#main, this.#ring]) {
      if (!slot) continue
      slot.ctx.onstatechange = null
      void slot.ctx.close().catch(() => {})
    }
    this.#main = null
    this.#ring = null
  }
}

/** The engine of a sound manager. Internal. */
export function createSoundEngine(options: SoundManagerOptions, helpers: SoundEngineHelpers): SoundManager {
  return new SoundEngine(options, helpers)
}
