/**
 * Writes pcap files of RFC 4733 telephone-event packets for sipp's `play_pcap_audio`.
 *
 * sipp's own `play_dtmf` action hard-codes payload type 96 and reuses one RTP timestamp scheme; livekit-sip
 * offers telephone-event as payload type 101 and drops a digit whose RTP timestamp equals the previous
 * one, so the sandbox ships its own packets: one RTP stream, one timestamp per digit, marker on the first
 * packet of each digit and three end-of-event packets, as RFC 4733 §2.5 describes.
 */

// RFC 4733 §3.2: the event code of each DTMF digit is its position here.
const DTMF_EVENT_DIGITS = '0123456789*#ABCD'
const DTMF_EVENTS = new Map([...DTMF_EVENT_DIGITS].map((digit, event) => [digit, event]))

/** The DTMF digit for an RFC 4733 event code, or undefined for other events. */
export function dtmfDigit(event: number): string | undefined {
  return DTMF_EVENT_DIGITS[event]
}

/** Digits the sandbox can send: 0-9, *, #, A-D. */
export function isDtmfDigits(digits: string): boolean {
  return digits.length > 0 && [...digits].every((d) => DTMF_EVENTS.has(d.toUpperCase()))
}

export interface DtmfPcapOptions {
  /** RTP payload type of telephone-event (default 101, what livekit-sip offers). */
  payloadType?: number
  /** Tone length per digit in ms (default 160). */
  toneMs?: number
  /** Silence between digits in ms (default 120). */
  gapMs?: number
  /** Lead-in before the first digit in ms (default 40). */
  leadMs?: number
  ssrc?: number
}

interface Packet {
  atMs: number
  payload: Buffer
}

/** Builds a pcap (Ethernet, IPv4, UDP 127.0.0.1:6000 → 127.0.0.1:6002) of the digits as RFC 4733 events. */
export function dtmfPcap(digits: string, options: DtmfPcapOptions = {}): Buffer {
  if (!isDtmfDigits(digits)) throw new Error(`invalid DTMF digits ${JSON.stringify(digits)}: use 0-9 * # A-D`)
  const pt = options.payloadType ?? 101
  const toneMs = options.toneMs ?? 160
  const gapMs = options.gapMs ?? 120
  const ssrc = options.ssrc ?? 0x52494e47 // "RING"
  const packets: Packet[] = []
  let seq = 1000
  let timeMs = options.leadMs ?? 40
  let rtpTs = 16000
  for (const ch of digits.toUpperCase()) {
    const event = DTMF_EVENTS.get(ch)!
    // one packet every 20 ms while the tone lasts; the duration field grows
    for (let t = 0, first = true; t < toneMs; t += 20, first = false) {
      packets.push({
        atMs: timeMs + t,
        payload: rtpEvent(pt, seq++, rtpTs, ssrc, first, event, false, (t + 20) * 8),
      })
    }
    // end of event, sent three times (RFC 4733 §2.5.1.4)
    for (let i = 0; i < 3; i++) {
      packets.push({
        atMs: timeMs + toneMs + i * 5,
        payload: rtpEvent(pt, seq++, rtpTs, ssrc, false, event, true, toneMs * 8),
      })
    }
    timeMs += toneMs + gapMs
    rtpTs += (toneMs + gapMs) * 8
  }
  return pcapFile(packets)
}

function rtpEvent(
  pt: number,
  seq: number,
  ts: number,
  ssrc: number,
  marker: boolean,
  event: number,
  end: boolean,
  duration: number,
): Buffer {
  const b = Buffer.alloc(16)
  b[0] = 0x80
  b[1] = (marker ? 0x80 : 0) | (pt & 0x7f)
  b.writeUInt16BE(seq & 0xffff, 2)
  b.writeUInt32BE(ts >>> 0, 4)
  b.writeUInt32BE(ssrc >>> 0, 8)
  b[12] = event
  b[13] = (end ? 0x80 : 0) | 10 // volume -10 dBm0
  b.writeUInt16BE(duration & 0xffff, 14)
  return b
}

function pcapFile(packets: Packet[]): Buffer {
  const header = Buffer.alloc(24)
  header.writeUInt32LE(0xa1b2c3d4, 0)
  header.writeUInt16LE(2, 4)
  header.writeUInt16LE(4, 6)
  header.writeInt32LE(0, 8)
  header.writeUInt32LE(0, 12)
  header.writeUInt32LE(65535, 16)
  header.writeUInt32LE(1, 20) // LINKTYPE_ETHERNET
  const parts: Buffer[] = [header]
  for (const p of packets) {
    const frame = ethernetIpv4Udp(6000, 6002, p.payload)
    const rec = Buffer.alloc(16)
    rec.writeUInt32LE(Math.floor(p.atMs / 1000), 0)
    rec.writeUInt32LE(Math.round((p.atMs % 1000) * 1000), 4)
    rec.writeUInt32LE(frame.length, 8)
    rec.writeUInt32LE(frame.length, 12)
    parts.push(rec, frame)
  }
  return Buffer.concat(parts)
}

function ethernetIpv4Udp(srcPort: number, dstPort: number, payload: Buffer): Buffer {
  const eth = Buffer.alloc(14)
  eth.writeUInt16BE(0x0800, 12)
  const udpLen = 8 + payload.length
  const ip = Buffer.alloc(20)
  ip[0] = 0x45
  ip.writeUInt16BE(20 + udpLen, 2)
  ip[8] = 64
  ip[9] = 17
  ip.set([127, 0, 0, 1], 12)
  ip.set([127, 0, 0, 1], 16)
  let sum = 0
  for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i)
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16)
  ip.writeUInt16BE(~sum & 0xffff, 10)
  const udp = Buffer.alloc(8)
  udp.writeUInt16BE(srcPort, 0)
  udp.writeUInt16BE(dstPort, 2)
  udp.writeUInt16BE(udpLen, 4)
  return Buffer.concat([eth, ip, udp, payload])
}

/**
 * One 20 ms RTP packet (G.711 μ-law, payload type 0) of a sine tone of `hz` at about −12 dBFS: packet `index` of
 * a stream. The hub sends them as the transferred caller's voice, so the target phone hears someone.
 */
export function toneRtpPacket(index: number, hz = 440, ssrc = 0x544f4e45 /* "TONE" */): Buffer {
  const b = Buffer.alloc(12 + 160)
  b[0] = 0x80
  b[1] = index === 0 ? 0x80 : 0
  b.writeUInt16BE((2000 + index) & 0xffff, 2)
  b.writeUInt32BE((8000 + index * 160) >>> 0, 4)
  b.writeUInt32BE(ssrc >>> 0, 8)
  for (let s = 0; s < 160; s++) {
    const n = index * 160 + s
    b[12 + s] = linearToUlaw(Math.round(8000 * Math.sin((2 * Math.PI * hz * n) / 8000)))
  }
  return b
}

/** 16-bit linear sample → G.711 μ-law byte. */
function linearToUlaw(sample: number): number {
  const BIAS = 0x84
  const sign = sample < 0 ? 0x80 : 0
  let v = Math.min(Math.abs(sample), 32635) + BIAS
  let exponent = 7
  for (let mask = 0x4000; (v & mask) === 0 && exponent > 0; mask >>= 1) exponent--
  const mantissa = (v >> (exponent + 3)) & 0x0f
  v = ~(sign | (exponent << 4) | mantissa) & 0xff
  return v
}
