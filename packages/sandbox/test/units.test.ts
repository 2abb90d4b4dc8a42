import { describe, expect, test } from 'vitest'
import { DEFAULT_PORTS, resolveOptions } from '../src/config'
import { dtmfDigit, dtmfPcap } from '../src/pcap'
import { audioLevel, callerScenario } from '../src/phone'
import { CallTracker, parseTrace, sdpMedia, userOf } from '../src/sipp-trace'

const entry = (time: string, dir: 'sent' | 'received', msg: string) =>
  `----------------------------------------------- 2026-11-21 ${time}\nUDP message ${dir === 'sent' ? 'sent (100 bytes):' : 'received [100] bytes :'}\n\n${msg}\n\n`

describe('sipp message trace', () => {
  const trace =
    entry(
      '10:00:00.000000',
      'received',
      'INVITE sip:+15550100001@127.0.0.1:5070;transport=udp SIP/2.0\nCall-ID: abc\nFrom: "+15550009999" <sip:+15550009999@127.0.0.1>;tag=x\nTo: <sip:+15550100001@127.0.0.1:5070;transport=udp>\nCSeq: 1 INVITE\nContent-Type: application/sdp\n\nv=0\nc=IN IP4 127.0.0.1\nm=audio 10042 RTP/AVP 9 0 8 101',
    ) +
    entry('10:00:00.010000', 'sent', 'SIP/2.0 180 Ringing\nCall-ID: abc\nCSeq: 1 INVITE') +
    entry('10:00:01.010000', 'sent', 'SIP/2.0 200 OK\nCall-ID: abc\nCSeq: 1 INVITE') +
    entry('10:00:05.500000', 'received', 'BYE sip:127.0.0.1:5070 SIP/2.0\nCall-ID: abc\nCSeq: 2 BYE') +
    entry('10:00:05.501000', 'sent', 'SIP/2.0 200 OK\nCall-ID: abc\nCSeq: 2 BYE')

  test('folds messages into a call', () => {
    const t = new CallTracker()
    for (const m of parseTrace(trace)) t.add(m)
    const call = t.calls.get('abc')!
    expect(call).toMatchObject({
      direction: 'to-phone',
      number: '+15550100001',
      from: '+15550009999',
      status: 200,
      endedBy: 'remote',
      remoteRtp: '127.0.0.1:10042',
      canceled: false,
    })
    expect(call.answeredAt! - call.invitedAt).toBe(1010)
    expect(call.endedAt! - call.answeredAt!).toBe(4490)
  })

  test('a CANCEL ends a ringing call with 487', () => {
    const t = new CallTracker()
    const text =
      entry(
        '10:00:00.000000',
        'sent',
        'INVITE sip:+15550009000@127.0.0.1:5060 SIP/2.0\nCall-ID: c2\nTo: <sip:+15550009000@127.0.0.1>\nFrom: <sip:+1555@x>;tag=1\nCSeq: 1 INVITE',
      ) +
      entry('10:00:00.100000', 'received', 'SIP/2.0 180 Ringing\nCall-ID: c2\nCSeq: 1 INVITE') +
      entry(
        '10:00:01.000000',
        'sent',
        'CANCEL sip:+15550009000@127.0.0.1:5060 SIP/2.0\nCall-ID: c2\nCSeq: 1 CANCEL',
      ) +
      entry('10:00:01.001000', 'received', 'SIP/2.0 200 OK\nCall-ID: c2\nCSeq: 1 CANCEL') +
      entry('10:00:01.002000', 'received', 'SIP/2.0 487 Request Terminated\nCall-ID: c2\nCSeq: 1 INVITE')
    for (const m of parseTrace(text)) t.add(m)
    expect(t.calls.get('c2')).toMatchObject({
      direction: 'from-phone',
      canceled: true,
      endedBy: 'phone',
      status: 487,
      answeredAt: null,
    })
  })

  test('helpers', () => {
    expect(userOf('"x" <sip:15550001234@h>;tag=1')).toBe('+15550001234')
    expect(userOf('<sip:alice@h>')).toBe('alice')
    expect(sdpMedia('c=IN IP4 10.0.0.1\nm=audio 4000 RTP/AVP 0')).toBe('10.0.0.1:4000')
  })
})

describe('DTMF pcap', () => {
  test('one RTP timestamp per digit, marker first, three end packets, PT 101', () => {
    const pcap = dtmfPcap('1#')
    expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4)
    const packets: Buffer[] = []
    for (let off = 24; off < pcap.length; ) {
      const len = pcap.readUInt32LE(off + 8)
      packets.push(pcap.subarray(off + 16 + 42, off + 16 + len)) // skip Ethernet + IPv4 + UDP
      off += 16 + len
    }
    const rtp = packets.map((p) => ({
      pt: p[1]! & 0x7f,
      marker: (p[1]! & 0x80) !== 0,
      ts: p.readUInt32BE(4),
      event: p[12]!,
      end: (p[13]! & 0x80) !== 0,
    }))
    expect(new Set(rtp.map((r) => r.pt))).toEqual(new Set([101]))
    const byTs = new Map<number, typeof rtp>()
    for (const r of rtp) byTs.set(r.ts, [...(byTs.get(r.ts) ?? []), r])
    expect([...byTs.values()].map((g) => dtmfDigit(g[0]!.event))).toEqual(['1', '#'])
    for (const g of byTs.values()) {
      expect(g[0]!.marker).toBe(true)
      expect(g.filter((r) => r.end)).toHaveLength(3)
    }
  })

  test('rejects what is not a DTMF digit', () => {
    expect(() => dtmfPcap('12x')).toThrow(/invalid DTMF/)
  })
})

describe('options', () => {
  test('port offset and env overrides', () => {
    const o = resolveOptions({ portOffset: 1000, log: false }, { RINGLINE_SANDBOX_REDIS_PORT: '7000' })
    expect(o.ports.livekit).toBe(DEFAULT_PORTS.livekit + 1000)
    expect(o.ports.redis).toBe(7000)
    expect(o.ports.rtcTcp).toBe(0)
    expect(o.apiSecret.length).toBeGreaterThanOrEqual(32)
    expect(() => resolveOptions({ apiSecret: 'short' })).toThrow(/32/)
  })

  test('the caller scenario fills in what happens after the answer', () => {
    const xml = callerScenario('/tmp', { hangupAfterMs: 2000 })
    expect(xml).not.toContain('{{AFTER_ANSWER}}')
    expect(xml).toContain('timeout="2000" ontimeout="hangup_time"')
    expect(xml).toContain('BYE [next_url] SIP/2.0')
  })
})

describe('audioLevel', () => {
  const audio = (levels: Array<[number, number]>) => ({
    packets: levels.length,
    rms: 0,
    levels: levels.map(([at, rms]) => ({ at, rms })),
  })
  test('RMS of the buckets in the window; buckets without audio count as silence', () => {
    const a = audio([
      [1000, 0.1],
      [1100, 0.1],
      [1200, 0.5],
    ])
    expect(audioLevel(a, 1000, 1200)).toBeCloseTo(0.1)
    // 1000..1400 holds four buckets, one of them missing on the wire.
    expect(audioLevel(a, 1000, 1400)).toBeCloseTo(Math.sqrt((0.01 + 0.01 + 0.25) / 4))
    expect(audioLevel(a, 2000, 3000)).toBe(0)
    expect(audioLevel(audio([]), 0, 100)).toBe(0)
  })
})
