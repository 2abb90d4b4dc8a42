import { describe, expect, it, vi } from 'vitest'
import { dialToPhase, fakeSounds, setup } from '../test/callClientHarness'
import { settle } from './testing/fakeServer'

describe('in-call controls', () => {
  it('sends DTMF with LiveKit codes and records it', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    const sent: string[] = []
    t.client.on((e) => e.type === 'dtmf' && sent.push(`${e.direction}:${e.digit}`))
    await t.client.sendDtmf('0159*#abCD')
    expect(t.room.dtmf).toEqual([
      [0, '0'],
      [1, '1'],
      [5, '5'],
      [9, '9'],
      [10, '*'],
      [11, '#'],
      [12, 'A'],
      [13, 'B'],
      [14, 'C'],
      [15, 'D'],
    ])
    expect(t.call().dtmf.sent).toBe('0159*#ABCD')
    expect(sent[0]).toBe('sent:0')
    const error = await t.client.sendDtmf('12x').catch((e) => e)
    expect(error.code).toBe('INVALID_REQUEST')
    expect(t.room.dtmf).toHaveLength(10)
  })

  it('surfaces received DTMF in state and as events', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    const got: string[] = []
    t.client.on((e) => e.type === 'dtmf' && got.push(`${e.direction}:${e.digit}`))
    t.room.receiveDtmf(5, '5', 'sip_+14155550123')
    t.room.receiveDtmf(11, '', 'sip_+14155550123')
    expect(t.call().dtmf.received).toBe('5#')
    expect(got).toEqual(['received:5', 'received:#'])
  })

  it('refuses DTMF before the call is connected', async () => {
    const t = setup()
    await dialToPhase(t, 'ringing')
    const error = await t.client.sendDtmf('1').catch((e) => e)
    expect(error.code).toBe('CALL_NOT_ACTIVE')
  })

  it('mutes and unmutes the microphone', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    await t.client.setMuted(true)
    expect(t.call().muted).toBe(true)
    expect(t.room.localParticipant.isMicrophoneEnabled).toBe(false)
    await settle()
    expect(t.call().participants[0]?.muted).toBe(true)
    await t.client.setMuted(false)
    expect(t.room.localParticipant.isMicrophoneEnabled).toBe(true)
  })

  it('reports each mute change to the server, fire and forget: a failing report neither fails nor undoes it', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    let release: () => void = () => {}
    const hanging = new Promise<void>((r) => {
      release = r
    })
    t.server.on('POST /calls/call_1/mute', async (req) => {
      // The first report hangs: the mute does not wait for it.
      if (t.server.calls('POST /calls/call_1/mute').length === 1) await hanging
      return { body: { muted: (req.body as { muted: boolean }).muted } }
    })
    await t.client.setMuted(true)
    expect(t.call().muted).toBe(true)
    await settle()
    expect(t.server.calls('POST /calls/call_1/mute').map((c) => c.body)).toEqual([{ muted: true }])
    await t.client.setMuted(false)
    release()
    await settle()
    expect(t.server.calls('POST /calls/call_1/mute').map((c) => c.body)).toEqual([
      { muted: true },
      { muted: false },
    ])
    // The server refuses (or is down): the mute still applies, and no error reaches the app.
    const errors: unknown[] = []
    t.client.on((e) => e.type === 'error' && errors.push(e.error))
    t.server.on('POST /calls/call_1/mute', () => ({
      status: 503,
      body: { error: { code: 'STORE_UNAVAILABLE', message: 'down', requestId: 'r' } },
    }))
    await t.client.setMuted(true)
    await settle()
    expect(t.call().muted).toBe(true)
    expect(t.room.localParticipant.isMicrophoneEnabled).toBe(false)
    expect(errors).toEqual([])
    // The same state again is no change: nothing is sent.
    const sent = t.server.calls('POST /calls/call_1/mute').length
    await t.client.setMuted(true)
    await settle()
    expect(t.server.calls('POST /calls/call_1/mute')).toHaveLength(sent)
  })

  it('holds: music replaces the microphone on its own track (no extra publication), then resumes', async () => {
    const s = fakeSounds()
    const t = setup({ sounds: s.sounds })
    await dialToPhase(t, 'active')
    const remote = t.room.publishAudio('sip_+14155550123')
    const mic = t.room.sending
    expect(mic).not.toBeNull()
    await t.client.setMuted(true)
    await t.client.hold()
    expect(t.call().onHold).toBe(true)
    expect(remote.volume).toBe(0)
    // The phone hears the music on the microphone publication, which must be unmuted to carry it. Nothing else
    // is published (the fake room has no publishTrack): tokens grant the microphone source only.
    expect(t.room.sending).toBe(s.holdTrack)
    expect(t.room.microphoneTrack?.isMuted).toBe(false)
    await t.client.setMuted(false) // while on hold only the wish changes
    expect(t.room.sending).toBe(s.holdTrack)
    await t.client.resume()
    expect(t.call().onHold).toBe(false)
    expect(remote.volume).toBe(1)
    expect(t.room.sending).toBe(mic)
    expect(s.log).toContain('hold-music:stop')
    expect(t.room.localParticipant.isMicrophoneEnabled).toBe(true)
  })

  it('resumes a call muted before and during hold still muted, with the microphone back on its track', async () => {
    const s = fakeSounds()
    const t = setup({ sounds: s.sounds })
    await dialToPhase(t, 'active')
    const mic = t.room.sending
    await t.client.setMuted(true)
    await t.client.hold()
    await t.client.resume()
    expect(t.room.sending).toBe(mic)
    expect(t.room.localParticipant.isMicrophoneEnabled).toBe(false)
    expect(t.room.microphoneTrack?.isMuted).toBe(true)
    expect(t.call().muted).toBe(true)
  })

  it('transfers and ends our leg', async () => {
    const t = setup({ defaultCountry: 'US' })
    t.server.on('POST /calls/call_1/transfer', () => ({ body: { ok: true } }))
    await dialToPhase(t, 'active')
    await t.client.transfer('(415) 555-0199')
    expect(t.server.calls('POST /calls/call_1/transfer')[0]?.body).toEqual({ to: '+14155550199' })
    const call = t.call()
    expect(call.transfer).toEqual({ to: '+14155550199', status: 'completed', error: null })
    expect(call.phase === 'ended' && call.endReason).toBe('local-hangup')
  })

  it('keeps the call when a transfer fails', async () => {
    const t = setup()
    t.server.on('POST /calls/call_1/transfer', () => ({
      status: 502,
      body: { error: { code: 'TRANSFER_FAILED', message: 'SIP 603', requestId: 'r' } },
    }))
    await dialToPhase(t, 'active')
    const error = await t.client.transfer('sip:desk@example.com').catch((e) => e)
    expect(error.code).toBe('TRANSFER_FAILED')
    expect(t.phase()).toBe('connected')
    expect(t.call().transfer?.status).toBe('failed')
  })

  it('reports blocked autoplay and recovers with startAudio()', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    t.room.setCanPlaybackAudio(false)
    expect(t.client.getSnapshot().audio.readiness).toBe('blocked')
    await t.client.startAudio()
    expect(t.client.getSnapshot().audio.readiness).toBe('ready')
  })
})

describe('sound readiness', () => {
  it('knows autoplay is blocked before any call rings, and one enableSound() unblocks call sounds and room audio', async () => {
    const contexts: Array<{ state: string; onstatechange: (() => void) | null }> = []
    let gesture = false
    class FakeContext {
      state = 'suspended'
      currentTime = 0
      destination = {}
      onstatechange: (() => void) | null = null
      constructor() {
        contexts.push(this)
      }
      async resume() {
        if (!gesture) return
        this.state = 'running'
        this.onstatechange?.()
      }
      async close() {}
      createGain() {
        const param = { value: 0, setValueAtTime() {}, linearRampToValueAtTime() {} }
        return { gain: param, connect() {}, disconnect() {} }
      }
      createOscillator() {
        return { frequency: { value: 0 }, connect() {}, disconnect() {}, start() {}, stop() {} }
      }
    }
    const t = setup({
      sounds: {
        AudioContext: FakeContext as never,
        userActivation: {
          get hasBeenActive() {
            return gesture
          },
        },
        unlockTarget: null,
      },
    })
    const off = t.client.subscribe(() => {})
    // No call, nothing rang: the page already knows it cannot play sound.
    expect(t.client.getSnapshot().incoming).toEqual([])
    expect(t.client.getSnapshot().audio.readiness).toBe('blocked')
    await dialToPhase(t, 'active')
    t.room.setCanPlaybackAudio(false)
    expect(t.client.getSnapshot().audio.readiness).toBe('blocked')
    // The click.
    gesture = true
    await t.client.enableSound()
    expect(contexts.length).toBeGreaterThan(0)
    expect(contexts.every((c) => c.state === 'running')).toBe(true)
    expect(t.room.canPlaybackAudio).toBe(true)
    expect(t.client.getSnapshot().audio.readiness).toBe('ready')
    off()
  })
})

describe('snapshots', () => {
  it('returns the same object until something changes and batches bursts into one notification', async () => {
    const t = setup()
    const first = t.client.getSnapshot()
    expect(t.client.getSnapshot()).toBe(first)
    expect(t.client.getServerSnapshot()).toBe(first)
    await dialToPhase(t, 'active')
    const listener = vi.fn()
    t.client.subscribe(listener)
    await settle()
    listener.mockClear()
    const before = t.client.getSnapshot()
    // same attribute value again: no change at all
    t.room.setAttributes('sip_+14155550123', { 'sip.callStatus': 'active' })
    await settle()
    expect(t.client.getSnapshot()).toBe(before)
    expect(listener).not.toHaveBeenCalled()
    // a burst: speaking + dtmf + audio playback in one tick
    t.room.setSpeaking(['sip_+14155550123'])
    t.room.receiveDtmf(1, '1')
    t.room.receiveDtmf(2, '2')
    await settle()
    expect(listener).toHaveBeenCalledTimes(1)
    const after = t.client.getSnapshot()
    expect(after).not.toBe(before)
    expect(after.devices).toBe(before.devices)
    expect(after.incoming).toBe(before.incoming)
    expect(after.activeCall?.participants[0]).toBe(before.activeCall?.participants[0])
    expect(after.activeCall?.participants[1]?.speaking).toBe(true)
  })

  it('clears a finished call with dismiss()', async () => {
    const t = setup()
    await dialToPhase(t, 'ringing')
    await t.client.hangup()
    t.client.dismiss()
    expect(t.client.getSnapshot().activeCall).toBeNull()
  })
})
