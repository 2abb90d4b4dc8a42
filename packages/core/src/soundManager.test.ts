import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setup } from '../test/callClientHarness'
import { type AudioContextLike, createSoundManager, dtmfFrequencies, soundEngineModule } from './soundManager'
import { createFakeClock } from './testing/fakeClock'
import { makeEvent, makeRecord, settle } from './testing/fakeServer'

// A minimal Web Audio stand-in that records oscillators and context state.
function fakeAudio(initialState = 'suspended') {
  const contexts: FakeContext[] = []
  const param = () => ({
    value: 0,
    setValueAtTime: vi.fn(),
    linearRampToValueAtTime: vi.fn(),
    exponentialRampToValueAtTime: vi.fn(),
  })
  class FakeContext implements AudioContextLike {
    state = initialState
    currentTime = 0
    destination = {} as AudioNode
    onstatechange: (() => void) | null = null
    oscillators: Array<{ frequency: { value: number }; started: boolean; stopped: boolean }> = []
    sinkId: string | null = null
    closed = false
    constructor() {
      contexts.push(this)
    }
    async resume() {
      if (!allowResume) return
      this.state = 'running'
      this.onstatechange?.()
    }
    async close() {
      this.closed = true
    }
    createGain() {
      return { gain: param(), connect: vi.fn(), disconnect: vi.fn() } as unknown as GainNode
    }
    createOscillator() {
      const osc = {
        type: 'sine',
        frequency: param(),
        started: false,
        stopped: false,
        onended: null,
        connect: vi.fn(),
        disconnect: vi.fn(),
        start() {
          osc.started = true
        },
        stop() {
          osc.stopped = true
        },
      }
      this.oscillators.push(osc)
      return osc as unknown as OscillatorNode
    }
    createMediaStreamDestination() {
      const track = { kind: 'audio', stop: vi.fn() }
      return { stream: { getAudioTracks: () => [track] } } as unknown as MediaStreamAudioDestinationNode
    }
    async setSinkId(id: string) {
      this.sinkId = id
    }
  }
  let allowResume = false
  return {
    AudioContext: FakeContext,
    contexts,
    allowGesture() {
      allowResume = true
    },
  }
}

function gestureTarget() {
  const listeners = new Map<string, () => void>()
  return {
    addEventListener: (type: string, fn: EventListenerOrEventListenerObject) =>
      listeners.set(type, fn as () => void),
    removeEventListener: (type: string) => listeners.delete(type),
    fire: (type: string) => listeners.get(type)?.(),
    listeners,
  }
}

describe('createSoundManager', () => {
  // The engine loaded, as it is once a client has its first subscriber (the window before: see below).
  beforeEach(async () => {
    soundEngineModule.provide(await import('./soundEngine'))
  })

  it('is blocked before a user gesture, rings as soon as one arrives, and tells subscribers', async () => {
    const audio = fakeAudio()
    const target = gestureTarget()
    const sounds = createSoundManager({
      AudioContext: audio.AudioContext,
      userActivation: { hasBeenActive: false },
      unlockTarget: target,
      clock: createFakeClock(),
    })
    expect(audio.contexts).toHaveLength(0) // nothing created up front
    expect(sounds.readiness).toBe('blocked')
    const changed = vi.fn()
    sounds.subscribe(changed)
    sounds.play('ringtone')
    expect(sounds.isPlaying('ringtone')).toBe(true)
    expect(audio.contexts[0]?.oscillators.map((o) => o.frequency.value)).toEqual([400, 450])
    expect(sounds.readiness).toBe('blocked')
    expect(target.listeners.has('pointerdown')).toBe(true)
    audio.allowGesture()
    target.fire('pointerdown')
    await vi.waitFor(() => expect(sounds.readiness).toBe('ready'))
    expect(changed).toHaveBeenCalled()
    expect(target.listeners.size).toBe(0)
    sounds.stop('ringtone')
    expect(sounds.isPlaying('ringtone')).toBe(false)
    expect(audio.contexts[0]?.oscillators.every((o) => o.stopped)).toBe(true)
  })

  it('plays a 440 Hz test tone once sound is unlocked, and says false while the browser blocks it', async () => {
    const audio = fakeAudio()
    const sounds = createSoundManager({
      AudioContext: audio.AudioContext,
      userActivation: { hasBeenActive: false },
      unlockTarget: null,
      clock: createFakeClock(),
    })
    expect(await sounds.playTestTone?.()).toBe(false)
    expect(audio.contexts[0]?.oscillators).toHaveLength(0)
    expect(sounds.readiness).toBe('blocked')
    audio.allowGesture()
    expect(await sounds.playTestTone?.()).toBe(true)
    expect(audio.contexts[0]?.oscillators.map((o) => [o.frequency.value, o.started, o.stopped])).toEqual([
      [440, true, true],
    ])
    expect(sounds.readiness).toBe('ready')
  })

  it('is ready when the page already had a gesture', () => {
    const sounds = createSoundManager({
      AudioContext: fakeAudio().AudioContext,
      userActivation: { hasBeenActive: true },
    })
    expect(sounds.readiness).toBe('ready')
  })

  it('uses the standard DTMF frequency pairs', () => {
    expect(dtmfFrequencies('1')).toEqual([697, 1209])
    expect(dtmfFrequencies('5')).toEqual([770, 1336])
    expect(dtmfFrequencies('#')).toEqual([941, 1477])
    expect(dtmfFrequencies('D')).toEqual([941, 1633])
    const audio = fakeAudio('running')
    const sounds = createSoundManager({ AudioContext: audio.AudioContext, unlockTarget: null })
    sounds.playDtmf('5*')
    expect(audio.contexts[0]?.oscillators.map((o) => o.frequency.value)).toEqual([770, 1336, 941, 1209])
  })

  it('plays ringback as 440+480 Hz and the ringtone on its own output device', async () => {
    const audio = fakeAudio('running')
    const sounds = createSoundManager({
      AudioContext: audio.AudioContext,
      ringDeviceId: 'speakers',
      unlockTarget: null,
    })
    expect(sounds.canSelectRingDevice).toBe(true)
    sounds.play('ringback')
    sounds.play('ringtone')
    expect(audio.contexts).toHaveLength(2)
    expect(audio.contexts[0]?.oscillators.map((o) => o.frequency.value)).toEqual([440, 480])
    expect(audio.contexts[1]?.sinkId).toBe('speakers')
    await sounds.setRingDevice('usb')
    expect(audio.contexts[1]?.sinkId).toBe('usb')
    sounds.stopAll()
    expect(sounds.isPlaying('ringback') || sounds.isPlaying('ringtone')).toBe(false)
  })

  it('makes a hold-music track and stops it', () => {
    const audio = fakeAudio('running')
    const sounds = createSoundManager({
      AudioContext: audio.AudioContext,
      unlockTarget: null,
      clock: createFakeClock(),
    })
    const music = sounds.createHoldMusic()
    expect(music?.track.kind).toBe('audio')
    music?.stop()
    expect(music?.track.stop).toHaveBeenCalled()
    expect(audio.contexts.at(-1)?.closed).toBe(true)
  })

  it('is silent and ready without Web Audio (SSR)', () => {
    const sounds = createSoundManager({ AudioContext: null, unlockTarget: null })
    sounds.play('ringtone')
    expect(sounds.isPlaying('ringtone')).toBe(false)
    expect(sounds.createHoldMusic()).toBeNull()
    expect(sounds.readiness).toBe('ready')
  })

  it('clamps the volume', () => {
    const sounds = createSoundManager({ AudioContext: null })
    sounds.setVolume(3)
    expect(sounds.volume).toBe(1)
    sounds.setVolume(-1)
    expect(sounds.volume).toBe(0)
  })
})

/** Hold the engine's load until `release()` (the next manager's first sound or `listen()` waits for it). */
async function holdLoad() {
  const module = await import('./soundEngine')
  let release = () => {}
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  soundEngineModule.provide(gate.then(() => module))
  return async () => {
    release()
    await gate
    await new Promise((r) => setTimeout(r, 0))
  }
}

describe('createSoundManager before its engine loaded', () => {
  afterEach(() => soundEngineModule.provide(null))

  it('a ringtone asked for and stopped before the engine lands stays silent', async () => {
    const release = await holdLoad()
    const audio = fakeAudio('running')
    const sounds = createSoundManager({ AudioContext: audio.AudioContext, unlockTarget: null })
    sounds.play('ringtone')
    expect(sounds.isPlaying('ringtone')).toBe(true)
    sounds.stop('ringtone')
    expect(sounds.isPlaying('ringtone')).toBe(false)
    await release()
    expect(sounds.isPlaying('ringtone')).toBe(false)
    expect(audio.contexts.flatMap((c) => c.oscillators)).toEqual([])
  })

  it('sounds, volume, ring device and gesture listening asked for before the engine lands apply when it does', async () => {
    const release = await holdLoad()
    const audio = fakeAudio()
    const target = gestureTarget()
    const sounds = createSoundManager({
      AudioContext: audio.AudioContext,
      userActivation: { hasBeenActive: false },
      unlockTarget: target,
      clock: createFakeClock(),
    })
    // Sync answers before the load, as the engine gives them with no sound made yet.
    expect(sounds.readiness).toBe('blocked')
    expect(sounds.volume).toBe(0.6)
    expect(sounds.canSelectRingDevice).toBe(true)
    const changed = vi.fn()
    sounds.subscribe(changed)
    sounds.listen()
    sounds.setVolume(0.3)
    expect(sounds.volume).toBe(0.3)
    await sounds.setRingDevice('speakers')
    sounds.play('ringtone')
    sounds.play('ringback')
    sounds.stop('ringback')
    sounds.playDtmf('5')
    expect(audio.contexts).toHaveLength(0)
    expect(target.listeners.size).toBe(0)
    await release()
    expect(sounds.isPlaying('ringtone')).toBe(true)
    expect(sounds.isPlaying('ringback')).toBe(false)
    const ring = audio.contexts.find((c) => c.sinkId === 'speakers')
    expect(ring?.oscillators.map((o) => o.frequency.value)).toEqual([400, 450])
    const main = audio.contexts.find((c) => c !== ring)
    expect(main?.oscillators.map((o) => o.frequency.value)).toEqual([770, 1336])
    expect(sounds.volume).toBe(0.3)
    expect(target.listeners.has('pointerdown')).toBe(true)
    // The gesture unlocks the engine's contexts.
    audio.allowGesture()
    target.fire('pointerdown')
    await vi.waitFor(() => expect(sounds.readiness).toBe('ready'))
    expect(changed).toHaveBeenCalled()
  })

  it('an incoming call that rings while the engine loads plays its ringtone when it lands', async () => {
    const release = await holdLoad()
    const audio = fakeAudio('running')
    const t = setup({ sounds: { AudioContext: audio.AudioContext, unlockTarget: null } })
    t.client.subscribe(() => {})
    await settle()
    t.server.push(
      makeEvent(
        'call.incoming',
        makeRecord({ id: 'in_1', direction: 'inbound', status: 'ringing', createdBy: null }),
      ),
    )
    await settle()
    expect(t.client.getSnapshot().audio.ringtone).toBe(true)
    expect(audio.contexts).toHaveLength(0)
    await release()
    expect(t.client.sounds?.isPlaying('ringtone')).toBe(true)
    expect(audio.contexts[0]?.oscillators.map((o) => o.frequency.value)).toEqual([400, 450])
    t.client.destroy()
  })
})
