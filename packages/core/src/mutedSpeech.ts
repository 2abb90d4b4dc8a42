// "Are you talking while muted?": a local voice-activity check on the microphone while the call is muted. Nothing of
// it is sent anywhere; it reads a clone of the muted microphone track (the clone stays enabled while the published
// track is disabled), so the far end keeps hearing silence.

/** Reads the current level of an audio track, 0 (silence) to 1 (full scale RMS). */
export interface LevelMeter {
  level(): number
  stop(): void
}

/** Make a meter over a track; the default uses Web Audio (`AudioContext` + `AnalyserNode`). */
export type LevelMeterFactory = (track: MediaStreamTrack) => LevelMeter | null

/** Tuning of the detector; the defaults catch speech within ~0.3 s and ignore single clicks. */
export interface SpeechDetectorOptions {
  /** RMS level counted as voice (default 0.01, about -40 dBFS). */
  threshold?: number
  /** How many loud samples within `windowMs` mean "speaking" (default 2). */
  hits?: number
  /** The window the hits are counted in (default 1000 ms). */
  windowMs?: number
  /** Quiet time after which speaking ends (default 1500 ms). */
  releaseMs?: number
}

/** Hysteresis over level samples: says when speech starts and when it has stopped. Pure; fed with `push`. */
export class SpeechDetector {
  readonly #threshold: number
  readonly #hits: number
  readonly #windowMs: number
  readonly #releaseMs: number
  #loud: number[] = []
  #speaking = false

  constructor(options: SpeechDetectorOptions = {}) {
    this.#threshold = options.threshold ?? 0.01
    this.#hits = options.hits ?? 2
    this.#windowMs = options.windowMs ?? 1000
    this.#releaseMs = options.releaseMs ?? 1500
  }

  get speaking(): boolean {
    return this.#speaking
  }

  /** Feed one level sample taken at `now` (ms); returns the new state when it changed, else null. */
  push(level: number, now: number): boolean | null {
    if (level >= this.#threshold) this.#loud.push(now)
    this.#loud = this.#loud.filter((t) => now - t <= Math.max(this.#windowMs, this.#releaseMs))
    const recent = this.#loud.filter((t) => now - t <= this.#windowMs).length
    const last = this.#loud[this.#loud.length - 1]
    if (!this.#speaking && recent >= this.#hits) {
      this.#speaking = true
      return true
    }
    if (this.#speaking && (last === undefined || now - last > this.#releaseMs)) {
      this.#speaking = false
      return false
    }
    return null
  }
}

/** The Web Audio meter: an analyser on an enabled clone of `track`; null where Web Audio is missing. */
export const webAudioLevelMeter: LevelMeterFactory = (track) => {
  const Ctx = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext
  if (!Ctx || typeof MediaStream === 'undefined') return null
  const clone = track.clone()
  clone.enabled = true
  const context = new Ctx()
  const source = context.createMediaStreamSource(new MediaStream([clone]))
  const analyser = context.createAnalyser()
  analyser.fftSize = 2048
  source.connect(analyser)
  const samples = new Float32Array(analyser.fftSize)
  // A context made without a user gesture may start suspended; analysing needs it running.
  if (context.state === 'suspended') void context.resume().catch(() => undefined)
  return {
    level() {
      analyser.getFloatTimeDomainData(samples)
      let sum = 0
      for (const s of samples) sum += s * s
      return Math.sqrt(sum / samples.length)
    },
    stop() {
      source.disconnect()
      clone.stop()
      void context.close().catch(() => undefined)
    },
  }
}

/** Options of `watchSpeech`. */
export interface WatchSpeechOptions extends SpeechDetectorOptions {
  meter?: LevelMeterFactory
  /** Sampling period (default 50 ms); the detector's time is counted in these periods. */
  intervalMs?: number
}

/** Sample `track` until the returned stop is called, reporting speech starts and ends; null when it cannot meter. */
export function watchSpeech(
  track: MediaStreamTrack,
  onChange: (speaking: boolean) => void,
  options: WatchSpeechOptions = {},
): (() => void) | null {
  const meter = (options.meter ?? webAudioLevelMeter)(track)
  if (!meter) return null
  const detector = new SpeechDetector(options)
  const interval = options.intervalMs ?? 50
  let elapsed = 0
  const timer = setInterval(() => {
    elapsed += interval
    const change = detector.push(meter.level(), elapsed)
    if (change !== null) onChange(change)
  }, interval)
  return () => {
    clearInterval(timer)
    meter.stop()
    if (detector.speaking) onChange(false)
  }
}
