import { type ApiClient, createApiClient } from './apiClient'
import { type CallEffects, createCallEffects, ringsHere } from './callEffects'
import {
  type CallMachineEvent,
  type CallMachineState,
  createCallMachine,
  isCallOver,
  reduceCall,
} from './callMachine'
import {
  type CallTimeouts,
  type CallTimers,
  createCallTimers,
  createTimerSet,
  DEFAULT_CALL_TIMEOUTS,
  type TimerSet,
} from './callTimers'
import { systemClock } from './clock'
import { createDesktopNotifier, type DesktopNotifier } from './desktopNotifier'
import { createDeviceManager } from './deviceManager'
import { DTMF_CODES, parseDtmfDigits } from './dtmf'
import { createEventStream, type EventStream } from './eventStream'
import {
  type IncomingCallsAction,
  type IncomingCallsState,
  initialIncomingCalls,
  reduceIncomingCalls,
} from './incomingCalls'
import { livekitTransport } from './livekitTransport'
import { normalizePhoneNumber } from './normalizePhoneNumber'
import { createNotifyManager, type NotifyManager } from './notifyManager'
import {
  type CallRecord,
  type Connection,
  type DispatchAgentResponse,
  dispatchAgentResponseSchema,
  FINAL_CALL_STATUSES,
  type RinglineEvent,
  roomNameSchema,
} from './protocol'
import { RinglineError, toRinglineError } from './ringlineError'
import { createSoundManager, type SoundManager, type SoundManagerOptions } from './soundManager'
import { Subscribable } from './subscribable'
import { createTabSync, type TabSync } from './tabSync'
import type {
  AudioDeviceKind,
  Call,
  CallClient,
  CallClientEvent,
  CallClientOptions,
  CallClientState,
  CallTransport,
  Clock,
  DialOptions,
  EndReason,
  TransportCallRequests,
  TransportFact,
  TransportSession,
} from './types'

// Re-exported so deep imports of these names from this file keep working.
export type { CallTimeouts } from './callTimers'
export type { CallClient, CallClientOptions, DialOptions } from './types'

const noop = () => {}

type DropFirst<T extends unknown[]> = T extends [unknown, ...infer R] ? R : never

function isFinal(record: CallRecord) {
  return FINAL_CALL_STATUSES.includes(record.status)
}

class CallClientImpl extends Subscribable implements CallClient {
  readonly api: ApiClient
  readonly sounds: SoundManager | null
  readonly devices: CallClient['devices']
  readonly notifications: CallClient['notifications']

  #o: CallClientOptions
  #clock: Clock
  #timeouts: CallTimeouts
  #notify: NotifyManager
  #transport: CallTransport | null = null
  #state: CallClientState
  #serverState: CallClientState
  #machine: CallMachineState | null = null
  #session: { key: string; session: TransportSession; hold: { stop(): Promise<void> } | null } | null = null
  #callTimers: CallTimers
  #incomingTimers: TimerSet
  #callEffects: CallEffects
  #eventListeners = new Set<(event: CallClientEvent) => void>()
  #deviceManager
  #notifier: DesktopNotifier | null
  #tabs: TabSync | null = null
  #stream: EventStream | null = null
  #lastEventId: string | null = null
  #seen = new Set<string>()
  /**
   * The latest record of calls that are not (yet) this client's active call. The server may publish an outbound
   * call's outcome (a busy line answers in milliseconds) before `POST /calls` has answered with its id; the
   * record is kept here and applied when the id becomes known, so no event is lost to that race.
   */
  #early = new Map<string, CallRecord>()
  #incoming: IncomingCallsState = initialIncomingCalls
  #roomAudioBlocked = false
  #running = false
  #stopGeneration = 0
  #soundsUnsub: (() => void) | null = null
  #detachTransport: (() => void) | null = null
  #seq = 0
  #destroyed = false

  constructor(options: CallClientOptions) {
    super()
    this.#o = options
    this.#clock = options.clock ?? systemClock
    this.#timeouts = { ...DEFAULT_CALL_TIMEOUTS, ...options.timeouts }
    this.#notify = options.notifyManager ?? createNotifyManager()
    this.api = createApiClient({
      baseUrl: options.baseUrl,
      fetch: options.fetch,
      headers: options.headers,
      credentials: options.credentials,
    })
    this.sounds =
      options.sounds === false
        ? null
        : options.sounds && 'play' in options.sounds
          ? options.sounds
          : createSoundManager({ clock: this.#clock, ...(options.sounds as SoundManagerOptions | undefined) })
    this.#notifier =
      options.notifications === false
        ? null
        : createDesktopNotifier({ clock: this.#clock, ...options.notifications })
    this.#callEffects = createCallEffects({
      sounds: this.sounds,
      notifier: this.#notifier,
      title: options.notifications ? options.notifications.title : undefined,
      flashText: options.notifications ? options.notifications.flashText : undefined,
    })
    this.#incomingTimers = createTimerSet(this.#clock)
    this.#callTimers = createCallTimers({
      clock: this.#clock,
      timeouts: this.#timeouts,
      active: () => this.#machine?.call ?? null,
      dispatch: (key, event) => this.#dispatch(key, event),
      serverHangup: (call) => this.#serverHangup(call),
      getCall: (id) => this.api.getCall(id),
    })
    this.#deviceManager = createDeviceManager({
      mediaDevices: options.mediaDevices,
      permissions: options.permissions,
      canSelectOutput: options.canSelectOutput,
      onChange: () => this.#syncDevices(),
    })
    this.#state = {
      events: 'offline',
      activeCall: null,
      incoming: [],
      // Constant on purpose: the first render must match the server's; real readiness comes on subscribe.
      audio: { readiness: 'ready', ringtone: false },
      devices: this.#deviceManager.devices,
      permission: this.#deviceManager.permission,
    }
    this.#serverState = this.#state
    const dm = this.#deviceManager
    this.devices = {
      select: (kind, deviceId) => this.#selectDevice(kind, deviceId),
      refresh: () => dm.refresh(),
      requestPermission: () => dm.requestPermission(),
    }
    const notifier = this.#notifier
    this.notifications = {
      permission: () => notifier?.permission() ?? 'unsupported',
      requestPermission: async () => (notifier ? notifier.requestPermission() : 'unsupported'),
    }
  }

  // ── store ────────────────────────────────────────────────────────────────

  getSnapshot = (): CallClientState => this.#state

  getServerSnapshot = (): CallClientState => this.#serverState

  get isLeaderTab() {
    return this.#tabs ? this.#tabs.isLeader : this.#running
  }

  #set(patch: Partial<CallClientState>) {
    let changed = false
    for (const key of Object.keys(patch) as Array<keyof CallClientState>) {
      if (this.#state[key] !== patch[key]) changed = true
    }
    if (!changed) return
    this.#state = { ...this.#state, ...patch }
    this.#notify.schedule(this.#emitChange)
    this.#effects()
  }

  #emitChange = () => {
    for (const listener of this.listeners) listener()
  }

  #emit(event: CallClientEvent) {
    for (const listener of this.#eventListeners) listener(event)
  }

  on(listener: (event: CallClientEvent) => void) {
    this.#eventListeners.add(listener)
    return () => {
      this.#eventListeners.delete(listener)
    }
  }

  #error(error: RinglineError) {
    this.#emit({ type: 'error', error })
  }

  // ── lifecycle: environment listeners live while someone subscribes ───────

  protected override onSubscribe() {
    this.#stopGeneration++
    if (this.#running || this.#destroyed) return
    this.#running = true
    this.#deviceManager.start()
    this.#detachTransport =
      this.#getTransport().attach?.({ api: this.api, onError: (error) => this.#error(error) }) ?? null
    if (this.sounds) {
      this.sounds.listen()
      this.#soundsUnsub = this.sounds.subscribe(() => this.#syncAudio())
      this.#syncAudio()
    }
    const tabs = this.#o.tabs ?? true
    if (this.#o.events === false) return
    if (tabs === false) {
      this.#becomeLeader()
      return
    }
    const t = typeof tabs === 'object' ? tabs : {}
    this.#tabs = createTabSync({
      name: t.name ?? `ringline:${this.api.baseUrl}`,
      BroadcastChannel: t.BroadcastChannel,
      locks: t.locks,
      host: {
        current: () => ({
          events: this.#state.events,
          incoming: this.#state.incoming,
          lastEventId: this.#lastEventId,
          handled: [...this.#incoming.handled],
        }),
        adopt: (state) => {
          if (state.lastEventId) this.#lastEventId = state.lastEventId
          this.#reduceIncoming(
            { type: 'sync', incoming: state.incoming, handled: state.handled },
            { events: state.events },
          )
        },
        serverEvent: (event) => this.#applyServerEvent(event),
        status: (events) => this.#set({ events }),
        handled: (callId) => this.#reduceIncoming({ type: 'handled', callId }),
        leaderChange: (leader) => (leader ? this.#becomeLeader() : this.#becomeFollower()),
      },
    })
    this.#tabs.start()
    if (!this.#tabs.isLeader) {
      this.#set({ events: 'connecting' })
      this.#tabs.hello()
    }
  }

  protected override onUnsubscribe() {
    // React StrictMode unsubscribes and subscribes again at once: stop only if nobody came back.
    const gen = ++this.#stopGeneration
    queueMicrotask(() => {
      if (gen === this.#stopGeneration && !this.hasListeners()) this.#stopEnvironment()
    })
  }

  #stopEnvironment() {
    if (!this.#running) return
    this.#running = false
    this.#detachTransport?.()
    this.#detachTransport = null
    this.#stream?.stop()
    this.#stream = null
    this.#tabs?.stop()
    this.#tabs = null
    this.#deviceManager.stop()
    this.sounds?.unlisten()
    this.#soundsUnsub?.()
    this.#soundsUnsub = null
    this.#set({ events: 'offline' })
    this.#effects()
  }

  #becomeLeader() {
    if (!this.#running || this.#o.events === false) return
    const e = typeof this.#o.events === 'object' ? this.#o.events : {}
    this.#stream?.stop()
    this.#stream = createEventStream({
      url: this.api.url('/events'),
      fetch: this.#o.fetch,
      headers: () => this.api.headers(),
      credentials: this.#o.credentials,
      EventSource: e.EventSource,
      clock: this.#clock,
      random: this.#o.random,
      backoff: e.backoff,
      idleTimeoutMs: e.idleTimeoutMs,
      lastEventId: this.#lastEventId,
      onEvent: (event) => {
        this.#tabs?.relayEvent(event)
        this.#applyServerEvent(event)
      },
      onStatus: (status) => {
        this.#set({ events: status })
        this.#tabs?.relayStatus(status)
      },
      onError: (error) => this.#error(error),
    })
    this.#stream.start()
    this.#effects()
  }

  #becomeFollower() {
    this.#stream?.stop()
    this.#stream = null
    this.#effects()
  }

  destroy() {
    if (this.#destroyed) return
    const live = this.#machine && !isCallOver(this.#machine.call)
    if (live) void this.hangup().catch(noop)
    this.#destroyed = true
    this.#stopEnvironment()
    this.#callTimers.clear()
    this.#incomingTimers.clearAll()
    this.sounds?.destroy()
    this.#notifier?.closeAll()
    this.#notifier?.stopFlashing()
    this.listeners.clear()
    this.#eventListeners.clear()
  }

  // ── server events ────────────────────────────────────────────────────────

  #applyServerEvent(event: RinglineEvent) {
    if (this.#seen.has(event.id)) return
    this.#seen.add(event.id)
    if (this.#seen.size > 500) this.#seen.delete(this.#seen.values().next().value as string)
    this.#lastEventId = event.id
    this.#emit({ type: 'server-event', event })

    if (event.type === 'room.updated') {
      const call = this.#machine?.call
      if (call && call.direction === 'internal' && call.remote.name === event.name && event.room === null) {
        this.#dispatch(call.key, { type: 'end', reason: 'remote-hangup' })
      }
      return
    }

    const record = event.call
    const active = this.#machine?.call
    if (active && active.id === record.id) {
      this.#dispatch(active.key, { type: 'server', record })
      return
    }
    if (record.direction !== 'inbound') {
      this.#keepEarly(record)
      return
    }
    this.#reduceIncoming({ type: 'server', event })
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
  #requested(key: string, event: Extract<CallMachineEvent, { type: 'requested' }>) {
    this.#dispatch(key, event)
    const early = this.#early.get(event.id)
    if (!early) return
    this.#early.delete(event.id)
    this.#dispatch(key, { type: 'server', record: early })
  }

  /** Apply an incoming-call action; ended calls leave after `incomingRetention`, removed ones need no timer. */
  #reduceIncoming(action: IncomingCallsAction, patch: Partial<CallClientState> = {}) {
    const next = reduceIncomingCalls(this.#incoming, action, this.#clock.now())
    this.#incoming = next
    for (const id of this.#incomingTimers.names()) {
      if (!next.incoming.some((c) => c.id === id)) this.#incomingTimers.clear(id)
    }
    for (const c of next.incoming) {
      if (c.phase !== 'ended') continue
      this.#incomingTimers.set(c.id, this.#timeouts.incomingRetention, () =>
        this.#reduceIncoming({ type: 'remove', callId: c.id }),
      )
    }
    this.#set({ ...patch, incoming: next.incoming })
  }

  // ── the active call ──────────────────────────────────────────────────────

  #newKey() {
    return `c${++this.#seq}-${this.#clock.now().toString(36)}`
  }

  #startCall(machine: CallMachineState) {
    if (this.#machine && !isCallOver(this.#machine.call)) {
      throw new RinglineError('CALL_LIMIT_REACHED', 'Hang up the current call first.')
    }
    this.#machine = machine
    this.#set({ activeCall: machine.call })
    this.#callTimers.sync()
  }

  #dispatch(key: string, event: CallMachineEvent) {
    const prev = this.#machine
    if (!prev || prev.call.key !== key) return
    const next = reduceCall(prev, event, this.#clock.now())
    if (next === prev) return
    this.#machine = next
    this.#set({ activeCall: next.call })
    if (!isCallOver(prev.call) && isCallOver(next.call)) this.#cleanupCall(key)
    this.#callTimers.sync()
  }

  #call(key: string): Call | null {
    return this.#machine?.call.key === key ? this.#machine.call : null
  }

  #requireLive(): { call: Call; session: TransportSession | null } {
    const call = this.#machine?.call
    if (!call || isCallOver(call)) throw new RinglineError('CALL_NOT_ACTIVE', 'There is no active call.')
    const session = this.#session?.key === call.key ? this.#session.session : null
    return { call, session }
  }

  #cleanupCall(key: string) {
    this.#callTimers.clear()
    const s = this.#session
    if (s && s.key === key) {
      this.#session = null
      void s.hold?.stop().catch(noop)
      void s.session.disconnect().catch(noop)
    }
    if (this.#roomAudioBlocked) {
      this.#roomAudioBlocked = false
      this.#syncAudio()
    }
  }

  /** Tell the server to end a call we are giving up on (timeouts, failures); never throws. */
  #serverHangup(call: Call) {
    if (call.direction === 'internal') {
      if (call.remote.name) void this.api.leaveRoom(call.remote.name).catch(noop)
    } else if (call.id) void this.#requests().hangupCall(call.id).catch(noop)
  }

  #getTransport(): CallTransport {
    this.#transport ??= this.#o.transport ?? livekitTransport()
    return this.#transport
  }

  /** Call-control requests: the transport's own where it has them (Twilio Voice), else `/calls`. */
  #requests(): {
    [K in keyof TransportCallRequests]: (
      ...args: DropFirst<Parameters<TransportCallRequests[K]>>
    ) => ReturnType<TransportCallRequests[K]>
  } {
    const custom = this.#getTransport().requests ?? {}
    const api = this.api
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

  async #connect(key: string, connection: Connection) {
    const transport = this.#getTransport()
    const session = transport.createSession((fact) => this.#onFact(key, fact))
    this.#session = { key, session, hold: null }
    const selected = this.#state.devices.selected
    try {
      await session.connect(connection, {
        microphone: true,
        audioInput: selected.audioinput,
        audioOutput: selected.audiooutput,
      })
      if (this.#session?.key !== key) return
      this.#deviceManager.notePermission('granted')
      const call = this.#call(key)
      if (call?.muted) await session.setMicrophoneEnabled(false)
    } catch (e) {
      const error = toRinglineError(e, 'CONNECTION_FAILED')
      if (error.code === 'MICROPHONE_PERMISSION_DENIED') this.#deviceManager.notePermission('denied')
      const call = this.#call(key)
      if (!call || isCallOver(call)) return
      this.#error(error)
      this.#callTimers.giveUp(key, { type: 'fail', error: { code: error.code, message: error.message } })
    }
  }

  #onFact(key: string, fact: TransportFact) {
    if (this.#session?.key !== key) return
    switch (fact.type) {
      case 'connection':
        this.#dispatch(key, { type: 'room', state: fact.state, cause: fact.cause })
        return
      case 'participants':
        this.#dispatch(key, { type: 'participants', participants: fact.participants })
        return
      case 'participant-left':
        if (fact.participant.kind === 'sip') this.#dispatch(key, { type: 'sip-left', cause: fact.cause })
        return
      case 'dtmf': {
        const call = this.#call(key)
        if (!call) return
        this.#dispatch(key, {
          type: 'patch',
          patch: { dtmf: { sent: call.dtmf.sent, received: call.dtmf.received + fact.digit } },
        })
        this.#emit({ type: 'dtmf', direction: 'received', digit: fact.digit, callKey: key })
        return
      }
      case 'audio-playback':
        this.#roomAudioBlocked = !fact.canPlay
        this.#syncAudio()
        return
      case 'media-error':
        this.#error(toRinglineError(fact.error, 'MICROPHONE_NOT_FOUND'))
        return
      case 'transcript':
        this.#dispatch(key, { type: 'transcript', segments: fact.segments })
        return
      default:
        return fact satisfies never
    }
  }

  // ── actions ──────────────────────────────────────────────────────────────

  async dial(to: string, options: DialOptions = {}): Promise<Call> {
    const trimmed = to.trim()
    const number =
      this.#o.defaultCountry || trimmed.startsWith('+')
        ? normalizePhoneNumber(trimmed, this.#o.defaultCountry, { requireAssigned: false })
        : trimmed
    if (!number) throw new RinglineError('INVALID_PHONE_NUMBER', 'Enter a phone number.', { field: 'to' })
    const key = this.#newKey()
    this.#startCall(
      createCallMachine({
        key,
        direction: 'outbound',
        now: this.#clock.now(),
        number,
        contactId: options.contactId ?? null,
      }),
    )
    const controller = new AbortController()
    const timer = this.#clock.setTimeout(() => controller.abort(), this.#timeouts.request)
    let result: Awaited<ReturnType<ApiClient['createCall']>>
    try {
      result = await this.#requests().createCall(
        {
          to: number,
          ...(options.contactId ? { contactId: options.contactId } : {}),
          ...(options.callerId ? { callerId: options.callerId } : {}),
        },
        controller.signal,
      )
    } catch (e) {
      let error = toRinglineError(e, 'NETWORK_ERROR')
      if (controller.signal.aborted) {
        error = new RinglineError('NETWORK_ERROR', 'The server took too long to place the call.', {
          cause: e,
        })
      }
      const byCode: Partial<Record<string, EndReason>> = {
        SIP_BUSY: 'busy',
        SIP_NO_ANSWER: 'no-answer',
        SIP_DECLINED: 'declined',
      }
      const reason = byCode[error.code]
      this.#dispatch(
        key,
        reason
          ? { type: 'end', reason }
          : { type: 'fail', error: { code: error.code, message: error.message } },
      )
      throw error
    } finally {
      this.#clock.clearTimeout(timer)
    }
    const current = this.#call(key)
    if (!current || isCallOver(current)) {
      // Hung up while the request was in flight: the server placed the call, so cancel it there.
      void this.#requests().hangupCall(result.call.id).catch(noop)
      return current ?? this.#replaced(key)
    }
    this.#requested(key, {
      type: 'requested',
      id: result.call.id,
      record: result.call,
      roomName: result.connection.roomName,
    })
    const after = this.#call(key)
    if (after && !isCallOver(after)) void this.#connect(key, result.connection)
    return this.#call(key) ?? this.#replaced(key)
  }

  #replaced(key: string): never {
    throw new RinglineError('CALL_NOT_ACTIVE', `Call ${key} was replaced by another call.`)
  }

  async answer(callId: string): Promise<Call> {
    const ringing = this.#state.incoming.find((c) => c.id === callId)
    const key = this.#newKey()
    this.#startCall(
      createCallMachine({
        key,
        direction: 'inbound',
        now: this.#clock.now(),
        id: callId,
        number: ringing?.from ?? null,
        record: ringing?.record ?? null,
      }),
    )
    this.#reduceIncoming({ type: 'answering', callId })
    this.#tabs?.handled(callId, 'answered')
    this.#reduceIncoming({ type: 'handled', callId })
    const controller = new AbortController()
    const timer = this.#clock.setTimeout(() => controller.abort(), this.#timeouts.request)
    let result: Awaited<ReturnType<ApiClient['answerCall']>>
    try {
      result = await this.#requests().answerCall(callId, controller.signal)
    } catch (e) {
      const error = toRinglineError(e, 'NETWORK_ERROR')
      if (error.code === 'CALL_ALREADY_ANSWERED')
        this.#dispatch(key, { type: 'end', reason: 'answered-elsewhere' })
      else if (error.code === 'CALL_NOT_FOUND' || error.code === 'CALL_NOT_ACTIVE') {
        this.#dispatch(key, { type: 'end', reason: 'missed' })
      } else this.#dispatch(key, { type: 'fail', error: { code: error.code, message: error.message } })
      throw error
    } finally {
      this.#clock.clearTimeout(timer)
      this.#reduceIncoming({ type: 'answer-settled', callId })
    }
    const current = this.#call(key)
    if (!current || isCallOver(current)) {
      void this.#requests().hangupCall(callId).catch(noop)
      return current ?? this.#replaced(key)
    }
    this.#requested(key, {
      type: 'requested',
      id: result.call.id,
      record: result.call,
      roomName: result.connection.roomName,
    })
    const answered = this.#call(key)
    if (answered && !isCallOver(answered)) void this.#connect(key, result.connection)
    return this.#call(key) ?? this.#replaced(key)
  }

  async decline(callId: string, options: { reject?: boolean } = {}): Promise<void> {
    this.#tabs?.handled(callId, 'declined')
    this.#reduceIncoming({ type: 'handled', callId })
    try {
      await this.#requests().declineCall(callId, options.reject ? { reject: true } : {})
    } catch (e) {
      const error = toRinglineError(e, 'NETWORK_ERROR')
      // Already over or answered: nothing left to decline.
      if (
        error.code === 'CALL_NOT_FOUND' ||
        error.code === 'CALL_ALREADY_ANSWERED' ||
        error.code === 'CALL_NOT_ACTIVE'
      ) {
        return
      }
      this.#error(error)
      throw error
    }
  }

  async hangup(callId?: string): Promise<void> {
    const call = this.#machine?.call
    if (callId && call?.id !== callId) {
      if (this.#state.incoming.some((c) => c.id === callId)) return this.decline(callId)
      throw new RinglineError('CALL_NOT_FOUND', `Call ${callId} is not the active call.`)
    }
    if (!call || isCallOver(call)) return
    this.#dispatch(call.key, { type: 'hangup' })
    if (call.direction === 'internal') {
      if (call.remote.name)
        await this.api.leaveRoom(call.remote.name).catch((e) => this.#error(toRinglineError(e)))
      return
    }
    // While requesting there is no id yet; dial() hangs up once the server answers.
    if (call.id)
      await this.#requests()
        .hangupCall(call.id)
        .catch((e) => this.#error(toRinglineError(e)))
  }

  async setMuted(muted: boolean): Promise<void> {
    const { call, session } = this.#requireLive()
    if (call.muted === muted) return
    this.#dispatch(call.key, { type: 'patch', patch: { muted } })
    if (session && !call.onHold) {
      try {
        await session.setMicrophoneEnabled(!muted)
      } catch (e) {
        this.#dispatch(call.key, { type: 'patch', patch: { muted: !muted } })
        throw toRinglineError(e, 'CONNECTION_FAILED')
      }
    }
  }

  async hold(): Promise<void> {
    const { call, session } = this.#requireLive()
    if (call.onHold) return
    if (!session || call.phase !== 'connected')
      throw new RinglineError('CALL_NOT_ACTIVE', 'Only a connected call can be put on hold.')
    this.#dispatch(call.key, { type: 'patch', patch: { onHold: true } })
    session.setRemoteAudioEnabled(false)
    await session.setMicrophoneEnabled(false).catch(noop)
    const music = this.sounds?.createHoldMusic()
    if (music && this.#session?.key === call.key) {
      try {
        const unpublish = await session.publishAudioTrack(music.track, 'ringline-hold-music')
        const s = this.#session
        const stop = async () => {
          music.stop()
          await unpublish().catch(noop)
        }
        if (s?.key === call.key) s.hold = { stop }
        else await stop()
      } catch (e) {
        music.stop()
        this.#error(toRinglineError(e, 'CONNECTION_FAILED'))
      }
    }
  }

  async resume(): Promise<void> {
    const { call, session } = this.#requireLive()
    if (!call.onHold) return
    const s = this.#session
    if (s?.key === call.key && s.hold) {
      const hold = s.hold
      s.hold = null
      await hold.stop()
    }
    session?.setRemoteAudioEnabled(true)
    if (session && !call.muted) await session.setMicrophoneEnabled(true)
    this.#dispatch(call.key, { type: 'patch', patch: { onHold: false } })
  }

  async sendDtmf(digits: string): Promise<void> {
    const parsed = parseDtmfDigits(digits)
    const { call, session } = this.#requireLive()
    if (!session || call.phase !== 'connected') {
      throw new RinglineError('CALL_NOT_ACTIVE', 'DTMF can only be sent on a connected call.')
    }
    this.sounds?.playDtmf(parsed.join(''))
    for (const digit of parsed) {
      await session.publishDtmf(DTMF_CODES[digit], digit)
      const current = this.#call(call.key)
      if (!current) return
      this.#dispatch(call.key, {
        type: 'patch',
        patch: { dtmf: { sent: current.dtmf.sent + digit, received: current.dtmf.received } },
      })
      this.#emit({ type: 'dtmf', direction: 'sent', digit, callKey: call.key })
    }
  }

  async transfer(to: string): Promise<void> {
    const { call } = this.#requireLive()
    if (call.direction === 'internal' || !call.id || call.phase !== 'connected') {
      throw new RinglineError('CALL_NOT_ACTIVE', 'Only a connected phone call can be transferred.')
    }
    const target = /^(sip|tel):/i.test(to.trim())
      ? to.trim()
      : this.#o.defaultCountry || to.trim().startsWith('+')
        ? normalizePhoneNumber(to, this.#o.defaultCountry, { requireAssigned: false })
        : to.trim()
    this.#dispatch(call.key, {
      type: 'patch',
      patch: { transfer: { to: target, status: 'pending', error: null } },
    })
    try {
      await this.api.transferCall(call.id, target)
    } catch (e) {
      const error = toRinglineError(e, 'TRANSFER_FAILED')
      this.#dispatch(call.key, {
        type: 'patch',
        patch: {
          transfer: { to: target, status: 'failed', error: { code: error.code, message: error.message } },
        },
      })
      throw error
    }
    this.#dispatch(call.key, {
      type: 'patch',
      patch: { transfer: { to: target, status: 'completed', error: null } },
    })
    // The phone side now talks to the transfer target; our part of the call is over.
    this.#dispatch(call.key, { type: 'end', reason: 'local-hangup' })
  }

  async inviteAgent(agentName: string, options: { metadata?: string } = {}): Promise<DispatchAgentResponse> {
    const { call } = this.#requireLive()
    if (!call.id)
      throw new RinglineError('CALL_NOT_ACTIVE', 'The call is not set up yet; invite the agent in a moment.')
    try {
      const response = await this.api.dispatchAgent(call.id, {
        agentName,
        ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
      })
      return dispatchAgentResponseSchema.parse(response)
    } catch (e) {
      throw toRinglineError(e, 'NETWORK_ERROR')
    }
  }

  async joinRoom(name: string, options: { displayName?: string } = {}): Promise<Call> {
    const valid = roomNameSchema.safeParse(name)
    if (!valid.success) {
      throw new RinglineError(
        'INVALID_REQUEST',
        `Room name "${name}": ${valid.error.issues[0]?.message ?? 'invalid'}.`,
        {
          field: 'name',
        },
      )
    }
    const key = this.#newKey()
    this.#startCall(createCallMachine({ key, direction: 'internal', now: this.#clock.now(), name }))
    let result: Awaited<ReturnType<ApiClient['joinRoom']>>
    try {
      result = await this.api.joinRoom(name, options.displayName ? { displayName: options.displayName } : {})
    } catch (e) {
      const error = toRinglineError(e, 'NETWORK_ERROR')
      this.#dispatch(key, { type: 'fail', error: { code: error.code, message: error.message } })
      throw error
    }
    const current = this.#call(key)
    if (!current || isCallOver(current)) {
      void this.api.leaveRoom(name).catch(noop)
      return current ?? this.#replaced(key)
    }
    this.#dispatch(key, { type: 'patch', patch: { canEnd: result.canEnd ?? false } })
    this.#requested(key, {
      type: 'requested',
      id: result.room.callId,
      record: null,
      roomName: result.connection.roomName,
    })
    const joined = this.#call(key)
    if (joined && !isCallOver(joined)) void this.#connect(key, result.connection)
    return this.#call(key) ?? this.#replaced(key)
  }

  async leaveRoom(): Promise<void> {
    const call = this.#machine?.call
    if (call?.direction !== 'internal' || isCallOver(call)) return
    await this.hangup()
  }

  async endRoom(): Promise<void> {
    const call = this.#machine?.call
    if (call?.direction !== 'internal' || !call.remote.name) {
      throw new RinglineError('CALL_NOT_ACTIVE', 'You are not in a team room.')
    }
    await this.api.endRoom(call.remote.name)
    this.#dispatch(call.key, { type: 'hangup' })
  }

  dismiss() {
    if (!this.#machine || !isCallOver(this.#machine.call)) return
    this.#machine = null
    this.#set({ activeCall: null })
  }

  async startAudio(): Promise<void> {
    await Promise.all([this.sounds?.unlock(), this.#session?.session.startAudio()])
    this.#syncAudio()
  }

  async #selectDevice(kind: AudioDeviceKind, deviceId: string) {
    this.#deviceManager.select(kind, deviceId)
    const session = this.#session?.session
    if (session) await session.switchDevice(kind, deviceId)
  }

  // ── derived state and side effects ───────────────────────────────────────

  #syncDevices() {
    this.#set({ devices: this.#deviceManager.devices, permission: this.#deviceManager.permission })
  }

  #syncAudio() {
    const blocked = this.#roomAudioBlocked || this.sounds?.readiness === 'blocked'
    const readiness = blocked ? 'blocked' : 'ready'
    if (readiness !== this.#state.audio.readiness) this.#set({ audio: { ...this.#state.audio, readiness } })
  }

  /** The ringtone flag is derived here so state and sounds agree; effects then follow the state. */
  #effects() {
    const context = { running: this.#running, leader: this.isLeaderTab }
    const ringtone = ringsHere(this.#state, context)
    if (ringtone !== this.#state.audio.ringtone) {
      this.#state = { ...this.#state, audio: { ...this.#state.audio, ringtone } }
      this.#notify.schedule(this.#emitChange)
    }
    this.#callEffects.apply(this.#state, context)
  }
}

/** Create the call-state client. Touches no browser API until the first `subscribe` or action. */
export function createCallClient(options: CallClientOptions): CallClient {
  return new CallClientImpl(options)
}
