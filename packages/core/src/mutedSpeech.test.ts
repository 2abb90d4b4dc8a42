import { afterEach, describe, expect, it, vi } from 'vitest'
import { dialToPhase, fakeSounds, setup } from '../test/callClientHarness'
import { SpeechDetector, watchSpeech } from './mutedSpeech'
import type { CallClientEvent } from './types'

afterEach(() => {
  vi.useRealTimers()
})

describe('SpeechDetector', () => {
  const feed = (d: SpeechDetector, levels: number[], step = 50, from = 0) =>
    levels.map((level, i) => d.push(level, from + i * step))

  it('starts on repeated loud samples, not on a single click', () => {
    const d = new SpeechDetector()
    expect(feed(d, [0, 0.5, 0, 0, 0]).filter((c) => c !== null)).toEqual([])
    expect(d.speaking).toBe(false)
    // A second loud sample within the window: speaking.
    expect(d.push(0.2, 300)).toBe(true)
    expect(d.speaking).toBe(true)
  })

  it('ignores levels under the threshold however many', () => {
    const d = new SpeechDetector({ threshold: 0.05 })
    expect(feed(d, Array(100).fill(0.049)).some((c) => c !== null)).toBe(false)
  })

  it('ends only after the release time of quiet, with no flapping between words', () => {
    const d = new SpeechDetector({ releaseMs: 1000 })
    d.push(0.3, 0)
    expect(d.push(0.3, 50)).toBe(true)
    // A short pause between words keeps it speaking.
    expect(feed(d, Array(10).fill(0), 50, 100).some((c) => c !== null)).toBe(false)
    expect(d.push(0.3, 700)).toBe(null)
    expect(d.push(0, 1600)).toBe(null)
    expect(d.push(0, 1701)).toBe(false)
    expect(d.speaking).toBe(false)
  })
})

describe('watchSpeech', () => {
  it('samples the meter, reports changes, and reports the end when stopped while speaking', () => {
    vi.useFakeTimers()
    let level = 0
    const stopped = vi.fn()
    const changes: boolean[] = []
    const stop = watchSpeech({} as MediaStreamTrack, (s) => changes.push(s), {
      meter: () => ({ level: () => level, stop: stopped }),
    })
    vi.advanceTimersByTime(1000)
    expect(changes).toEqual([])
    level = 0.2
    vi.advanceTimersByTime(100)
    expect(changes).toEqual([true])
    stop?.()
    expect(changes).toEqual([true, false])
    expect(stopped).toHaveBeenCalledOnce()
  })

  it('returns null where the level cannot be read', () => {
    expect(watchSpeech({} as MediaStreamTrack, () => {}, { meter: () => null })).toBeNull()
  })
})

describe('speaking while muted, on the call client', () => {
  it('is raised while muted and speaking, cleared when quiet, on unmute and on hold; never while unmuted', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    let level = 0.3
    const s = fakeSounds()
    const t = setup({ sounds: s.sounds }, { microphoneLevel: () => level })
    await dialToPhase(t, 'active')
    const events: CallClientEvent[] = []
    t.client.on((e) => e.type === 'speaking-while-muted' && events.push(e))

    // Unmuted: talking is just talking.
    vi.advanceTimersByTime(2000)
    expect(t.call().speakingWhileMuted).toBe(false)

    await t.client.setMuted(true)
    vi.advanceTimersByTime(200)
    expect(t.call().speakingWhileMuted).toBe(true)
    // Nothing reaches the room: the published microphone stays muted.
    expect(t.room.localParticipant.isMicrophoneEnabled).toBe(false)
    level = 0
    vi.advanceTimersByTime(3000)
    expect(t.call().speakingWhileMuted).toBe(false)

    level = 0.3
    vi.advanceTimersByTime(200)
    expect(t.call().speakingWhileMuted).toBe(true)
    await t.client.hold()
    expect(t.call().speakingWhileMuted).toBe(false)
    vi.advanceTimersByTime(2000)
    expect(t.call().speakingWhileMuted).toBe(false)
    await t.client.resume()
    vi.advanceTimersByTime(200)
    expect(t.call().speakingWhileMuted).toBe(true)

    await t.client.setMuted(false)
    expect(t.call().speakingWhileMuted).toBe(false)
    vi.advanceTimersByTime(2000)
    expect(t.call().speakingWhileMuted).toBe(false)
    expect(events.map((e) => e.type === 'speaking-while-muted' && e.speaking)).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
    ])
  })
})
