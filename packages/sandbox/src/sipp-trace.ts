/**
 * Parses sipp's `-trace_msg` message log into the calls the phone saw.
 *
 * Each entry looks like:
 *   ----------------------------------------------- 2026-11-21 13:55:55.580048
 *   UDP message received [424] bytes :
 *
 *   INVITE sip:+15550100002@127.0.0.1:5070;transport=udp SIP/2.0
 *   ...
 */

export interface SipMessage {
  at: number
  direction: 'sent' | 'received'
  /** Request method, or undefined for a response. */
  method?: string
  /** Response status code, or undefined for a request. */
  status?: number
  reason?: string
  requestUri?: string
  headers: Map<string, string>
  body: string
}

const SEPARATOR = /^-{20,} (\d{4}-\d{2}-\d{2}[ \t]\d{2}:\d{2}:\d{2}(?:\.\d+)?)/

const COMPACT: Record<string, string> = {
  i: 'call-id',
  f: 'from',
  t: 'to',
  v: 'via',
  m: 'contact',
  c: 'content-type',
  l: 'content-length',
  r: 'refer-to',
  b: 'referred-by',
}

/** Incremental parser: feed it appended text, it returns complete messages. */
export class SippTraceParser {
  private buffer = ''

  push(chunk: string): SipMessage[] {
    this.buffer += chunk
    const out: SipMessage[] = []
    // An entry is complete once the next separator has been written.
    for (;;) {
      const start = this.buffer.search(/^-{20,} \d{4}-/m)
      if (start < 0) return out
      const nextRel = this.buffer.slice(start + 1).search(/^-{20,} \d{4}-/m)
      if (nextRel < 0) return out
      const entry = this.buffer.slice(start, start + 1 + nextRel)
      this.buffer = this.buffer.slice(start + 1 + nextRel)
      const msg = parseEntry(entry)
      if (msg) out.push(msg)
    }
  }

  /** Parses what is left (the last entry) once the writer is done. */
  flush(): SipMessage[] {
    const rest = this.buffer
    this.buffer = ''
    const msg = rest.trim() ? parseEntry(rest) : undefined
    return msg ? [msg] : []
  }
}

export function parseTrace(text: string): SipMessage[] {
  const p = new SippTraceParser()
  return [...p.push(text), ...p.flush()]
}

function parseEntry(entry: string): SipMessage | undefined {
  const lines = entry.replace(/\r/g, '').split('\n')
  const sep = SEPARATOR.exec(lines[0] ?? '')
  if (!sep) return undefined
  const at = new Date(sep[1]!.replace(/[ \t]/, 'T')).getTime() // sipp writes local time; so does Date parse it
  const kind = lines[1] ?? ''
  const direction = /message sent/.test(kind)
    ? 'sent'
    : /message received/.test(kind)
      ? 'received'
      : undefined
  if (!direction) return undefined
  let i = 2
  while (i < lines.length && lines[i]!.trim() === '') i++
  const startLine = lines[i] ?? ''
  i++
  const headers = new Map<string, string>()
  for (; i < lines.length; i++) {
    const line = lines[i]!
    if (line.trim() === '') {
      i++
      break
    }
    const c = line.indexOf(':')
    if (c <= 0) continue
    let name = line.slice(0, c).trim().toLowerCase()
    name = COMPACT[name] ?? name
    if (!headers.has(name)) headers.set(name, line.slice(c + 1).trim())
  }
  const body = lines.slice(i).join('\n').trim()
  const resp = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(startLine)
  if (resp) return { at, direction, status: Number(resp[1]), reason: resp[2] ?? '', headers, body }
  const req = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(startLine)
  if (req) return { at, direction, method: req[1]!, requestUri: req[2]!, headers, body }
  return undefined
}

/** `sip:+1555@host` / `"x" <sip:1555@host>;tag=…` → `+1555` (adds '+' to a bare digit string). */
export function userOf(header: string | undefined): string {
  if (!header) return ''
  const m = /sips?:([^@;>]+)@/.exec(header)
  const user = m ? decodeURIComponent(m[1]!) : ''
  return /^\d{6,}$/.test(user) ? `+${user}` : user
}

/** The remote RTP address ("ip:port") announced in an SDP body. */
export function sdpMedia(body: string): string | undefined {
  const c = /^c=IN IP4 (\S+)/m.exec(body)
  const m = /^m=audio (\d+)/m.exec(body)
  if (!c || !m) return undefined
  return `${c[1]}:${m[1]}`
}

export type CallDirection = 'to-phone' | 'from-phone'

/** A transfer (SIP REFER) a call of the phone received, and what the phone reported back (NOTIFY sipfrag). */
export interface PhoneTransfer {
  /** The Refer-To target as LiveKit sent it, without angle brackets (`tel:+15550100009`, `sip:…`). */
  to: string
  /** When the REFER arrived (epoch ms). */
  at: number
  /** The phone answered the REFER with a 2xx (202 Accepted). */
  accepted: boolean
  /** The sipfrag status codes the phone NOTIFYed, in order (`[100, 200]` for a transfer that connected). */
  notified: number[]
  /** The final status the phone reported: the target's answer (200 = connected, 486 = busy…); null while pending. */
  status: number | null
  reason: string | null
  /** SIP Call-ID of the call the phone placed to the target; null until placed (set by the hub). */
  callId: string | null
}

/** One call as the phone saw it, built from its SIP messages. */
export interface TraceCall {
  callId: string
  /** `to-phone`: LiveKit called the phone (outbound trunk). `from-phone`: the phone called LiveKit (`phone.call`). */
  direction: CallDirection
  /** The dialled number (To user). */
  number: string
  /** The caller (From user). */
  from: string
  invitedAt: number
  ringingAt: number | null
  answeredAt: number | null
  endedAt: number | null
  /** Final SIP status of the INVITE, null while none. */
  status: number | null
  reason: string | null
  /** Who sent the BYE or CANCEL: the phone, or the other side (LiveKit). */
  endedBy: 'phone' | 'remote' | null
  /** The CANCEL came from the caller side while ringing. */
  canceled: boolean
  /** LiveKit's RTP address for this call ("127.0.0.1:10042"). */
  remoteRtp: string | null
  /** The INVITE's `Referred-By` user: this call was placed because of a transfer; null otherwise. */
  referredBy: string | null
  /** Transfers (SIP REFER) this call received, in order. */
  transfers: PhoneTransfer[]
}

/** Folds messages (from one trace, in order) into calls. `side` says which end the trace belongs to. */
export class CallTracker {
  readonly calls = new Map<string, TraceCall>()
  /** Per Call-ID: how many of the phone's NOTIFYs the other side answered with a 2xx (the hub waits on it). */
  readonly notifyAnswers = new Map<string, number>()
  /** Per Call-ID of a call the phone placed: its own SIP address (`127.0.0.1:34476`, from the INVITE's Via). */
  readonly localAddress = new Map<string, string>()

  add(msg: SipMessage): void {
    const callId = msg.headers.get('call-id')
    if (!callId) return
    const cseq = msg.headers.get('cseq') ?? ''
    const cseqMethod = cseq.split(/\s+/)[1] ?? ''
    let call = this.calls.get(callId)
    if (msg.method === 'INVITE' && !call) {
      // The INVITE's direction tells who called: received = LiveKit called the phone.
      call = {
        callId,
        direction: msg.direction === 'received' ? 'to-phone' : 'from-phone',
        number: userOf(msg.headers.get('to')),
        from: userOf(msg.headers.get('from')),
        invitedAt: msg.at,
        ringingAt: null,
        answeredAt: null,
        endedAt: null,
        status: null,
        reason: null,
        endedBy: null,
        canceled: false,
        remoteRtp: msg.direction === 'received' ? (sdpMedia(msg.body) ?? null) : null,
        referredBy: msg.headers.has('referred-by') ? userOf(msg.headers.get('referred-by')) || null : null,
        transfers: [],
      }
      this.calls.set(callId, call)
      const via = /^SIP\/2\.0\/\w+ ([^;\s]+)/.exec(msg.headers.get('via') ?? '')?.[1]
      if (msg.direction === 'sent' && via) this.localAddress.set(callId, via)
      return
    }
    if (!call) return
    const phoneSent = msg.direction === 'sent'
    // Responses the phone sent are for INVITEs it received, and vice versa.
    if (msg.status !== undefined) {
      if (cseqMethod === 'REFER' && phoneSent && msg.status >= 200) {
        const t = call.transfers.at(-1)
        if (t) t.accepted = msg.status < 300
      }
      if (cseqMethod === 'NOTIFY' && !phoneSent && msg.status >= 200 && msg.status < 300) {
        this.notifyAnswers.set(callId, (this.notifyAnswers.get(callId) ?? 0) + 1)
      }
      if (cseqMethod !== 'INVITE') return
      if (msg.status >= 180 && msg.status < 200) call.ringingAt ??= msg.at
      if (msg.status >= 200 && call.status === null) {
        call.status = msg.status
        call.reason = msg.reason ?? null
        if (msg.status < 300) {
          call.answeredAt = msg.at
          if (call.direction === 'from-phone') call.remoteRtp = sdpMedia(msg.body) ?? call.remoteRtp
        } else {
          call.endedAt ??= msg.at
        }
      }
      return
    }
    if (msg.method === 'REFER' && !phoneSent) {
      call.transfers.push({
        to: (msg.headers.get('refer-to') ?? '').replace(/^<(.*)>$/, '$1'),
        at: msg.at,
        accepted: false,
        notified: [],
        status: null,
        reason: null,
        callId: null,
      })
      return
    }
    if (msg.method === 'NOTIFY' && phoneSent) {
      const t = call.transfers.at(-1)
      const frag = /^SIP\/2\.0 (\d{3}) ?(.*)$/m.exec(msg.body)
      if (t && frag) {
        const code = Number(frag[1])
        t.notified.push(code)
        if (code >= 200) {
          t.status = code
          t.reason = frag[2]?.trim() ?? ''
        }
      }
      return
    }
    if (msg.method === 'BYE' && call.endedAt === null) {
      call.endedAt = msg.at
      call.endedBy = phoneSent ? 'phone' : 'remote'
    } else if (msg.method === 'CANCEL' && call.status === null) {
      call.canceled = true
      call.endedBy = phoneSent ? 'phone' : 'remote'
      call.endedAt ??= msg.at
    }
  }
}
