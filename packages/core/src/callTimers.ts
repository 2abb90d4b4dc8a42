// Safety nets for the active call: each fires only when the facts that normally end a phase never arrive, and
// a verify loop re-reads an outbound call that is still dialing in case its outcome was published unheard.
import { type CallMachineEvent, isCallOver } from './callMachine'
import type { CallDetail } from './protocol'
import type { Call, Clock } from './types'

/** Safety-net timeouts (ms). They only fire when the facts that normally end a phase never arrive. */
export interface CallTimeouts {
  /** `POST /calls` / `answer` / `join` round trip. Default 20 s. */
  request: number
  /** Outbound call still dialing or ringing. Default 120 s (the trunk's own ringing timeout is shorter). */
  answer: number
  /** In `connecting` (media not up, or the answered SIP leg never became active). Default 30 s. */
  connect: number
  /** In `reconnecting` before the call is declared lost. Default 30 s. */
  reconnect: number
  /** How long an ended incoming call stays in `incoming` so the UI can say "answered elsewhere" or "missed". Default 4 s. */
  incomingRetention: number
  /**
   * How often an outbound call still dialing or ringing asks the server for its record (`GET /calls/:id`), in case
   * its outcome was published while no event stream was connected. Default 10 s.
   */
  verify: number
}

/** The defaults of `CallTimeouts`. */
export const DEFAULT_CALL_TIMEOUTS: CallTimeouts = {
  request: 20_000,
  answer: 120_000,
  connect: 30_000,
  reconnect: 30_000,
  incomingRetention: 4_000,
  verify: 10_000,
}

/** Named one-shot timers on a `Clock`; setting a name that is already pending keeps the pending one. */
export interface TimerSet {
  has(name: string): boolean
  set(name: string, ms: number, fn: () => void): void
  clear(name: string): void
  clearAll(): void
  names(): string[]
}

/** Create a `TimerSet`. */
export function createTimerSet(clock: Clock): TimerSet {
  const timers = new Map<string, unknown>()
  return {
    has: (name) => timers.has(name),
    set(name, ms, fn) {
      if (timers.has(name)) return
      timers.set(
        name,
        clock.setTimeout(() => {
          timers.delete(name)
          fn()
        }, ms),
      )
    },
    clear(name) {
      const t = timers.get(name)
      if (t === undefined) return
      clock.clearTimeout(t)
      timers.delete(name)
    },
    clearAll() {
      for (const t of timers.values()) clock.clearTimeout(t)
      timers.clear()
    },
    names: () => [...timers.keys()],
  }
}

/** What a safety net does when it fires. */
export type CallTimerAction = { type: 'give-up'; event: CallMachineEvent } | { type: 'verify' }

/** The safety nets a call needs in its current phase, by name. */
export function callTimersFor(
  call: Call | null,
  timeouts: CallTimeouts,
): Map<string, [number, CallTimerAction]> {
  const want = new Map<string, [number, CallTimerAction]>()
  if (!call || isCallOver(call)) return want
  const unsettled = call.direction === 'outbound' && (call.phase === 'dialing' || call.phase === 'ringing')
  if (unsettled) {
    want.set('answer', [timeouts.answer, { type: 'give-up', event: { type: 'end', reason: 'no-answer' } }])
  }
  if (unsettled && call.id) want.set('verify', [timeouts.verify, { type: 'verify' }])
  if (call.phase === 'connecting') {
    want.set('connect', [
      timeouts.connect,
      {
        type: 'give-up',
        event: {
          type: 'fail',
          error: { code: 'CONNECTION_FAILED', message: 'The call did not connect in time.' },
        },
      },
    ])
  }
  if (call.phase === 'reconnecting') {
    want.set('reconnect', [
      timeouts.reconnect,
      {
        type: 'give-up',
        event: {
          type: 'fail',
          error: {
            // Reconnecting after the call had connected: lost (an answer whose media never connected: failed).
            code: call.connectedAt != null ? 'CONNECTION_LOST' : 'CONNECTION_FAILED',
            message: 'Lost the connection to the call and could not get it back.',
          },
        },
      },
    ])
  }
  return want
}

/** What the safety nets need from the client. */
export interface CallTimersHost {
  clock: Clock
  timeouts: CallTimeouts
  /** The active call, if any. */
  active(): Call | null
  dispatch(key: string, event: CallMachineEvent): void
  /** Tell the server to end a call the client gives up on; never throws. */
  serverHangup(call: Call): void
  getCall(id: string): Promise<CallDetail>
}

/** The active call's safety nets. */
export interface CallTimers {
  /** Arm the timers the active call's phase needs and disarm the rest. */
  sync(): void
  /** End a live call with `event` here and on the server. */
  giveUp(key: string, event: CallMachineEvent): void
  clear(): void
}

/** Create the safety nets of the active call. */
export function createCallTimers(host: CallTimersHost): CallTimers {
  const timers = createTimerSet(host.clock)
  const callOf = (key: string) => {
    const call = host.active()
    return call?.key === key ? call : null
  }

  const giveUp = (key: string, event: CallMachineEvent) => {
    const call = callOf(key)
    if (!call || isCallOver(call)) return
    host.dispatch(key, event)
    host.serverHangup(call)
  }

  /** Reads an unsettled outbound call's record from the server, then re-arms the check while it stays unsettled. */
  const verify = async (key: string) => {
    const call = callOf(key)
    if (!call?.id || isCallOver(call)) return
    try {
      const detail = await host.getCall(call.id)
      const now = callOf(key)
      if (now && !isCallOver(now) && detail.call.id === call.id) {
        host.dispatch(key, { type: 'server', record: detail.call })
      }
    } catch {
      // The event stream or the next check settles it.
    }
    sync()
  }

  const sync = () => {
    const call = host.active()
    const want = callTimersFor(call, host.timeouts)
    for (const name of timers.names()) if (!want.has(name)) timers.clear(name)
    if (!call) return
    const key = call.key
    for (const [name, [ms, action]] of want) {
      timers.set(name, ms, () => (action.type === 'verify' ? void verify(key) : giveUp(key, action.event)))
    }
  }

  return { sync, giveUp, clear: () => timers.clearAll() }
}
