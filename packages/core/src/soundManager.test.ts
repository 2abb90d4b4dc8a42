import { describe, expect, it, vi } from 'vitest'
import { type AudioContextLike, createSoundManager, dtmfFrequencies } from './soundManager'
import { createFakeClock } from './testing/fakeClock'

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
