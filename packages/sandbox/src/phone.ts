import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LIVEKIT_SIP_FIX, packageRoot, SandboxSetupError } from './binaries'
import { dtmfPcap, isDtmfDigits } from './pcap'
import { freePort, sleep } from './procs'
import { CallTracker, SippTraceParser, type TraceCall } from './sipp-trace'
import type { PhoneAudio, PhoneCallRecord, SandboxInfo } from './types'

export interface PhoneCallOptions {
  /** The caller number (From user). Default `+15550001111`. */
  from?: string
  /** The phone hangs up (BYE) this long after the call is answered. Default: it waits for the other side. */
  hangupAfterMs?: number
  /** DTMF digits (0-9 * # A-D) the phone sends once answered, as RFC 4733 events. */
  dtmf?: string
  /** Wait this long after the answer before sending `dtmf`. Default 1000 ms. */
  dtmfDelayMs?: number
  /** Aborting cancels the call while it rings (CANCEL) or hangs up once answered (BYE). */
  signal?: AbortSignal
  /** Safety net: abort the call after this long in total. Default 120 s. */
  timeoutMs?: number
  /**
   * Take a transfer (SIP REFER) once answered (after `dtmf`), as `numbers.transfer` does for LiveKit's calls: 202,
   * NOTIFY 100, the hub calls the Refer-To target from `from`, NOTIFY with its answer. Not with `hangupAfterMs`.
   */
  acceptTransfer?: boolean
}

/** What happened to a call the phone placed. */
export interface PhoneCallResult {
  /** SIP Call-ID. */
  callId: string
  to: string
  from: string
  /** A 2xx final response arrived. */
  answered: boolean
  /** Final SIP status code of the INVITE (200, 486, 487, 603…), null when none came (e.g. LiveKit dropped it). */
  status: number | null
  reason: string | null
  /** The phone canceled the call while it was ringing. */
  canceled: boolean
  /** Who ended the call: the phone (BYE/CANCEL sent) or LiveKit (BYE received). */
  endedBy: 'phone' | 'remote' | null
  invitedAt: number
  ringingAt: number | null
  answeredAt: number | null
  endedAt: number | null
  /** INVITE → 200 OK, ms. */
  setupMs: number | null
  /** Answer → end, ms (0 when never answered). */
  durationMs: number
  /** Digits the phone sent after the answer. */
  dtmfSent: string
  /** Digits the phone received during the call (RFC 4733). */
  dtmfReceived: string
  /** Audio the phone received (echoed back to LiveKit as it came). */
  audio: PhoneAudio
  /** sipp's exit code and the call's message log, for debugging. */
  sippExitCode: number | null
  traceFile: string
}

/** @internal How the hub places the call of a transfer: where to, with which headers and media. */
export interface PlaceCallOptions {
  /** `host:port` the INVITE goes to; default livekit-sip. */
  via?: string
  /** Extra header lines of the INVITE (e.g. `Referred-By: <sip:+1555…@127.0.0.1>`). */
  headers?: string[]
  /**
   * The RTP port the INVITE's SDP offers (on 127.0.0.1) instead of the hub's echo: the hub sends the transferred
   * caller's voice from there, so the far end (the phone at another number) hears it.
   */
  sdpMediaPort?: number
}

export interface ReceivedSummary {
  /** Number of INVITEs the phone got for (or sent to) this number. */
  invites: number
  /** All digits received on those calls, in order. */
  dtmf: string
  calls: PhoneCallRecord[]
}

const ABORT_GRACE_MS = 4000

/** A call in progress, placed by `phone.call()`. Await it (or `.result`) for the outcome. */
export class PhoneCall implements PromiseLike<PhoneCallResult> {
  readonly callId: string
  /** Resolves true at the first 18x, false if the call ended without ringing. */
  readonly ringing: Promise<boolean>
  /** Resolves true at the 200 OK, false if the call ended without an answer. */
  readonly answered: Promise<boolean>
  readonly result: Promise<PhoneCallResult>
  private child: ChildProcess | undefined
  private controlPort = 0
  private traceFile = ''
  private aborting = false

  /** @internal */
  constructor(
    callId: string,
    run: (
      self: PhoneCall,
      hooks: { ringing(v: boolean): void; answered(v: boolean): void },
    ) => Promise<PhoneCallResult>,
  ) {
    this.callId = callId
    let ringing!: (v: boolean) => void
    let answered!: (v: boolean) => void
    this.ringing = new Promise((r) => {
      ringing = r
    })
    this.answered = new Promise((r) => {
      answered = r
    })
    this.result = run(this, { ringing, answered }).finally(() => {
      ringing(false)
      answered(false)
    })
  }

  /** @internal */
  attach(child: ChildProcess, controlPort: number, traceFile: string): void {
    this.child = child
    this.controlPort = controlPort
    this.traceFile = traceFile
  }

  /** Cancels (while ringing) or hangs up (once answered), then resolves with the outcome. */
  hangup(): Promise<PhoneCallResult> {
    void this.abort()
    return this.result
  }

  /** @internal */
  async abort(): Promise<void> {
    const child = this.child
    if (!child?.pid || child.exitCode !== null || this.aborting) return
    this.aborting = true
    // 'Q' on sipp's control socket aborts the open call: CANCEL before the answer, BYE after it.
    const sock = createSocket('udp4')
    await new Promise<void>((resolve) => sock.send('Q', this.controlPort, '127.0.0.1', () => resolve()))
    sock.close()
    // sipp sends the CANCEL/BYE but then lingers; stop it once the request (and, briefly, its answer) is logged.
    const sent = /message sent[^\n]*\n\n(CANCEL|BYE) /
    const deadline = Date.now() + ABORT_GRACE_MS
    while (!this.exited(child) && Date.now() < deadline) {
      if (sent.test(readFileSafe(this.traceFile))) {
        await sleep(300)
        break
      }
      await sleep(25)
    }
    if (!this.exited(child)) child.kill('SIGTERM')
    const hard = Date.now() + 2000
    while (!this.exited(child) && Date.now() < hard) await sleep(25)
    if (!this.exited(child)) child.kill('SIGKILL')
  }

  private exited(child: ChildProcess): boolean {
    return child.exitCode !== null || child.signalCode !== null
  }

  // biome-ignore lint/suspicious/noThenProperty: a PhoneCall is awaitable on purpose
  then<A = PhoneCallResult, B = never>(
    onfulfilled?: ((value: PhoneCallResult) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.result.then(onfulfilled, onrejected)
  }
}

/** The phone simulator: sipp answering LiveKit's outbound calls, and placing inbound calls on demand. */
export class Phone {
  readonly numbers: SandboxInfo['phone']['numbers']
  readonly address: string
  readonly defaultCaller: string

  constructor(private readonly info: SandboxInfo) {
    this.numbers = info.phone.numbers
    this.address = info.phone.address
    this.defaultCaller = info.phone.defaultCaller
  }

  /**
   * Calls `to` (the sandbox number or any number with an inbound trunk) through livekit-sip.
   * Returns at once; await the returned call for what happened. Throws a `SandboxSetupError` at once when the
   * sandbox runs without livekit-sip (`info.sip.available === false`).
   */
  call(to: string, options: PhoneCallOptions = {}): PhoneCall {
    return this.placeCall(to, options, {})
  }

  /** @internal `call()` with the hub's transfer options (another destination, headers, audio of its own). */
  placeCall(to: string, options: PhoneCallOptions, place: PlaceCallOptions): PhoneCall {
    if (this.info.sip.available === false) {
      // Nothing listens on the SIP port: sipp would retransmit its INVITE for half a minute, then give up.
      throw new SandboxSetupError(
        `phone.call(${to}): livekit-sip is not running in this sandbox (${this.info.sip.unavailableReason ?? 'unavailable'}), so no call can be placed`,
        `${LIVEKIT_SIP_FIX}; gate tests that call the phone with describeWithSip / itWithSip from @ringline/sandbox/vitest`,
      )
    }
    const id = randomUUID()
    const callId = `ringline-${id}@127.0.0.1`
    if (options.dtmf !== undefined && !isDtmfDigits(options.dtmf)) {
      throw new Error(`invalid DTMF digits ${JSON.stringify(options.dtmf)}: use 0-9 * # A-D`)
    }
    const from = options.from ?? this.defaultCaller
    const dir = join(this.info.stateDir, 'phone', 'calls', id)
    return new PhoneCall(callId, async (self, hooks) => {
      mkdirSync(dir, { recursive: true })
      const scenario = join(dir, 'caller.xml')
      writeFileSync(scenario, callerScenario(dir, options, place))
      const traceFile = join(dir, 'messages.log')
      const t0 = Date.now()

      let exitCode: number | null = null
      for (let attempt = 0; ; attempt++) {
        const sipPort = await freePort('udp')
        const mediaPort = await freePort('udp', (p) => [p + 2])
        const controlPort = await freePort('udp')
        const args = [
          place.via ?? this.info.sip.address,
          '-sf',
          scenario,
          '-s',
          to,
          '-i',
          '127.0.0.1',
          '-p',
          String(sipPort),
          '-mi',
          '127.0.0.1',
          '-mp',
          String(mediaPort),
          '-ci',
          '127.0.0.1',
          '-cp',
          String(controlPort),
          '-users',
          '1',
          '-aa',
          '-nostdin',
          '-cid_str',
          callId,
          '-key',
          'phone_rtp_port',
          String(place.sdpMediaPort ?? this.info.ports.phoneRtp),
          '-key',
          'from_user',
          from,
          '-trace_msg',
          '-message_file',
          traceFile,
          '-trace_err',
          '-error_file',
          join(dir, 'errors.log'),
        ]
        const child = spawn(this.info.binaries.sipp, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
        self.attach(child, controlPort, traceFile)
        let stderr = ''
        child.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString()
        })
        const onAbort = () => void self.abort()
        options.signal?.addEventListener('abort', onAbort, { once: true })
        if (options.signal?.aborted) onAbort()
        const timeout = setTimeout(onAbort, options.timeoutMs ?? 120_000)
        const tracker = new CallTracker()
        const parser = new SippTraceParser()
        let offset = 0
        const poll = () => {
          if (!existsSync(traceFile)) return
          const text = readFileSync(traceFile)
          if (text.length > offset) {
            for (const m of parser.push(text.subarray(offset).toString('utf8'))) tracker.add(m)
            offset = text.length
          }
          const call = tracker.calls.get(callId)
          if (call?.ringingAt) hooks.ringing(true)
          if (call?.answeredAt) hooks.answered(true)
        }
        const timer = setInterval(poll, 30)
        exitCode = await new Promise<number | null>((resolve) => {
          child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)))
          child.once('error', () => resolve(127))
        })
        clearInterval(timer)
        clearTimeout(timeout)
        options.signal?.removeEventListener('abort', onAbort)
        poll()
        for (const m of parser.flush()) tracker.add(m)
        const call = tracker.calls.get(callId)
        if (!call && attempt === 0 && /bind|already in use/i.test(stderr)) continue // port race: once more
        if (!call) {
          throw new Error(
            `sipp placed no call (exit ${exitCode}): ${stderr.trim().split('\n').slice(-3).join(' / ') || `see ${join(dir, 'errors.log')}`}`,
          )
        }
        hooks.ringing(call.ringingAt !== null)
        hooks.answered(call.answeredAt !== null)
        const record = await this.record(callId).catch(() => undefined)
        return toResult(call, record, {
          to,
          from,
          dtmfSent: call.answeredAt !== null && options.dtmf ? sentDigits(call, options) : '',
          exitCode,
          traceFile,
          t0,
        })
      }
    })
  }

  /** Every call the phone saw (both directions), optionally for one number and since a time (epoch ms). */
  async calls(filter: { number?: string; since?: number } = {}): Promise<PhoneCallRecord[]> {
    const url = new URL('/phone/calls', this.info.webhooks.hubUrl)
    if (filter.number) url.searchParams.set('number', filter.number)
    if (filter.since) url.searchParams.set('since', String(filter.since))
    const res = await fetch(url)
    if (!res.ok) throw new Error(`sandbox hub: ${res.status} ${await res.text()}`)
    return (await res.json()) as PhoneCallRecord[]
  }

  /**
   * What the phone received for `number` (the number LiveKit dialled, or the number the phone called):
   * how many INVITEs, which DTMF digits, and each call. `since` (epoch ms) ignores earlier calls.
   */
  async received(number: string, options: { since?: number } = {}): Promise<ReceivedSummary> {
    const calls = await this.calls({ number, since: options.since })
    return { invites: calls.length, dtmf: calls.map((c) => c.dtmfReceived).join(''), calls }
  }

  /** Polls the phone's log until `predicate` holds for the calls of `number`; resolves with them. */
  async waitFor(
    number: string,
    predicate: (summary: ReceivedSummary) => boolean,
    options: { since?: number; timeoutMs?: number } = {},
  ): Promise<ReceivedSummary> {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000)
    let last: ReceivedSummary | undefined
    for (;;) {
      last = await this.received(number, options)
      if (predicate(last)) return last
      if (Date.now() > deadline) {
        throw new Error(
          `phone: condition not met for ${number} within ${options.timeoutMs ?? 20_000} ms; saw ${JSON.stringify({ invites: last.invites, dtmf: last.dtmf, statuses: last.calls.map((c) => c.status) })}`,
        )
      }
      await sleep(100)
    }
  }

  private async record(callId: string): Promise<PhoneCallRecord | undefined> {
    // The hub follows the trace every 250 ms; ask until it has the ended call.
    for (let i = 0; i < 20; i++) {
      const all = await this.calls({ since: Date.now() - 3_600_000 })
      const rec = all.find((c) => c.callId === callId)
      if (rec && (rec.endedAt !== null || rec.status !== null)) return rec
      await sleep(100)
    }
    return undefined
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

function sentDigits(call: TraceCall, options: PhoneCallOptions): string {
  // Digits were fully played only if the call lasted past them.
  if (!options.dtmf || call.answeredAt === null) return ''
  const needed = (options.dtmfDelayMs ?? 1000) + dtmfDurationMs(options.dtmf)
  const lasted = (call.endedAt ?? Date.now()) - call.answeredAt
  return lasted + 50 >= needed ? options.dtmf : ''
}

function dtmfDurationMs(digits: string): number {
  return 40 + digits.length * (160 + 120)
}

function toResult(
  call: TraceCall,
  record: PhoneCallRecord | undefined,
  extra: {
    to: string
    from: string
    dtmfSent: string
    exitCode: number | null
    traceFile: string
    t0: number
  },
): PhoneCallResult {
  const endedAt = call.endedAt ?? (call.answeredAt !== null ? Date.now() : null)
  return {
    callId: call.callId,
    to: extra.to,
    from: extra.from,
    answered: call.answeredAt !== null,
    status: call.status,
    reason: call.reason,
    canceled: call.canceled && call.endedBy === 'phone',
    endedBy: call.endedBy,
    invitedAt: call.invitedAt,
    ringingAt: call.ringingAt,
    answeredAt: call.answeredAt,
    endedAt,
    setupMs: call.answeredAt !== null ? call.answeredAt - call.invitedAt : null,
    durationMs: call.answeredAt !== null && endedAt !== null ? endedAt - call.answeredAt : 0,
    dtmfSent: extra.dtmfSent,
    dtmfReceived: record?.dtmfReceived ?? '',
    audio: record?.audio ?? { packets: 0, rms: 0, levels: [] },
    sippExitCode: extra.exitCode,
    traceFile: extra.traceFile,
  }
}

const HANGUP = `  <label id="hangup" />
  <send retrans="500">
    <![CDATA[

      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[from_user]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      [routes]
      CSeq: 2 BYE
      Contact: <sip:[from_user]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" crlf="true" />
  <nop next="quit" />`

/** A notify of the transfer's progress, in the caller's dialog (see scenarios/phone.xml for the phone's side). */
const transferNotify = (cseq: number, state: string, frag: string) => `  <send retrans="500">
    <![CDATA[

      NOTIFY [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[from_user]@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [$remote_to]
      Call-ID: [call_id]
      [routes]
      CSeq: ${cseq} NOTIFY
      Contact: <sip:[from_user]@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Event: refer;id=[$refer_cseq]
      Subscription-State: ${state}
      Content-Type: message/sipfrag;version=2.0
      Content-Length: [len]

      ${frag}

    ]]>
  </send>
  <recv response="200" />`

/** Takes REFERs until the other side hangs up: the hub calls the target and says how it went (an INFO). */
const TAKE_TRANSFER = `  <label id="transfer_wait" />
  <recv request="BYE" optional="true" next="remote_bye" />
  <recv request="REFER">
    <action>
      <ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" check_it="true" assign_to="refer_cseq" />
    </action>
  </recv>
  <send>
    <![CDATA[

      SIP/2.0 202 Accepted
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[from_user]@[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
${transferNotify(10, 'active;expires=60', 'SIP/2.0 100 Trying')}
  <recv request="BYE" optional="true" next="remote_bye" />
  <recv request="INFO">
    <action>
      <ereg regexp="[0-9]{3}.*" search_in="hdr" header="X-Transfer-Result:" check_it="true" assign_to="transfer_result" />
    </action>
  </recv>
${transferNotify(11, 'terminated;reason=noresource', 'SIP/2.0 [$transfer_result]')}
  <!-- after a 2xx LiveKit hangs up (the BYE above); after a failure the call goes on and may take another REFER -->
  <nop next="transfer_wait" />`

/** Waits up to `ms` for the other side's BYE (then jumps to remote_bye); on timeout continues at `label`. */
const waitOrBye = (ms: number, label: string) =>
  `  <recv request="BYE" timeout="${ms}" ontimeout="${label}" next="remote_bye" />\n  <label id="${label}" />`

/** The caller scenario for one call: scenarios/caller.xml with what happens after the answer filled in. */
export function callerScenario(dir: string, options: PhoneCallOptions, place: PlaceCallOptions = {}): string {
  const template = readFileSync(join(packageRoot(), 'scenarios', 'caller.xml'), 'utf8')
  const blocks: string[] = []
  let elapsed = 0
  // While waiting, the phone stays ready for the other side's BYE (a <pause> would make it unexpected).
  if (options.dtmf) {
    const pcap = join(dir, 'dtmf.pcap')
    writeFileSync(pcap, dtmfPcap(options.dtmf))
    const delay = options.dtmfDelayMs ?? 1000
    const playMs = dtmfDurationMs(options.dtmf)
    if (delay > 0) blocks.push(waitOrBye(delay, 'dtmf'))
    blocks.push(`  <nop>\n    <action>\n      <exec play_pcap_audio="${pcap}" />\n    </action>\n  </nop>`)
    blocks.push(waitOrBye(playMs, 'dtmf_sent'))
    elapsed = delay + playMs
  }
  let answer = ''
  if (options.acceptTransfer) {
    if (options.hangupAfterMs !== undefined)
      throw new Error('phone.call: acceptTransfer waits for the other side; it cannot take hangupAfterMs')
    blocks.push(TAKE_TRANSFER)
    // The other side's To (with its tag), for the NOTIFYs this phone sends in the dialog. (sipp refuses a
    // variable set and never used, so only here.)
    answer = `  <recv response="200" rrs="true">
    <action>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="remote_to" />
    </action>
  </recv>
`
  } else if (options.hangupAfterMs !== undefined) {
    const rest = Math.max(0, options.hangupAfterMs - elapsed)
    if (rest > 0) blocks.push(waitOrBye(rest, 'hangup_time'))
    blocks.push(HANGUP)
  } else {
    blocks.push('  <recv request="BYE" next="remote_bye" />')
  }
  if (template.split('{{AFTER_ANSWER}}').length !== 2 || template.split('{{INVITE_HEADERS}}\n').length !== 2)
    throw new Error('scenarios/caller.xml: expected one {{AFTER_ANSWER}} and one {{INVITE_HEADERS}} line')
  for (const h of place.headers ?? []) {
    if (!/^[A-Za-z][\w-]*: [^\r\n]+$/.test(h)) throw new Error(`invalid header line ${JSON.stringify(h)}`)
  }
  const headers = (place.headers ?? []).map((h) => `      ${h}\n`).join('')
  const answered = '  <recv response="200" rrs="true" />\n'
  if (template.split(answered).length !== 2) throw new Error('scenarios/caller.xml: expected one 200 OK recv')
  return template
    .replace('{{INVITE_HEADERS}}\n', headers)
    .replace(answered, answer || answered)
    .replace('{{AFTER_ANSWER}}', blocks.join('\n'))
}

/**
 * The RMS level (0..1) the phone heard between `from` and `to` (ms since the epoch): buckets with no audio on the
 * wire count as silence, so a muted or unpublished track reads 0.
 * @example audioLevel(record.audio, heldAt + 1000, resumedAt) > 0.01 // hold music reached the phone
 */
export function audioLevel(audio: PhoneAudio, from: number, to: number): number {
  const buckets = Math.max(1, Math.ceil((to - from) / 100))
  let squares = 0
  for (const b of audio.levels) if (b.at >= from && b.at < to) squares += b.rms * b.rms
  return Math.sqrt(squares / buckets)
}
