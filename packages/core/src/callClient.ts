import { ActiveCall } from './activeCall'
import { type ApiClient, createApiClient } from './apiClient'
import { type CallControls, createCallControls } from './callControls'
import { type CallEffects, createCallEffects, ringsHere } from './callEffects'
import { createCallMachine, isCallOver } from './callMachine'
import { type CallTimeouts, createTimerSet, DEFAULT_CALL_TIMEOUTS, type TimerSet } from './callTimers'
import { systemClock } from './clock'
import { type ConsultClient, createConsultClient } from './consult'
import { createDesktopNotifier, type DesktopNotifier } from './desktopNotifier'
import { createDeviceManager } from './deviceManager'
import {
  answerFailureReason,
  type IncomingCallsAction,
  type IncomingCallsState,
  initialIncomingCalls,
  isServerDialRing,
  reduceIncomingCalls,
} from './incomingCalls'
import type { RoomLike } from './livekitTransport'
import { microphoneError } from './microphoneError'
import { createNotifyManager, type NotifyManager } from './notifyManager'
import { isPhoneNumberMetadataLoaded, loadPhoneNumberMetadata, normalizePhoneNumber } from './phoneNumber'
import type { RinglineEvent, RinglineEventOf } from './protocol'
import { roomNameProblem } from './protocol/guards'
import { RinglineError, toRinglineError } from './ringlineError'
import { createServerEvents, type ServerEvents } from './serverEvents'
import { createSoundManager, type SoundManager, type SoundManagerOptions } from './soundManager'
import { Subscribable } from './subscribable'
import type {
  AudioDeviceKind,
  Call,
  CallClient,
  CallClientEvent,
  CallClientOptions,
  CallClientState,
  Clock,
  DialOptions,
  EndReason,
} from './types'

// Re-exported so deep imports of these names from this file keep working.
export type { CallTimeouts } from './callTimers'
export type { CallClient, CallClientOptions, DialOptions } from './types'

const noop = () => {}

/** The name of an attached room; it must be connected (livekit-client names a room once it joined). */
function attachedRoomName(room: RoomLike): string {
  if (!room.name) {
    throw new RinglineError(
      'CALL_NOT_ACTIVE',
      'The attached LiveKit room has not joined yet (it has no name).',
    )
  }
  return room.name
}

class CallClientImpl extends Subscribable implements CallClient {
  readonly api: ApiClient
  readonly sounds: SoundManager | null
  readonly devices: CallClient['devices']
  readonly notifications: CallClient['notifications']
  readonly consult: ConsultClient

  #o: CallClientOptions
  #clock: Clock
  #timeouts: CallTimeouts
  #notify: NotifyManager
  #state: CallClientState
  #serverState: CallClientState
  #active: ActiveCall
  #controls: CallControls
  #incomingTimers: TimerSet
  #callEffects: CallEffects
  #eventListeners = new Set<(event: CallClientEvent) => void>()
  #deviceManager
  #notifier: DesktopNotifier | null
  #serverEvents: ServerEvents
  #incoming: IncomingCallsState = initialIncomingCalls
  #running = false
  #stopGeneration = 0
  #soundsUnsub: (() => void) | null = null
  #detachTransport: (() => void) | null = null
  #destroyed = false
  #room: RoomLike | null = null

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
    this.#active = new ActiveCall({
      clock: this.#clock,
      timeouts: this.#timeouts,
      api: this.api,
      transport: options.transport,
      publish: (activeCall) => this.#set({ activeCall }),
      emit: (event) => this.#emit(event),
      error: (error) => this.#error(error),
      audioBlockedChanged: () => this.#syncAudio(),
      selectedDevices: () => this.#state.devices.selected,
      notePermission: (permission) => this.#deviceManager.notePermission(permission),
      network: options.network,
    })
    this.#controls = createCallControls(this.#active, {
      api: this.api,
      sounds: this.sounds,
      defaultCountry: options.defaultCountry,
      emit: (event) => this.#emit(event),
      error: (error) => this.#error(error),
    })
    this.consult = createConsultClient({
      api: this.api,
      active: this.#active,
      clock: this.#clock,
      hold: () => this.#controls.hold(),
      resume: () => this.#controls.resume(),
      onServerEvent: (listener) => this.#onServerEvent(listener),
      selectedDevices: () => this.#state.devices.selected,
      error: (error) => this.#error(error),
    })
    this.#serverEvents = createServerEvents(
      { ...options, api: this.api, clock: this.#clock },
      {
        event: (event) => this.#applyServerEvent(event),
        status: (events) => this.#set({ events }),
        current: () => ({
          events: this.#state.events,
          incoming: this.#state.incoming,
          handled: [...this.#incoming.handled],
        }),
        adopt: (state) =>
          this.#reduceIncoming(
            { type: 'sync', incoming: state.incoming, handled: state.handled },
            { events: state.events },
          ),
        handled: (callId) => this.#reduceIncoming({ type: 'handled', callId }),
        leaderChanged: () => this.#effects(),
        error: (error) => this.#error(error),
      },
    )
    this.#deviceManager = createDeviceManager({
      mediaDevices: options.mediaDevices,
      permissions: options.permissions,
      canSelectOutput: options.canSelectOutput,
      ...(options.deviceStorage !== undefined ? { storage: options.deviceStorage } : {}),
      onChange: () => this.#syncDevices(),
      onAutoSwitch: (kind, deviceId) => {
        void this.#active.session?.session
          .switchDevice(kind, deviceId)
          .catch((error: unknown) => this.#error(microphoneError(error)))
      },
    })
    this.#state = {
      events: 'offline',
      activeCall: null,
      incoming: [],
      // Constant on purpose: the first render must match the server's; real readiness comes on subscribe.
      audio: { readiness: 'ready', ringtone: false },
      devices: this.#deviceManager.devices,
      permission: this.#deviceManager.permission,
      configured: null,
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
    return this.#serverEvents.leader ?? this.#running
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
      this.#active.transport().attach?.({
        api: this.api,
        onError: (error) => this.#error(error),
        onServerEvent: (listener) => this.#onServerEvent(listener),
      }) ?? null
    if (this.sounds) {
      this.sounds.listen()
      this.#soundsUnsub = this.sounds.subscribe(() => this.#syncAudio())
      this.#syncAudio()
    }
    if (this.#o.events !== false) this.#serverEvents.start()
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
    this.#serverEvents.stop()
    this.#deviceManager.stop()
    this.sounds?.unlisten()
    this.#soundsUnsub?.()
    this.#soundsUnsub = null
    this.#set({ events: 'offline' })
    this.#effects()
  }

  destroy() {
    if (this.#destroyed) return
    void this.consult.cancel().catch(noop)
    if (this.#active.live) void this.hangup().catch(noop)
    this.#destroyed = true
    this.#stopEnvironment()
    this.#active.destroy()
    this.#incomingTimers.clearAll()
    this.sounds?.destroy()
    this.#notifier?.closeAll()
    this.#notifier?.stopFlashing()
    this.listeners.clear()
    this.#eventListeners.clear()
  }

  // ── server events ────────────────────────────────────────────────────────

  #onServerEvent(listener: (event: RinglineEvent) => void): () => void {
    return this.on((event) => {
      if (event.type === 'server-event') listener(event.event)
    })
  }

  #applyServerEvent(event: RinglineEvent) {
    this.#emit({ type: 'server-event', event })

    // The ring of a call placed through the server from another tab or device is listed (not answered) here.
    if (this.#isOthersServerDial(event)) return this.#reduceIncoming({ type: 'server', event })
    // Events of the active call, or of an outbound call whose id is not known yet, are the active call's.
    if (this.#active.serverEvent(event) || event.type === 'room.updated') return
    this.#reduceIncoming({ type: 'server', event })
  }

  /**
   * True for a server-placed call's ring (or a later event of one listed) that this tab did not place: the placing
   * tab's active call has its id, or has none yet while the request is in flight, and takes its events itself.
   */
  #isOthersServerDial(
    event: RinglineEvent,
  ): event is RinglineEventOf<'call.incoming' | 'call.updated' | 'call.ended'> {
    if (event.type === 'room.updated' || event.call.direction !== 'outbound') return false
    const listed = this.#incoming.incoming.some((c) => c.id === event.call.id && c.serverDial)
    if (!listed && !isServerDialRing(event)) return false
    const active = this.#active.call
    if (!active || isCallOver(active)) return true
    return active.id !== event.call.id && !(active.id === null && active.direction === 'outbound')
  }

  /** Apply an incoming-call action; ended calls leave after `incomingRetention`, removed ones need no timer. */
  #reduceIncoming(action: IncomingCallsAction, patch: Partial<CallClientState> = {}) {
    const next = reduceIncomingCalls(this.#incoming, action, this.#clock.now())
    this.#incoming = next
    for (const id of this.#incomingTimers.names()) {
      // Gone, or ringing again (a released answer): its retention timer goes.
      if (!next.incoming.some((c) => c.id === id && c.phase === 'ended')) this.#incomingTimers.clear(id)
    }
    for (const c of next.incoming) {
      if (c.phase !== 'ended') continue
      this.#incomingTimers.set(c.id, this.#timeouts.incomingRetention, () =>
        this.#reduceIncoming({ type: 'remove', callId: c.id }),
      )
    }
    this.#set({ ...patch, incoming: next.incoming })
  }

  // ── actions ──────────────────────────────────────────────────────────────

  async dial(to: string, options: DialOptions = {}): Promise<Call> {
    const trimmed = to.trim()
    // The phone-number metadata is loaded on first use. An international number is read by its E.164 shape until
    // then (the server judges it); a national one waits for the metadata (once), which its country's rules need.
    if (!isPhoneNumberMetadataLoaded() && this.#o.defaultCountry && !trimmed.startsWith('+')) {
      await loadPhoneNumberMetadata().catch(() => {})
    }
    const number =
      this.#o.defaultCountry || trimmed.startsWith('+')
        ? normalizePhoneNumber(trimmed, this.#o.defaultCountry, { requireAssigned: false })
        : trimmed
    if (!number) throw new RinglineError('INVALID_PHONE_NUMBER', 'Enter a phone number.', { field: 'to' })
    const room = this.#room
    const roomName = room ? attachedRoomName(room) : null
    const key = this.#active.newKey()
    this.#active.start(
      createCallMachine({
        key,
        direction: 'outbound',
        now: this.#clock.now(),
        number,
        contactId: options.contactId ?? null,
      }),
    )
    const byCode: Partial<Record<string, EndReason>> = {
      SIP_BUSY: 'busy',
      SIP_NO_ANSWER: 'no-answer',
      SIP_DECLINED: 'declined',
    }
    return this.#active.place(key, {
      timeoutMs: this.#timeouts.request,
      request: (signal) =>
        this.#active.requests().createCall(
          {
            to: number,
            ...(options.contactId ? { contactId: options.contactId } : {}),
            ...(options.callerId ? { callerId: options.callerId } : {}),
            ...(roomName ? { room: roomName } : {}),
          },
          signal,
        ),
      failed: (e, timedOut) => {
        const error = timedOut
          ? new RinglineError('NETWORK_ERROR', 'The server took too long to place the call.', { cause: e })
          : toRinglineError(e, 'NETWORK_ERROR')
        if (error.code === 'NOT_CONFIGURED') this.#set({ configured: false })
        const reason = byCode[error.code]
        return {
          error,
          event: reason
            ? { type: 'end', reason }
            : { type: 'fail', error: { code: error.code, message: error.message } },
        }
      },
      cancel: (result) => {
        this.#set({ configured: true })
        void this.#active.requests().hangupCall(result.call.id).catch(noop)
      },
      accepted: (result) => {
        this.#set({ configured: true })
        return {
          id: result.call.id,
          record: result.call,
          connection: result.connection,
          ...(room ? { room } : {}),
        }
      },
    })
  }

  async prepare(): Promise<void> {
    const metadata = this.#o.defaultCountry ? loadPhoneNumberMetadata() : null
    await Promise.all([this.#active.transport().prepare?.(), metadata]).catch(noop)
  }

  attachRoom(room: RoomLike | null): void {
    this.#room = room
  }

  get attachedRoom(): RoomLike | null {
    return this.#room
  }

  async answer(callId: string): Promise<Call> {
    const ringing = this.#state.incoming.find((c) => c.id === callId)
    if (ringing?.serverDial) {
      throw new RinglineError(
        'CALL_ALREADY_ANSWERED',
        'This ring is a call you placed from another tab or device; that tab takes it.',
      )
    }
    const key = this.#active.newKey()
    this.#active.start(
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
    this.#serverEvents.handled(callId, 'answered')
    this.#reduceIncoming({ type: 'handled', callId })
    return this.#active.place(key, {
      timeoutMs: this.#timeouts.request,
      request: (signal) => this.#active.requests().answerCall(callId, signal),
      failed: (e) => {
        const error = toRinglineError(e, 'NETWORK_ERROR')
        const reason = answerFailureReason(error.code)
        if (reason) return { error, event: { type: 'end', reason } }
        return { error, event: { type: 'fail', error: { code: error.code, message: error.message } } }
      },
      settled: () => this.#reduceIncoming({ type: 'answer-settled', callId }),
      cancel: () => void this.#active.requests().hangupCall(callId).catch(noop),
      accepted: (result) => ({ id: result.call.id, record: result.call, connection: result.connection }),
    })
  }

  async decline(callId: string, options: { reject?: boolean } = {}): Promise<void> {
    const serverDial = this.#state.incoming.find((c) => c.id === callId)?.serverDial
    this.#serverEvents.handled(callId, 'declined')
    this.#reduceIncoming({ type: 'handled', callId })
    // The ring of your own server-placed call: ignoring it only drops it here; rejecting it ends that call.
    if (serverDial && !options.reject) return
    try {
      if (serverDial) await this.#active.requests().hangupCall(callId)
      else await this.#active.requests().declineCall(callId, options.reject ? { reject: true } : {})
    } catch (e) {
      const error = toRinglineError(e, 'NETWORK_ERROR')
      // Already over or answered: nothing left to decline.
      if (answerFailureReason(error.code)) return
      this.#error(error)
      throw error
    }
  }

  async hangup(callId?: string): Promise<void> {
    const call = this.#active.call
    if (callId && call?.id !== callId) {
      if (this.#state.incoming.some((c) => c.id === callId)) return this.decline(callId)
      throw new RinglineError('CALL_NOT_FOUND', `Call ${callId} is not the active call.`)
    }
    await this.#active.hangup()
  }

  setMuted = (muted: boolean) => this.#controls.setMuted(muted)
  hold = () => this.#controls.hold()
  resume = () => this.#controls.resume()
  sendDtmf = (digits: string) => this.#controls.sendDtmf(digits)
  transfer = (to: string) => this.#controls.transfer(to)
  inviteAgent = (agentName: string, options?: { metadata?: string }) =>
    this.#controls.inviteAgent(agentName, options)

  async joinRoom(name: string, options: { displayName?: string; kind?: string } = {}): Promise<Call> {
    const problem = roomNameProblem(name)
    if (problem) {
      throw new RinglineError('INVALID_REQUEST', `Room name "${name}": ${problem}.`, {
        field: 'name',
      })
    }
    const key = this.#active.newKey()
    this.#active.start(createCallMachine({ key, direction: 'internal', now: this.#clock.now(), name }))
    return this.#active.place(key, {
      request: () =>
        this.api.joinRoom(name, {
          ...(options.displayName ? { displayName: options.displayName } : {}),
          ...(options.kind ? { kind: options.kind } : {}),
        }),
      failed: (e) => {
        const error = toRinglineError(e, 'NETWORK_ERROR')
        return { error, event: { type: 'fail', error: { code: error.code, message: error.message } } }
      },
      cancel: () => void this.api.leaveRoom(name).catch(noop),
      accepted: (result) => {
        this.#active.dispatch(key, { type: 'patch', patch: { canEnd: result.canEnd ?? false } })
        return { id: result.room.callId, record: null, connection: result.connection }
      },
    })
  }

  async leaveRoom(): Promise<void> {
    const call = this.#active.call
    if (call?.direction !== 'internal' || isCallOver(call)) return
    await this.hangup()
  }

  async endRoom(): Promise<void> {
    const call = this.#active.call
    if (call?.direction !== 'internal' || !call.remote.name) {
      throw new RinglineError('CALL_NOT_ACTIVE', 'You are not in a team room.')
    }
    await this.api.endRoom(call.remote.name)
    this.#active.dispatch(call.key, { type: 'hangup' })
  }

  dismiss() {
    this.#active.dismiss()
  }

  async startAudio(): Promise<void> {
    await Promise.all([this.sounds?.unlock(), this.#active.session?.session.startAudio()])
    this.#syncAudio()
  }

  enableSound = (): Promise<void> => this.startAudio()

  async #selectDevice(kind: AudioDeviceKind, deviceId: string) {
    this.#deviceManager.select(kind, deviceId)
    const session = this.#active.session?.session
    if (session) await session.switchDevice(kind, deviceId)
  }

  // ── derived state and side effects ───────────────────────────────────────

  #syncDevices() {
    this.#set({ devices: this.#deviceManager.devices, permission: this.#deviceManager.permission })
  }

  #syncAudio() {
    const blocked = this.#active.audioBlocked || this.sounds?.readiness === 'blocked'
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
