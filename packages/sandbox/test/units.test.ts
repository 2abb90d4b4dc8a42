import { describe, expect, test } from 'vitest'
import { DEFAULT_PORTS, resolveOptions } from '../src/config'
import { targetNumber } from '../src/hub'
import { dtmfDigit, dtmfPcap, toneRtpPacket } from '../src/pcap'
import { audioLevel, callerScenario } from '../src/phone'
import { CallTracker, parseTrace, sdpMedia, userOf } from '../src/sipp-trace'
import { EGRESS_SKIP_MARKER, sipRunName, sipSummaryLine } from '../src/vitest'

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

  test('a transfer: REFER accepted, NOTIFY 100 then 200, the answers the hub waits on', () => {
    const t = new CallTracker()
    const text =
      trace.split('----------------------------------------------- 2026-11-21 10:00:05.500000')[0] +
      entry(
        '10:00:02.000000',
        'received',
        'REFER sip:+15550100008@127.0.0.1:5070 SIP/2.0\nCall-ID: abc\nCSeq: 2 REFER\nRefer-To: <tel:+15550100009>',
      ) +
      entry('10:00:02.001000', 'sent', 'SIP/2.0 202 Accepted\nCall-ID: abc\nCSeq: 2 REFER') +
      entry(
        '10:00:02.002000',
        'sent',
        'NOTIFY sip:127.0.0.1:5060 SIP/2.0\nCall-ID: abc\nCSeq: 1 NOTIFY\nEvent: refer;id=2\n\nSIP/2.0 100 Trying',
      ) +
      entry('10:00:02.003000', 'received', 'SIP/2.0 200 OK\nCall-ID: abc\nCSeq: 1 NOTIFY') +
      entry(
        '10:00:02.900000',
        'sent',
        'NOTIFY sip:127.0.0.1:5060 SIP/2.0\nCall-ID: abc\nCSeq: 2 NOTIFY\nEvent: refer;id=2\n\nSIP/2.0 486 Busy Here',
      ) +
      entry('10:00:02.901000', 'received', 'SIP/2.0 200 OK\nCall-ID: abc\nCSeq: 2 NOTIFY')
    for (const m of parseTrace(text)) t.add(m)
    const call = t.calls.get('abc')!
    expect(call.transfers).toEqual([
      {
        to: 'tel:+15550100009',
        at: call.invitedAt + 2000,
        accepted: true,
        notified: [100, 486],
        status: 486,
        reason: 'Busy Here',
        callId: null,
      },
    ])
    expect(t.notifyAnswers.get('abc')).toBe(2)
    // the REFER is not the INVITE's answer: the call is still the answered one
    expect(call).toMatchObject({ status: 200, endedAt: null, referredBy: null })
  })

  test('a call placed for a transfer carries Referred-By', () => {
    const t = new CallTracker()
    const text = entry(
      '10:00:00.000000',
      'received',
      'INVITE sip:+15550100009@127.0.0.1:5070 SIP/2.0\nCall-ID: leg\nFrom: <sip:+15550100008@127.0.0.1:40000>;tag=1\nTo: <sip:+15550100009@127.0.0.1:5070>\nCSeq: 1 INVITE\nReferred-By: <sip:+15550009999@127.0.0.1>',
    )
    for (const m of parseTrace(text)) t.add(m)
    expect(t.calls.get('leg')).toMatchObject({
      from: '+15550100008',
      number: '+15550100009',
      referredBy: '+15550009999',
      transfers: [],
    })
  })

  test('transfer targets: tel and sip URIs name a number; others none', () => {
    expect(targetNumber('tel:+15550100009')).toBe('+15550100009')
    expect(targetNumber('<sip:+15550009000@127.0.0.1:5060;transport=udp>')).toBe('+15550009000')
    expect(targetNumber('sip:15550100002@example.com')).toBe('+15550100002')
    expect(targetNumber('sip:alice@example.com')).toBeNull()
  })

  test('helpers', () => {
    expect(userOf('"x" <sip:15550001234@h>;tag=1')).toBe('+15550001234')
    expect(userOf('<sip:alice@h>')).toBe('alice')
    expect(sdpMedia('c=IN IP4 10.0.0.1\nm=audio 4000 RTP/AVP 0')).toBe('10.0.0.1:4000')
  })
})

describe('tone RTP', () => {
  test('20 ms of μ-law (PT 0) per packet, consecutive sequence numbers and timestamps, a waveform', () => {
    const [a, b] = [toneRtpPacket(0), toneRtpPacket(1)]
    expect(a.length).toBe(12 + 160)
    expect(a[1]).toBe(0x80) // marker on the first packet, payload type 0
    expect(b[1]).toBe(0)
    expect(b.readUInt16BE(2) - a.readUInt16BE(2)).toBe(1)
    expect(b.readUInt32BE(4) - a.readUInt32BE(4)).toBe(160)
    expect(new Set(a.subarray(12)).size).toBeGreaterThan(10)
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

  test('caller scenario: a transfer call adds its headers; header injection is refused', () => {
    const plain = callerScenario('/tmp', {})
    expect(plain).not.toContain('{{INVITE_HEADERS}}')
    expect(plain).not.toContain('Referred-By: <')
    expect(plain).toMatch(/User-Agent: ringline-sandbox-phone\n\s+Allow:/)
    const leg = callerScenario(
      '/tmp',
      { hangupAfterMs: 30_000 },
      { headers: ['Referred-By: <sip:+15550009999@127.0.0.1>'], sdpMediaPort: 40000 },
    )
    expect(leg).toMatch(
      /User-Agent: ringline-sandbox-phone\n\s+Referred-By: <sip:\+15550009999@127\.0\.0\.1>\n\s+Allow:/,
    )
    expect(() => callerScenario('/tmp', {}, { headers: ['X-A: 1\r\nBYE sip:x SIP/2.0'] })).toThrow(
      /invalid header/,
    )
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

describe('end-of-run phone test summary', () => {
  const egressSkipped = (name: string) =>
    `${sipRunName(`recording ${name}`)} ${EGRESS_SKIP_MARKER}no egress binary)`
  test('counts phone tests by outcome, and recording tests skipped for want of egress apart', () => {
    const line = sipSummaryLine('server-integration', [
      { fullName: sipRunName('dials out'), state: 'passed' },
      { fullName: sipRunName('answers'), state: 'passed' },
      { fullName: sipRunName('transfers'), state: 'failed' },
      { fullName: sipRunName('parks'), state: 'skipped' },
      { fullName: egressSkipped('a'), state: 'skipped' },
      { fullName: egressSkipped('b'), state: 'skipped' },
      { fullName: 'a unit test', state: 'passed' },
    ])
    expect(line).toBe(
      'project "server-integration": 3 phone tests ran on livekit-sip (2 passed, 1 failed, 1 skipped); 2 recording tests on it not run: they need egress, which is not available',
    )
  })
  test('says nothing for a project without phone tests', () => {
    expect(sipSummaryLine('core', [{ fullName: 'a unit test', state: 'passed' }])).toBeNull()
  })
})
