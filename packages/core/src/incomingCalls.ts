// The incoming-call list as a pure reducer: server events and local actions in, the next list out. The client
// owns the retention timers and the tab messages; this file only decides what the list becomes.
import type { CallRecord, RinglineEvent, RinglineEventOf } from './protocol'
import { FINAL_CALL_STATUSES } from './protocol/constants'
import type { IncomingCall, IncomingEndReason } from './types'

/** The incoming calls of one client, plus what it remembers to keep them from coming back. */
export interface IncomingCallsState {
  incoming: readonly IncomingCall[]
  /** Calls answered or declined here or in another tab: never listed again. */
  handled: ReadonlySet<string>
  /** Calls whose answer claim is in flight: their events belong to the active call, not to this list. */
  answering: ReadonlySet<string>
}

/** Inputs of the incoming-call reducer. */
export type IncomingCallsAction =
  | { type: 'server'; event: RinglineEventOf<'call.incoming' | 'call.updated' | 'call.ended'> }
  /** Answered or declined here or in another tab: drop it and never list it again. */
  | { type: 'handled'; callId: string }
  | { type: 'answering'; callId: string }
  | { type: 'answer-settled'; callId: string }
  /** The retention of an ended call ran out. */
  | { type: 'remove'; callId: string }
  /** A follower tab adopts the leader's list. */
  | { type: 'sync'; incoming: readonly IncomingCall[]; handled: readonly string[] }

/**
 * What a failed answer (or decline) says about the call, from the error code: someone else took it, it is gone,
 * or null for a real failure. Core's `answer()` ends the call with this reason; UIs read it from here too.
 */
export function answerFailureReason(code: string | undefined): 'answered-elsewhere' | 'missed' | null {
  if (code === 'CALL_ALREADY_ANSWERED') return 'answered-elsewhere'
  if (code === 'CALL_NOT_FOUND' || code === 'CALL_NOT_ACTIVE') return 'missed'
  return null
}

/** An empty incoming-call state. */
export const initialIncomingCalls: IncomingCallsState = {
  incoming: [],
  handled: new Set(),
  answering: new Set(),
}

function isFinal(record: CallRecord) {
  return FINAL_CALL_STATUSES.includes(record.status)
}

function withId(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  return set.has(id) ? set : new Set(set).add(id)
}

function withoutId(set: ReadonlySet<string>, id: string): ReadonlySet<string> {
  if (!set.has(id)) return set
  const next = new Set(set)
  next.delete(id)
  return next
}

function removeCall(incoming: readonly IncomingCall[], id: string): readonly IncomingCall[] {
  return incoming.some((c) => c.id === id) ? incoming.filter((c) => c.id !== id) : incoming
}

/** Why a ringing call stopped ringing, from its latest record; null while it still rings. */
function endReasonOf(event: IncomingCallsAction & { type: 'server' }): IncomingEndReason | null {
  const record = event.event.call
  if (isFinal(record) || event.event.type === 'call.ended') {
    if (record.status === 'declined') return 'declined'
    return record.status === 'completed' || record.answeredBy ? 'answered-elsewhere' : 'missed'
  }
  if (record.status === 'in-progress' || record.answeredBy) return 'answered-elsewhere'
  return null
}

/**
 * Why the ring of a server-placed call stopped: a browser took it (`answered-elsewhere`: the destination is dialled
 * from then on), or the call ended before any did (`missed`); null while the browsers still ring.
 */
function serverDialEndReason(event: IncomingCallsAction & { type: 'server' }): IncomingEndReason | null {
  const record = event.event.call
  const answered =
    (event.event.type !== 'call.ended' && event.event.serverDial?.answered) ||
    record.answeredAt !== null ||
    record.status === 'ringing' ||
    record.status === 'in-progress'
  if (answered) return 'answered-elsewhere'
  return isFinal(record) || event.event.type === 'call.ended' ? 'missed' : null
}

/** True for the ring of a server-placed call (Twilio Voice `initiate: 'server'`) that still rings. */
export function isServerDialRing(event: RinglineEvent): boolean {
  return event.type === 'call.incoming' && !!event.serverDial && !event.serverDial.answered
}

function reduceServerEvent(
  state: IncomingCallsState,
  action: IncomingCallsAction & { type: 'server' },
  now: number,
): IncomingCallsState {
  const { event } = action
  const record = event.call
  const existing = state.incoming.find((c) => c.id === record.id)
  // Outbound and internal records are the active call's business, except the ring of a call placed through the
  // server from another tab or device (the client routes only those here).
  const serverDial = isServerDialRing(event) || !!existing?.serverDial
  if (record.direction !== 'inbound' && !serverDial) return state

  if (event.type === 'call.incoming') {
    if (state.handled.has(record.id) || state.answering.has(record.id) || isFinal(record)) return state
    // A call seen answered elsewhere rings again when that answer was released (its media never connected).
    const ringsAgain = existing?.phase === 'ended' && !record.answeredBy && record.status === 'ringing'
    if (existing && !ringsAgain) return state
    const call: IncomingCall = {
      id: record.id,
      from: record.fromNumber,
      to: record.toNumber,
      record,
      receivedAt: now,
      phase: 'ringing',
      ...(event.serverDial ? { serverDial: { callSid: event.serverDial.callSid } } : {}),
    }
    const others = ringsAgain ? state.incoming.filter((c) => c.id !== record.id) : state.incoming
    return { ...state, incoming: [...others, call] }
  }

  if (existing?.phase !== 'ringing' || state.answering.has(record.id)) return state
  const reason = existing.serverDial ? serverDialEndReason(action) : endReasonOf(action)
  const incoming = state.incoming.map((c): IncomingCall => {
    if (c.id !== record.id) return c
    if (!reason) return { ...c, record }
    return {
      id: c.id,
      from: c.from,
      to: c.to,
      record,
      receivedAt: c.receivedAt,
      ...(c.serverDial ? { serverDial: c.serverDial } : {}),
      phase: 'ended',
      endReason: reason,
      endedAt: now,
    }
  })
  return { ...state, incoming }
}

/** The next incoming-call state; returns `state` itself when nothing changed. */
export function reduceIncomingCalls(
  state: IncomingCallsState,
  action: IncomingCallsAction,
  now: number,
): IncomingCallsState {
  switch (action.type) {
    case 'server':
      return reduceServerEvent(state, action, now)
    case 'handled': {
      const handled = withId(state.handled, action.callId)
      const incoming = removeCall(state.incoming, action.callId)
      return handled === state.handled && incoming === state.incoming
        ? state
        : { ...state, handled, incoming }
    }
    case 'answering': {
      const answering = withId(state.answering, action.callId)
      return answering === state.answering ? state : { ...state, answering }
    }
    case 'answer-settled': {
      const answering = withoutId(state.answering, action.callId)
      return answering === state.answering ? state : { ...state, answering }
    }
    case 'remove': {
      const incoming = removeCall(state.incoming, action.callId)
      return incoming === state.incoming ? state : { ...state, incoming }
    }
    case 'sync': {
      let handled = state.handled
      for (const id of action.handled) handled = withId(handled, id)
      const known = new Set(state.incoming.map((c) => c.id))
      const added = action.incoming.filter((c) => !known.has(c.id) && !handled.has(c.id))
      const incoming = added.length ? [...state.incoming, ...added] : state.incoming
      return handled === state.handled && incoming === state.incoming
        ? state
        : { ...state, handled, incoming }
    }
    default:
      return action satisfies never
  }
}
