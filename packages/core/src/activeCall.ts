// The active call: its state machine, its media session, its safety nets and the server records that arrived
// before its id was known. The client decides when calls start; this class runs one from start to end.
import type { ApiClient } from './apiClient'
import { type CallMachineEvent, type CallMachineState, isCallOver, reduceCall } from './callMachine'
import { type CallTimeouts, type CallTimers, createCallTimers } from './callTimers'
import { livekitTransport, type RoomLike } from './livekitTransport'
import { microphoneStateOf } from './microphoneError'
import { createNetworkMonitor, type LinkStats, lossBetween, type NetworkMonitor } from './networkQuality'
import type { CallRecord, Connection, RinglineEvent } from './protocol'
import { CONSULT_PHONE_IDENTITY_PREFIX, FINAL_CALL_STATUSES } from './protocol/constants'
import { RinglineError, toRinglineError } from './ringlineError'
import type {
  Call,
  CallClientEvent,
  CallClientOptions,
  CallTransport,
  Clock,
  DevicesState,
  MicrophonePermission,
  TransportCallRequests,
  TransportFact,
  TransportSession,
} from './types'

const noop = () => {}

type DropFirst<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never

/** Call-control requests without the `api` argument. */
export type CallRequests = {
  [K in keyof TransportCallRequests]: (
    ...args: DropFirst<Parameters<TransportCallRequests[K]>>
  ) => ReturnType<TransportCallRequests[K]>
}

function isFinal(record: CallRecord) {
  return FINAL_CALL_STATUSES.includes(record.status)
}

/** What the active call needs from its client. */
export interface ActiveCallHost {
  clock: Clock
  timeouts: CallTimeouts
  api: ApiClient
  /** The transport option; `livekitTransport()` when absent. */
  transport: CallTransport | undefined
  /** The call changed (or was cleared): put it in the client state. */
  publish(call: Call | null): void
  emit(event: CallClientEvent): void
  error(error: RinglineError): void
  /** The room's autoplay state changed (`audioBlocked`). */
  audioBlockedChanged(): void
  selectedDevices(): DevicesState['selected']
  notePermission(permission: MicrophonePermission): void
  /** Network warning rules, thresholds and the link stats interval. */
  network?: CallClientOptions['network']
}

/** The network watch of one call: the hysteresis monitor and the link-stats poll. */
interface NetworkWatch {
  key: string
  monitor: NetworkMonitor
  timer: unknown
  polling: boolean
  prev: LinkStats | null
}

/** The media session of the active call, with the hold music it publishes. */
export interface ActiveSession {
  key: string
  session: TransportSession
  hold: { stop(): Promise<void> } | null
}

/** How a call begun with `start()` reaches the server, then its room. */
export interface PlaceCallSteps<R> {
  /** The request; with `timeoutMs`, `signal` aborts when it runs out. */
  request(signal: AbortSignal | undefined): Promise<R>
  timeoutMs?: number
  /** The request failed (`timedOut`: the timeout aborted it): the machine event, and the error to reject with. */
  failed(e: unknown, timedOut: boolean): { event: CallMachineEvent; error: RinglineError }
  /** Runs once the request settled, either way. */
  settled?(): void
  /** The server set the call up but it was hung up meanwhile: undo it there. */
  cancel(result: R): void
  /** The call's id, record and room from the server's answer. */
  accepted(result: R): { id: string; record: CallRecord | null; connection: Connection; room?: RoomLike }
}

/** An inbound call this client answered whose media has not connected yet. */
export function answerNotConnected(call: Call): boolean {
  if (call.direction !== 'inbound') return false
  return call.phase === 'connecting' || (call.phase === 'reconnecting' && call.connectedAt === null)
}

/** The error of an answer whose media did not connect and that was handed back. */
function releasedError(cause?: unknown): RinglineError {
  return new RinglineError(
    'CONNECTION_FAILED',
    'Could not connect to the call: it was handed back and rings your colleagues again.',
    cause === undefined ? undefined : { cause },
  )
}

function replaced(key: string): never {
  throw new RinglineError('CALL_NOT_ACTIVE', `Call ${key} was replaced by another call.`)
}

/** The one call a client runs at a time. */
export class ActiveCall {
  #host: ActiveCallHost
  #transport: CallTransport | null = null
  #machine: CallMachineState | null = null
  #session: ActiveSession | null = null
  #timers: CallTimers
  /**
   * The latest record of calls that are not (yet) this client's active call. The server may publish an outbound
   * call's outcome (a busy line answers in milliseconds) before `POST /calls` has answered with its id; the
   * record is kept here and applied when the id becomes known, so no event is lost to that race.
   */
  #early = new Map<string, CallRecord>()
  #roomAudioBlocked = false
  #seq = 0
  #network: NetworkWatch | null = null

  constructor(host: ActiveCallHost) {
    this.#host = host
    this.#timers = createCallTimers({
      clock: host.clock,
      timeouts: host.timeouts,
      active: () => this.#machine?.call ?? null,
      dispatch: (key, event) => this.dispatch(key, event),
      serverHangup: (call) => this.serverHangup(call),
      getCall: (id) => host.api.getCall(id),
    })
  }

  /** The current call, live or finished; null when none or dismissed. */
  get call(): Call | null {
    return this.#machine?.call ?? null
  }

  /** True while the active call is live and not yet over. */
  get live(): boolean {
    return this.#machine !== null && !isCallOver(this.#machine.call)
  }

  /** The live session, for in-call controls. */
  get session(): ActiveSession | null {
    return this.#session
  }

  /** True while the room's audio is blocked by the browser's autoplay policy. */
  get audioBlocked(): boolean {
    return this.#roomAudioBlocked
  }

  /** Forget a finished call. */
  dismiss(): boolean {
    if (!this.#machine || !isCallOver(this.#machine.call)) return false
    this.#machine = null
    this.#host.publish(null)
    return true
  }

  /** Stop the safety nets (the client is being destroyed). */
  destroy() {
    this.#timers.clear()
  }

  /** Hang up the live call here and tell the server; request errors are reported, not thrown. */
  async hangup(): Promise<void> {
    const call = this.call
    if (!call || isCallOver(call)) return
    this.dispatch(call.key, { type: 'hangup' })
    const report = (e: unknown) => this.#host.error(toRinglineError(e))
    if (call.direction === 'internal') {
      if (call.remote.name) await this.#host.api.leaveRoom(call.remote.name).catch(report)
      return
    }
    // While requesting there is no id yet; dial() hangs up once the server answers.
    if (call.id) await this.requests().hangupCall(call.id).catch(report)
  }

  /** Apply a server event that concerns the active call or an outbound call not yet known; false for the rest. */
  serverEvent(event: RinglineEvent): boolean {
    if (event.type === 'room.updated') {
      const call = this.call
      if (call && call.direction === 'internal' && call.remote.name === event.name && event.room === null) {
        this.dispatch(call.key, { type: 'end', reason: 'remote-hangup' })
      }
      return true
    }
    const record = event.call
    const active = this.call
    if (active && active.id === record.id) {
      this.dispatch(active.key, { type: 'server', record })
      return true
    }
    if (record.direction === 'inbound') return false
    this.#keepEarly(record)
    return true
  }

  /** Request the call from the server, record its id and join its room; resolves with the call as it stands. */
  async place<R>(key: string, steps: PlaceCallSteps<R>): Promise<Call> {
    const clock = this.#host.clock
    const controller = steps.timeoutMs === undefined ? null : new AbortController()
    const timer = controller
      ? clock.setTimeout(() => controller.abort(), steps.timeoutMs as number)
      : undefined
    let result: R
    try {
      result = await steps.request(controller?.signal)
    } catch (e) {
      const { event, error } = steps.failed(e, controller?.signal.aborted ?? false)
      this.dispatch(key, event)
      throw error
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer)
      steps.settled?.()
    }
    const current = this.callOf(key)
    if (!current || isCallOver(current)) {
      // Hung up while the request was in flight: the server set the call up, so undo it there.
      steps.cancel(result)
      return current ?? replaced(key)
    }
    const { id, record, connection, room } = steps.accepted(result)
    this.requested(key, { type: 'requested', id, record, roomName: connection.roomName })
    const after = this.callOf(key)
    if (after && !isCallOver(after)) void this.connect(key, connection, room)
    return this.callOf(key) ?? replaced(key)
  }

  /** End a live call with `event` here and on the server. */
  giveUp(key: string, event: CallMachineEvent) {
    this.#timers.giveUp(key, event)
  }

  #keepEarly(record: CallRecord) {
    const known = this.#early.get(record.id)
    // A final record is never replaced by a late non-final one (events may arrive out of order).
    if (known && isFinal(known) && !isFinal(record)) return
    this.#early.delete(record.id)
    this.#early.set(record.id, record)
    if (this.#early.size > 50) this.#early.delete(this.#early.keys().next().value as string)
  }

  /** The server gave this call its id: record it, then apply whatever the server already said of it. */
  requested(key: string, event: Extract<CallMachineEvent, { type: 'requested' }>) {
    this.dispatch(key, event)
    const early = this.#early.get(event.id)
    if (!early) return
    this.#early.delete(event.id)
    this.dispatch(key, { type: 'server', record: early })
  }

  newKey() {
    return `c${++this.#seq}-${this.#host.clock.now().toString(36)}`
  }

  start(machine: CallMachineState) {
    if (this.#machine && !isCallOver(this.#machine.call)) {
      throw new RinglineError('CALL_LIMIT_REACHED', 'Hang up the current call first.')
    }
    this.#machine = machine
    this.#host.publish(machine.call)
    this.#timers.sync()
  }

  dispatch(key: string, event: CallMachineEvent) {
    const prev = this.#machine
    if (!prev || prev.call.key !== key) return
    let next = reduceCall(prev, event, this.#host.clock.now())
    if (next === prev) return
    // A call that is over has no network to warn about.
    if (!isCallOver(prev.call) && isCallOver(next.call) && next.call.networkWarnings.length > 0) {
      next = { ...next, call: { ...next.call, networkWarnings: [] } }
    }
    this.#machine = next
    this.#host.publish(next.call)
    if (!isCallOver(prev.call) && isCallOver(next.call)) this.#cleanup(key)
    this.#timers.sync()
  }

  callOf(key: string): Call | null {
    return this.#machine?.call.key === key ? this.#machine.call : null
  }

  requireLive(): { call: Call; session: TransportSession | null } {
    const call = this.#machine?.call
    if (!call || isCallOver(call)) throw new RinglineError('CALL_NOT_ACTIVE', 'There is no active call.')
    const session = this.#session?.key === call.key ? this.#session.session : null
    return { call, session }
  }

  #cleanup(key: string) {
    this.#timers.clear()
    this.#stopNetwork()
    const s = this.#session
    if (s && s.key === key) {
      this.#session = null
      void s.hold?.stop().catch(noop)
      void s.session.disconnect().catch(noop)
    }
    if (this.#roomAudioBlocked) {
      this.#roomAudioBlocked = false
      this.#host.audioBlockedChanged()
    }
  }

  /**
   * Tell the server to end a call we are giving up on (timeouts, failures); never throws. An inbound call answered
   * here whose media never connected is released instead: it rings the other agents again rather than dropping
   * the caller (hung up after all when the server refuses, e.g. because the media did connect).
   */
  serverHangup(call: Call) {
    if (call.direction === 'internal') {
      if (call.remote.name) void this.#host.api.leaveRoom(call.remote.name).catch(noop)
    } else if (call.id && answerNotConnected(call) && !this.transport().requests) {
      const id = call.id
      void this.#host.api
        .releaseCall(id)
        .catch((e: unknown) => {
          const code = toRinglineError(e).code
          if (code !== 'CALL_ALREADY_ANSWERED' && code !== 'CALL_NOT_FOUND')
            return this.requests().hangupCall(id)
        })
        .catch(noop)
    } else if (call.id) void this.requests().hangupCall(call.id).catch(noop)
  }

  transport(): CallTransport {
    this.#transport ??= this.#host.transport ?? livekitTransport()
    return this.#transport
  }

  /** Call-control requests: the transport's own where it has them (Twilio Voice), else `/calls`. */
  requests(): CallRequests {
    const custom = this.transport().requests ?? {}
    const api = this.#host.api
    return {
      createCall: (body, signal) =>
        custom.createCall ? custom.createCall(api, body, signal) : api.createCall(body, signal),
      answerCall: (id, signal) =>
        custom.answerCall ? custom.answerCall(api, id, signal) : api.answerCall(id, signal),
      declineCall: (id, body) =>
        custom.declineCall ? custom.declineCall(api, id, body) : api.declineCall(id, body),
      hangupCall: (id) => (custom.hangupCall ? custom.hangupCall(api, id) : api.hangupCall(id)),
    }
  }

  /** Join the call's room (or use `room`, one the app already joined) and publish the microphone. */
  async connect(key: string, connection: Connection, room?: RoomLike) {
    const transport = this.transport()
    const session = transport.createSession((fact) => this.#onFact(key, fact))
    this.#session = { key, session, hold: null }
    this.#watchNetwork(key)
    const selected = this.#host.selectedDevices()
    try {
      await session.connect(connection, {
        microphone: true,
        audioInput: selected.audioinput,
        audioOutput: selected.audiooutput,
        ...(room ? { room } : {}),
      })
      if (this.#session?.key !== key) return
      this.#host.notePermission('granted')
      const call = this.callOf(key)
      if (call?.muted) {
        await session.setMicrophoneEnabled(false)
        if (!call.onHold) session.watchMutedSpeech?.(true)
      }
    } catch (e) {
      let error = toRinglineError(e, 'CONNECTION_FAILED')
      const microphone = microphoneStateOf(error)
      if (microphone) this.#host.notePermission(microphone)
      const call = this.callOf(key)
      if (!call || isCallOver(call)) return
      if (error.code === 'CONNECTION_FAILED' && answerNotConnected(call) && !this.transport().requests) {
        error = releasedError(e)
      }
      this.#host.error(error)
      this.#timers.giveUp(key, { type: 'fail', error: { code: error.code, message: error.message } })
    }
  }

  /** Raise or clear `speakingWhileMuted` (only ever true while muted and not on hold), with its event. */
  setSpeakingWhileMuted(key: string, speaking: boolean) {
    const call = this.callOf(key)
    if (!call) return
    const value = speaking && call.muted && !call.onHold
    if (call.speakingWhileMuted === value) return
    this.dispatch(key, { type: 'patch', patch: { speakingWhileMuted: value } })
    this.#host.emit({ type: 'speaking-while-muted', speaking: value, callKey: key })
  }

  #watchNetwork(key: string) {
    this.#stopNetwork()
    const options = this.#host.network ?? {}
    const monitor = createNetworkMonitor({
      clock: this.#host.clock,
      ...(options.rules ? { rules: options.rules } : {}),
      ...(options.thresholds ? { thresholds: options.thresholds } : {}),
      onChange: (warnings, { warning, raised }) => {
        const call = this.callOf(key)
        if (!call || isCallOver(call)) return
        this.dispatch(key, { type: 'patch', patch: { networkWarnings: warnings } })
        this.#host.emit({ type: 'network-warning', warning, raised, callKey: key })
      },
    })
    this.#network = { key, monitor, timer: null, polling: false, prev: null }
  }

  #stopNetwork() {
    const watch = this.#network
    if (!watch) return
    this.#network = null
    watch.monitor.stop()
    if (watch.timer !== null) this.#host.clock.clearTimeout(watch.timer)
  }

  /** Read the link stats every `statsIntervalMs` while the room is connected. */
  #pollLinkStats(watch: NetworkWatch) {
    const session = this.#session
    if (watch.polling || !session?.session.linkStats || session.key !== watch.key) return
    watch.polling = true
    const interval = this.#host.network?.statsIntervalMs ?? 2_000
    const clock = this.#host.clock
    const tick = () => {
      watch.timer = null
      const s = this.#session
      if (this.#network !== watch || !s?.session.linkStats) return
      s.session.linkStats().then(
        (stats) => {
          if (this.#network !== watch) return
          if (stats) {
            const loss = lossBetween(watch.prev, stats)
            watch.prev = stats
            watch.monitor.update({ rttMs: stats.rttMs, loss })
          }
          watch.timer = clock.setTimeout(tick, interval)
        },
        () => {
          if (this.#network === watch) watch.timer = clock.setTimeout(tick, interval)
        },
      )
    }
    watch.timer = clock.setTimeout(tick, interval)
  }

  #onFact(key: string, fact: TransportFact) {
    if (this.#session?.key !== key) return
    const watch = this.#network?.key === key ? this.#network : null
    switch (fact.type) {
      case 'network':
        watch?.monitor.update({ local: fact.local, remote: fact.remote })
        return
      case 'connection':
        if (watch && fact.state !== 'disconnected') {
          watch.monitor.update({ reconnecting: fact.state === 'reconnecting' })
          if (fact.state === 'connected') this.#pollLinkStats(watch)
        }
        {
          const before = this.callOf(key)
          this.dispatch(key, { type: 'room', state: fact.state, cause: fact.cause })
          // LiveKit's client reports a failed connect as a disconnect (before `connect()` rejects): an answer that
          // never connected is handed back to ring the others, not left claimed.
          const after = this.callOf(key)
          if (before && answerNotConnected(before) && after && isCallOver(after) && !isCallOver(before)) {
            if (!this.transport().requests) this.#host.error(releasedError())
            this.serverHangup(before)
          } else if (before && !isCallOver(before) && after?.phase === 'failed') {
            // LiveKit's client gave up on the call's connection: the server ends it (record closed, phone leg
            // hung up) rather than leaving the phone alone in the room, as the safety-net timers already do.
            this.serverHangup(after)
          }
        }
        return
      case 'participants':
        this.dispatch(key, { type: 'participants', participants: fact.participants })
        return
      case 'participant-left':
        // A phone consulted in the call's room (warm transfer to a number) leaving is not the call's phone leaving.
        if (
          fact.participant.kind === 'sip' &&
          !fact.participant.identity.startsWith(CONSULT_PHONE_IDENTITY_PREFIX)
        )
          this.dispatch(key, { type: 'sip-left', cause: fact.cause })
        return
      case 'dtmf': {
        const call = this.callOf(key)
        if (!call) return
        this.dispatch(key, {
          type: 'patch',
          patch: { dtmf: { sent: call.dtmf.sent, received: call.dtmf.received + fact.digit } },
        })
        this.#host.emit({ type: 'dtmf', direction: 'received', digit: fact.digit, callKey: key })
        return
      }
      case 'audio-playback':
        this.#roomAudioBlocked = !fact.canPlay
        this.#host.audioBlockedChanged()
        return
      case 'media-error':
        this.#host.error(toRinglineError(fact.error, 'MICROPHONE_NOT_FOUND'))
        return
      case 'transcript':
        this.dispatch(key, { type: 'transcript', segments: fact.segments })
        return
      case 'muted-speech':
        this.setSpeakingWhileMuted(key, fact.speaking)
        return
      default:
        return fact satisfies never
    }
  }
}
