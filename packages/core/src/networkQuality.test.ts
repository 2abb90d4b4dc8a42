import { describe, expect, it } from 'vitest'
import { dialToPhase, setup } from '../test/callClientHarness'
import {
  createNetworkMonitor,
  type LinkStats,
  lossBetween,
  type NetworkWarning,
  networkWarningText,
} from './networkQuality'
import { createFakeClock } from './testing/fakeClock'
import { settle } from './testing/fakeServer'
import type { CallClientEvent } from './types'

function monitor(rules?: Parameters<typeof createNetworkMonitor>[0]['rules']) {
  const clock = createFakeClock()
  const changes: Array<{ name: string; raised: boolean; side: string }> = []
  let current: readonly NetworkWarning[] = []
  const m = createNetworkMonitor({
    clock,
    ...(rules ? { rules } : {}),
    onChange: (warnings, { warning, raised }) => {
      current = warnings
      changes.push({ name: warning.name, raised, side: warning.side })
    },
  })
  return { clock, m, changes, names: () => current.map((w) => `${w.name}:${w.side}`) }
}

describe('createNetworkMonitor (hysteresis)', () => {
  it('raises poor-network only after the condition held 3 s, and clears it after 5 s of good', () => {
    const t = monitor()
    t.m.update({ local: 'poor' })
    t.clock.advance(2_999)
    expect(t.names()).toEqual([])
    t.clock.advance(1)
    expect(t.names()).toEqual(['poor-network:local'])
    expect(t.m.warnings[0]?.text).toBe(networkWarningText['poor-network'].local)
    expect(t.m.warnings[0]?.since).toBe(t.clock.now())
    t.m.update({ local: 'good' })
    t.clock.advance(4_999)
    expect(t.names()).toEqual(['poor-network:local'])
    t.clock.advance(1)
    expect(t.names()).toEqual([])
    expect(t.changes).toEqual([
      { name: 'poor-network', raised: true, side: 'local' },
      { name: 'poor-network', raised: false, side: 'local' },
    ])
  })

  it('never shows a bad blip shorter than the raise delay, nor hides a warning for a good blip', () => {
    const t = monitor()
    t.m.update({ local: 'poor' })
    t.clock.advance(2_000)
    t.m.update({ local: 'excellent' })
    t.clock.advance(10_000)
    expect(t.changes).toEqual([])
    // The raise delay starts again after a break.
    t.m.update({ local: 'lost' })
    t.clock.advance(2_000)
    expect(t.names()).toEqual([])
    t.clock.advance(1_000)
    expect(t.names()).toEqual(['poor-network:local'])
    // A good moment shorter than the clear delay leaves it raised and restarts nothing.
    t.m.update({ local: 'good' })
    t.clock.advance(4_000)
    t.m.update({ local: 'poor' })
    t.clock.advance(20_000)
    expect(t.names()).toEqual(['poor-network:local'])
    expect(t.changes).toHaveLength(1)
  })

  it('says whose line is poor, and follows a change of side while raised', () => {
    const t = monitor()
    t.m.update({ remote: 'poor' })
    t.clock.advance(3_000)
    expect(t.names()).toEqual(['poor-network:remote'])
    expect(t.m.warnings[0]?.text).toMatch(/other side/)
    t.m.update({ local: 'poor' })
    expect(t.names()).toEqual(['poor-network:local'])
  })

  it('raises reconnecting after 1 s and clears it as soon as the room is back; a lost remote leg reconnects too', () => {
    const t = monitor()
    t.m.update({ reconnecting: true })
    t.clock.advance(500)
    t.m.update({ reconnecting: false })
    t.clock.advance(5_000)
    expect(t.names()).toEqual([])
    t.m.update({ reconnecting: true })
    t.clock.advance(1_000)
    expect(t.names()).toEqual(['reconnecting:local'])
    t.m.update({ reconnecting: false })
    expect(t.names()).toEqual([])
    t.m.update({ remote: 'lost' })
    t.clock.advance(1_000)
    expect(t.names()).toEqual(['reconnecting:remote'])
  })

  it('raises high-latency over 400 ms round trip and packet-loss over 5 % lost', () => {
    const t = monitor()
    t.m.update({ rttMs: 399, loss: { local: 0.05, remote: 0 } })
    t.clock.advance(10_000)
    expect(t.names()).toEqual([])
    t.m.update({ rttMs: 650, loss: { local: 0.02, remote: 0.12 } })
    t.clock.advance(3_000)
    expect(t.names()).toEqual(['packet-loss:remote', 'high-latency:local'])
    expect(t.m.warnings.map((w) => w.text)).toEqual([
      networkWarningText['packet-loss'].remote,
      networkWarningText['high-latency'].local,
    ])
  })

  it('takes its rules from options', () => {
    const t = monitor({ 'high-latency': { raiseAfterMs: 0, clearAfterMs: 0 } })
    t.m.update({ rttMs: 900 })
    expect(t.names()).toEqual(['high-latency:local'])
    t.m.update({ rttMs: 50 })
    expect(t.names()).toEqual([])
  })

  it('stop() cancels pending raises', () => {
    const t = monitor()
    t.m.update({ local: 'poor' })
    t.m.stop()
    expect(t.clock.pending()).toBe(0)
  })
})

describe('lossBetween', () => {
  const s = (sent: number, sentLost: number, received: number, receivedLost: number): LinkStats => ({
    rttMs: null,
    sent,
    sentLost,
    received,
    receivedLost,
  })
  it('is the share of packets lost since the previous sample, per side', () => {
    expect(lossBetween(s(100, 0, 100, 0), s(200, 10, 180, 20))).toEqual({ local: 0.1, remote: 0.2 })
  })
  it('is null with too few packets to judge', () => {
    expect(lossBetween(s(100, 0, 100, 0), s(105, 1, 100, 0))).toEqual({ local: null, remote: null })
  })
})

describe('network warnings of the active call (fake LiveKit room, fake clock)', () => {
  it('maps ConnectionQualityChanged of the SIP participant and of this browser into state and events', async () => {
    const t = setup()
    const events: CallClientEvent[] = []
    t.client.on((e) => e.type === 'network-warning' && events.push(e))
    await dialToPhase(t, 'active')
    expect(t.call().networkWarnings).toEqual([])
    t.room.setQuality('sip_+14155550123', 'poor')
    t.clock.advance(3_000)
    expect(t.call().networkWarnings.map((w) => `${w.name}:${w.side}`)).toEqual(['poor-network:remote'])
    expect(events).toMatchObject([{ raised: true, warning: { name: 'poor-network', side: 'remote' } }])
    // This browser's quality wins: the warning says it is yours.
    t.room.setQuality('me', 'lost')
    expect(t.call().networkWarnings[0]).toMatchObject({ side: 'local' })
    t.room.setQuality('me', 'excellent')
    t.room.setQuality('sip_+14155550123', 'good')
    t.clock.advance(4_999)
    expect(t.call().networkWarnings).toHaveLength(1)
    t.clock.advance(1)
    expect(t.call().networkWarnings).toEqual([])
    expect(events.at(-1)).toMatchObject({ raised: false, warning: { name: 'poor-network' } })
  })

  it('raises reconnecting while the room reconnects and clears it on Reconnected', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    t.room.setState('reconnecting')
    t.clock.advance(1_000)
    expect(t.call().networkWarnings.map((w) => w.name)).toEqual(['reconnecting'])
    t.room.setState('connected')
    expect(t.call().networkWarnings).toEqual([])
  })

  it('reads the link stats every 2 s: high round trip and lost packets become warnings', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    const remote = t.room.publishAudio('sip_+14155550123')
    const step = async (sent: number, lost: number, rtt: number) => {
      t.room.senderStats = { packetsSent: sent, packetsLost: lost, roundTripTime: rtt }
      remote.stats = { packetsReceived: sent, packetsLost: 0 }
      t.clock.advance(2_000)
      await settle()
    }
    await step(100, 0, 0.05)
    await step(200, 0, 0.05)
    expect(t.call().networkWarnings).toEqual([])
    // 20 of every 100 packets lost and 800 ms round trip: bad from this sample on, raised 3 s later.
    await step(300, 20, 0.8)
    await step(400, 40, 0.8)
    expect(t.call().networkWarnings).toEqual([])
    await step(500, 60, 0.8)
    expect(t.call().networkWarnings.map((w) => w.name)).toEqual(['packet-loss', 'high-latency'])
    await step(600, 60, 0.05)
    await step(700, 60, 0.05)
    await step(800, 60, 0.05)
    expect(t.call().networkWarnings).toHaveLength(2)
    await step(900, 60, 0.05)
    expect(t.call().networkWarnings).toEqual([])
  })

  it('drops its warnings and stops reading stats when the call ends', async () => {
    const t = setup()
    await dialToPhase(t, 'active')
    t.room.setQuality('me', 'poor')
    t.clock.advance(3_000)
    expect(t.call().networkWarnings).toHaveLength(1)
    await t.client.hangup()
    await settle()
    expect(t.call().phase).toBe('ended')
    expect(t.call().networkWarnings).toEqual([])
    t.room.setQuality('me', 'good')
    t.clock.advance(60_000)
    expect(t.call().networkWarnings).toEqual([])
  })
})
