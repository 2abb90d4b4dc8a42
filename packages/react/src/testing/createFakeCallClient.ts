import type { CallRecord } from '@ringline/core/protocol'
import type {
  AudioDeviceKind,
  Call,
  CallBase,
  CallClientEvent,
  CallClientLike,
  CallClientState,
  CallPhase,
  ConsultClientLike,
  ConsultSnapshot,
  EndReason,
  IncomingCall,
  IncomingEndReason,
  ParticipantState,
  RinglineApi,
} from '../types'

let keySeq = 0

/** Builds a `Call` value for tests and stories: sensible defaults, any field overridable. */
export function createFakeCall(init: Partial<CallBase> & CallPhase): Call {
  return {
    key: `k${++keySeq}`,
    id: `call_${keySeq}`,
    direction: 'outbound',
    remote: { number: null, name: null, contactId: null },
    roomName: null,
    record: null,
    muted: false,
    speakingWhileMuted: false,
    onHold: false,
    participants: [],
    dtmf: { sent: '', received: '' },
    transfer: null,
    transcript: [],
    agents: [],
    networkWarnings: [],
    createdAt: Date.now(),
    ...init,
  } as Call
}

/** Builds a ringing (or ended) `IncomingCall` for tests and stories. */
export function createFakeIncomingCall(
  init: {
    id?: string
    from?: string | null
    to?: string | null
    receivedAt?: number
    /** Who answered (user id), for `answered-elsewhere`. */
    answeredBy?: string | null
  } & ({ phase?: 'ringing' } | { phase: 'ended'; endReason: IncomingEndReason; endedAt?: number }) = {},
): IncomingCall {
  const id = init.id ?? `in_${++keySeq}`
  const from = init.from === undefined ? '+14155550123' : init.from
  const to = init.to === undefined ? '+14155550100' : init.to
  const receivedAt = init.receivedAt ?? Date.now()
  const record: CallRecord = {
    id,
    tenantId: 'demo',
    direction: 'inbound',
    status:
      init.phase === 'ended'
        ? init.endReason === 'answered-elsewhere'
          ? 'in-progress'
          : 'missed'
        : 'ringing',
    roomName: `in-demo_${id}`,
    fromNumber: from,
    toNumber: to,
    contactId: null,
    createdBy: null,
    answeredBy: init.answeredBy ?? null,
    sipCallId: null,
    startedAt: new Date(receivedAt).toISOString(),
    answeredAt: null,
    endedAt: null,
    durationSeconds: null,
    endReason: null,
  }
  const base = { ...init, id, from, to, receivedAt, record }
  if (init.phase === 'ended')
    return { ...base, phase: 'ended', endReason: init.endReason, endedAt: init.endedAt ?? Date.now() }
  return { ...base, phase: 'ringing' }
}

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
  /** Async actions that record the call and then never settle (to show pending states: `answer`, `joinRoom`, `dial`). */
  hang?: string[]
  /** `api` exposed as `client.api`. */
  api?: RinglineApi
  /** Name shown for the local participant of rooms. */
  localName?: string
  /** Clock; default `Date.now`. */
  now?: () => number
  /** Warm transfer: the consult state shown (`client.consult`); actions are recorded (`consult.start`, …). */
  consult?: ConsultSnapshot
}

/**
 * A call client frozen in a state, for stories: records actions and applies the obvious state change, nothing
 * more (no phases on timers, no server). Tests and live demos use core's real `createCallClient` over the fakes of
 * `@ringline/core/testing` instead.
 */
export interface FakeCallClient extends CallClientLike {
  /** Every action called, in order. */
  readonly actions: FakeClientAction[]
  /** Replaces parts of the state and notifies subscribers. */
  setState(patch: Partial<CallClientState> | ((state: CallClientState) => Partial<CallClientState>)): void
}

const defaultState = (): CallClientState => ({
  events: 'online',
  activeCall: null,
  incoming: [],
  audio: { readiness: 'ready', ringtone: false },
  devices: {
    audioinput: [
      { deviceId: 'default', groupId: 'default', label: 'Default microphone', kind: 'audioinput' },
      { deviceId: 'usb', groupId: 'usb', label: 'USB headset', kind: 'audioinput' },
    ],
    audiooutput: [
      { deviceId: 'default', groupId: 'default', label: 'Default speakers', kind: 'audiooutput' },
      { deviceId: 'usb', groupId: 'usb', label: 'USB headset', kind: 'audiooutput' },
    ],
    selected: { audioinput: 'default', audiooutput: 'default' },
    canSelectOutput: true,
    notice: null,
  },
  permission: 'granted',
  configured: true,
})

function withLocalMuted(call: Call, muted: boolean): Call {
  return { ...call, participants: call.participants.map((p) => (p.isLocal ? { ...p, muted } : p)) }
}

/** Creates a fake call client for tests, stories and demos of the components without a server. */
export function createFakeCallClient(options: FakeCallClientOptions = {}): FakeCallClient {
  let state: CallClientState = { ...defaultState(), ...options.state }
  const listeners = new Set<() => void>()
  const eventListeners = new Set<(event: CallClientEvent) => void>()
  const actions: FakeClientAction[] = []
  const now = options.now ?? Date.now
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
  const never = new Promise<never>(() => {})
  const hangs = (method: string) => options.hang?.includes(method) ?? false
  const ended = (reason: EndReason) => {
    const call = state.activeCall
    if (!call) return
    const connectedAt = 'connectedAt' in call ? call.connectedAt : null
    setCall({ ...call, phase: 'ended', endReason: reason, endedAt: now(), connectedAt } as Call)
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
    on(listener) {
      eventListeners.add(listener)
      return () => eventListeners.delete(listener)
    },
    async dial(to, opts) {
      record('dial', [to, opts])
      if (hangs('dial')) return never
      const id = `call_${++seq}`
      setCall(
        createFakeCall({
          id,
          direction: 'outbound',
          phase: 'requesting',
          remote: { number: to, name: null, contactId: opts?.contactId ?? null },
          createdAt: now(),
        }),
      )
      return state.activeCall
    },
    async answer(callId) {
      record('answer', [callId])
      if (hangs('answer')) return never
      const incoming = state.incoming.find((c) => c.id === callId)
      const connect = () =>
        set({
          incoming: state.incoming.filter((c) => c.id !== callId),
          activeCall: createFakeCall({
            id: callId,
            direction: 'inbound',
            phase: 'connected',
            remote: { number: incoming?.from ?? null, name: null, contactId: null },
            createdAt: now(),
            connectedAt: now(),
          }),
        })
      connect()
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
      if (state.activeCall) setCall({ ...state.activeCall, muted, speakingWhileMuted: false })
      set({ activeCall: state.activeCall && withLocalMuted(state.activeCall, muted) })
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
    async inviteAgent(agentName) {
      record('inviteAgent', [agentName])
      if (hangs('inviteAgent')) return never
      return {
        dispatch: {
          agentName,
          state: 'dispatched',
          dispatchId: `AD_${agentName}`,
          error: null,
          createdAt: new Date(now()).toISOString(),
        },
        created: true,
      }
    },
    attachRoom(room) {
      record('attachRoom', [room ? (room.name ?? '') : null])
    },
    async joinRoom(name, opts) {
      record('joinRoom', [name, opts])
      if (hangs('joinRoom')) return never
      const local: ParticipantState = {
        identity: 'me',
        name: opts?.displayName ?? options.localName ?? 'You',
        isLocal: true,
        kind: 'user',
        speaking: false,
        muted: false,
        sipStatus: null,
        attributes: {},
      }
      setCall(
        createFakeCall({
          id: `room_${name}`,
          direction: 'internal',
          phase: 'connecting',
          remote: { number: null, name, contactId: null },
          roomName: `int-demo-${name}`,
          participants: [local],
          createdAt: now(),
        }),
      )
      const connect = () => {
        if (state.activeCall?.remote.name === name && state.activeCall.phase === 'connecting') {
          setCall({ ...state.activeCall, phase: 'connected', connectedAt: now() } as Call)
        }
      }
      connect()
    },
    dismiss() {
      actions.push({ method: 'dismiss', args: [] })
      const call = state.activeCall
      if (call && (call.phase === 'ended' || call.phase === 'failed')) setCall(null)
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
      async requestPermission() {
        record('devices.requestPermission', [])
        set({ permission: 'granted' })
        return 'granted' as const
      },
    },
    startAudio() {
      record('startAudio', [])
      set({ audio: { ...state.audio, readiness: 'ready' } })
    },
    async enableSound() {
      record('enableSound', [])
      set({ audio: { ...state.audio, readiness: 'ready' } })
    },
    destroy() {
      actions.push({ method: 'destroy', args: [] })
      listeners.clear()
      eventListeners.clear()
    },
  }
  if (options.consult) client.consult = fakeConsult(options.consult, (method, args) => record(method, args))
  return client
}

/** A warm-transfer controller frozen in `snapshot` that records its actions as `consult.<method>`. */
function fakeConsult(
  initial: ConsultSnapshot,
  record: (method: string, args: unknown[]) => void,
): ConsultClientLike {
  let snapshot = initial
  const listeners = new Set<() => void>()
  const set = (next: ConsultSnapshot) => {
    snapshot = next
    for (const l of [...listeners]) l()
  }
  return {
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    getSnapshot: () => snapshot,
    async start(userId) {
      record('consult.start', [userId])
    },
    async complete() {
      record('consult.complete', [])
    },
    async cancel() {
      record('consult.cancel', [])
    },
    async answer(callId) {
      record('consult.answer', [callId])
    },
    async decline(callId) {
      record('consult.decline', [callId])
      set({ ...snapshot, offers: snapshot.offers.filter((o) => o.callId !== callId) })
    },
    dismiss() {
      record('consult.dismiss', [])
      set({ ...snapshot, consult: null })
    },
  }
}
