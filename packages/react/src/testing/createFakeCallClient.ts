import type { RinglineEvent } from '@ringline/core/protocol'
import type {
  AudioDeviceKind,
  Call,
  CallClientLike,
  CallClientState,
  CallParticipantView,
  RinglineApi,
} from '../types'

/** One recorded action of the fake client. */
export interface FakeClientAction {
  method: string
  args: unknown[]
}

/** Options of {@link createFakeCallClient}. */
export interface FakeCallClientOptions {
  /** Initial state, merged over an idle online client with microphone granted. */
  state?: Partial<CallClientState>
  /** Make actions fail with this error, per method name (`dial`, `answer`, `joinRoom`, ...). */
  errors?: Partial<Record<string, Error & { code?: string }>>
  /** Walk outbound calls through dialing → ringing → connected with timers (for demos). Default false. */
  simulate?: boolean | { stepMs?: number }
  /** `api` exposed as `client.api`. */
  api?: RinglineApi
  /** Name shown for the local participant of rooms. */
  localName?: string
  /** Clock; default `Date.now`. */
  now?: () => number
}

/** A scriptable in-memory call client: records actions and applies the obvious state change. */
export interface FakeCallClient extends CallClientLike {
  /** Every action called, in order. */
  readonly actions: FakeClientAction[]
  /** Replaces parts of the state and notifies subscribers. */
  setState(patch: Partial<CallClientState> | ((state: CallClientState) => Partial<CallClientState>)): void
  /** Replaces parts of the active call (no-op without one). */
  updateCall(patch: Partial<Call>): void
  /** Delivers a raw server event to `onEvent` listeners. */
  emit(event: RinglineEvent): void
}

const defaultState = (): CallClientState => ({
  events: 'online',
  activeCall: null,
  incoming: [],
  audio: { readiness: 'ready' },
  devices: {
    audioinput: [
      { deviceId: 'default', label: 'Default microphone', kind: 'audioinput' },
      { deviceId: 'usb', label: 'USB headset', kind: 'audioinput' },
    ],
    audiooutput: [
      { deviceId: 'default', label: 'Default speakers', kind: 'audiooutput' },
      { deviceId: 'usb', label: 'USB headset', kind: 'audiooutput' },
    ],
    selected: { audioinput: 'default', audiooutput: 'default' },
  },
  permission: 'granted',
  configured: true,
})

/** Creates a fake call client for tests, stories and demos of the components without a server. */
export function createFakeCallClient(options: FakeCallClientOptions = {}): FakeCallClient {
  let state: CallClientState = { ...defaultState(), ...options.state }
  const listeners = new Set<() => void>()
  const eventListeners = new Set<(event: RinglineEvent) => void>()
  const actions: FakeClientAction[] = []
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const now = options.now ?? Date.now
  const stepMs = typeof options.simulate === 'object' ? (options.simulate.stepMs ?? 800) : 800
  let seq = 0

  const set = (patch: Partial<CallClientState>) => {
    state = { ...state, ...patch }
    for (const listener of [...listeners]) listener()
  }
  const setCall = (call: Call | null) => set({ activeCall: call })
  const record = (method: string, args: unknown[]) => {
    actions.push({ method, args })
    const error = options.errors?.[method]
    if (error) throw error
  }
  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t)
      fn()
    }, ms)
    timers.add(t)
  }
  const ended = (reason: Extract<Call, { phase: 'ended' }>['endReason']) => {
    const call = state.activeCall
    if (!call) return
    setCall({ ...call, phase: 'ended', endReason: reason, endedAt: now() } as Call)
  }

  const client: FakeCallClient = {
    actions,
    baseUrl: '/api/ringline',
    ...(options.api ? { api: options.api } : {}),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    getSnapshot: () => state,
    setState(patch) {
      set(typeof patch === 'function' ? patch(state) : patch)
    },
    updateCall(patch) {
      if (state.activeCall) setCall({ ...state.activeCall, ...patch } as Call)
    },
    emit(event) {
      for (const listener of [...eventListeners]) listener(event)
    },
    onEvent(listener) {
      eventListeners.add(listener)
      return () => eventListeners.delete(listener)
    },
    async dial(to, opts) {
      record('dial', [to, opts])
      const id = `call_${++seq}`
      setCall({ id, direction: 'outbound', phase: 'requesting', remoteNumber: to, startedAt: now() })
      if (options.simulate) {
        const step = (phase: 'dialing' | 'ringing' | 'connected', ms: number) =>
          later(() => {
            if (state.activeCall?.id !== id || state.activeCall.phase === 'ended') return
            setCall({
              ...state.activeCall,
              phase,
              ...(phase === 'connected' ? { connectedAt: now() } : {}),
            } as Call)
          }, ms)
        step('dialing', stepMs)
        step('ringing', stepMs * 2)
        step('connected', stepMs * 5)
      }
      return state.activeCall
    },
    async answer(callId) {
      record('answer', [callId])
      const incoming = state.incoming.find((c) => c.id === callId)
      set({ incoming: state.incoming.map((c) => (c.id === callId ? { ...c, state: 'answering' } : c)) })
      const connect = () =>
        set({
          incoming: state.incoming.filter((c) => c.id !== callId),
          activeCall: {
            id: callId,
            direction: 'inbound',
            phase: 'connected',
            remoteNumber: incoming?.from ?? null,
            remoteName: incoming?.callerName ?? null,
            startedAt: now(),
            connectedAt: now(),
          },
        })
      if (options.simulate) later(connect, stepMs)
      else connect()
    },
    async decline(callId) {
      record('decline', [callId])
      set({ incoming: state.incoming.filter((c) => c.id !== callId) })
    },
    async hangup(callId) {
      record('hangup', [callId])
      ended('local-hangup')
    },
    setMuted(muted) {
      record('setMuted', [muted])
      if (state.activeCall) setCall({ ...state.activeCall, muted })
    },
    hold() {
      record('hold', [])
      if (state.activeCall) setCall({ ...state.activeCall, onHold: true })
    },
    resume() {
      record('resume', [])
      if (state.activeCall) setCall({ ...state.activeCall, onHold: false })
    },
    sendDtmf(digits) {
      record('sendDtmf', [digits])
    },
    transfer(to) {
      record('transfer', [to])
    },
    async joinRoom(name, opts) {
      record('joinRoom', [name, opts])
      const local: CallParticipantView = {
        identity: 'me',
        name: opts?.displayName ?? options.localName ?? 'You',
        isLocal: true,
        kind: 'user',
      }
      setCall({
        id: `room_${name}`,
        direction: 'internal',
        phase: 'connecting',
        roomName: name,
        participants: [local],
        isCreator: true,
        startedAt: now(),
      })
      const connect = () => {
        if (state.activeCall?.roomName === name && state.activeCall.phase === 'connecting') {
          setCall({ ...state.activeCall, phase: 'connected', connectedAt: now() })
        }
      }
      if (options.simulate) later(connect, stepMs)
      else connect()
    },
    leaveRoom() {
      record('leaveRoom', [])
      ended('local-hangup')
    },
    endRoom() {
      record('endRoom', [])
      ended('local-hangup')
    },
    devices: {
      select(kind: AudioDeviceKind, deviceId: string) {
        record('devices.select', [kind, deviceId])
        set({ devices: { ...state.devices, selected: { ...state.devices.selected, [kind]: deviceId } } })
      },
    },
    startAudio() {
      record('startAudio', [])
      set({ audio: { readiness: 'ready' } })
    },
    requestPermission() {
      record('requestPermission', [])
      set({ permission: 'granted' })
    },
    destroy() {
      actions.push({ method: 'destroy', args: [] })
      for (const t of timers) clearTimeout(t)
      timers.clear()
      listeners.clear()
      eventListeners.clear()
    },
  }
  return client
}
