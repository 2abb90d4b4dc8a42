// The call state machine: a pure reducer from facts (SIP participant status, room connection, server events,
// local actions, safety-net timeouts) to `Call` values. No timers or I/O here; callClient.ts feeds it.

import { agentsOf } from './agentsOf'
import type { CallDirection, CallRecord, CallStatus, TranscriptSegment } from './protocol'
import { CONSULT_PHONE_IDENTITY_PREFIX } from './protocol/constants'
import { mergeTranscript } from './protocol/transcript'
import type {
  Call,
  CallBase,
  CallError,
  CallPhase,
  CallPhaseName,
  DisconnectCause,
  EndReason,
  ParticipantState,
  SessionConnectionState,
  SipCallStatus,
} from './types'

/** What the machine knows besides the public call. */
export interface CallMachineContext {
  /** The server accepted the call (POST /calls or /answer or /rooms/:name/join returned). */
  requested: boolean
  room: SessionConnectionState | 'idle'
  sipStatus: SipCallStatus | null
  /** The SIP participant was seen `active` (the phone side answered). */
  answered: boolean
  connectedAt: number | null
  reconnectingSince: number | null
  /** The end reason was guessed (SIP participant left without a status); a server event may correct it. */
  inferredEnd: boolean
}

/** A call plus the machine's context. */
export interface CallMachineState {
  call: Call
  ctx: CallMachineContext
}

/** Inputs of the call machine. */
export type CallMachineEvent =
  | { type: 'requested'; id: string; record: CallRecord | null; roomName: string }
  | { type: 'room'; state: SessionConnectionState; cause?: DisconnectCause }
  | { type: 'participants'; participants: readonly ParticipantState[] }
  | { type: 'transcript'; segments: readonly TranscriptSegment[] }
  | { type: 'sip-left'; cause: DisconnectCause }
  | { type: 'server'; record: CallRecord }
  | { type: 'hangup' }
  | { type: 'end'; reason: EndReason }
  | { type: 'fail'; error: CallError }
  | {
      type: 'patch'
      patch: Partial<
        Pick<
          CallBase,
          | 'muted'
          | 'speakingWhileMuted'
          | 'onHold'
          | 'dtmf'
          | 'transfer'
          | 'record'
          | 'canEnd'
          | 'networkWarnings'
        >
      >
    }

/** How a call starts. */
export interface NewCallInit {
  key: string
  direction: CallDirection
  now: number
  id?: string | null
  number?: string | null
  name?: string | null
  contactId?: string | null
  record?: CallRecord | null
  roomName?: string | null
}

const TERMINAL = new Set<CallPhaseName>(['ended', 'failed'])

/** True once a call is `ended` or `failed`. */
export function isCallOver(call: Pick<Call, 'phase'>): boolean {
  return TERMINAL.has(call.phase)
}

/** A new call: `requesting` for outbound, `connecting` for answering and joining a room. */
export function createCallMachine(init: NewCallInit): CallMachineState {
  const base: CallBase = {
    key: init.key,
    id: init.id ?? null,
    direction: init.direction,
    remote: { number: init.number ?? null, name: init.name ?? null, contactId: init.contactId ?? null },
    roomName: init.roomName ?? null,
    record: init.record ?? null,
    muted: false,
    speakingWhileMuted: false,
    onHold: false,
    participants: [],
    dtmf: { sent: '', received: '' },
    transfer: null,
    canEnd: false,
    transcript: [],
    agents: [],
    networkWarnings: [],
    createdAt: init.now,
  }
  const phase: CallPhase = init.direction === 'outbound' ? { phase: 'requesting' } : { phase: 'connecting' }
  return {
    call: { ...base, ...phase },
    ctx: {
      requested: false,
      room: 'idle',
      sipStatus: null,
      answered: false,
      connectedAt: null,
      reconnectingSince: null,
      inferredEnd: false,
    },
  }
}

function livePhase(direction: CallDirection, ctx: CallMachineContext): CallPhaseName {
  if (!ctx.requested) return direction === 'outbound' ? 'requesting' : 'connecting'
  if (ctx.room === 'reconnecting') return 'reconnecting'
  const roomUp = ctx.room === 'connected'
  switch (direction) {
    case 'internal':
      return roomUp ? 'connected' : 'connecting'
    case 'inbound':
      return ctx.answered && roomUp ? 'connected' : 'connecting'
    case 'outbound':
      switch (ctx.sipStatus) {
        case null:
        case 'dialing':
          return 'dialing'
        case 'ringing':
          return 'ringing'
        case 'automation':
          return 'connecting'
        case 'active':
        case 'hangup':
          return roomUp ? 'connected' : 'connecting'
        default:
          return ctx.sipStatus satisfies never
      }
    default:
      return direction satisfies never
  }
}

function phaseOf(call: Call): CallPhase {
  switch (call.phase) {
    case 'requesting':
    case 'dialing':
    case 'ringing':
    case 'connecting':
      return { phase: call.phase }
    case 'connected':
      return { phase: 'connected', connectedAt: call.connectedAt }
    case 'reconnecting':
      return { phase: 'reconnecting', connectedAt: call.connectedAt, since: call.since }
    case 'ended':
      return {
        phase: 'ended',
        endReason: call.endReason,
        endedAt: call.endedAt,
        connectedAt: call.connectedAt,
      }
    case 'failed':
      return { phase: 'failed', error: call.error, endedAt: call.endedAt, connectedAt: call.connectedAt }
    default:
      return call satisfies never
  }
}

function samePhase(a: CallPhase, b: CallPhase): boolean {
  if (a.phase !== b.phase) return false
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  for (const key of Object.keys(ra)) {
    if (key === 'error') {
      const ea = ra.error as CallError
      const eb = rb.error as CallError
      if (ea.code !== eb.code || ea.message !== eb.message) return false
    } else if (ra[key] !== rb[key]) return false
  }
  return true
}

/** Participants plus the agents among them, keeping the previous agents array while it is equal. */
function withAgents(call: Call, participants: readonly ParticipantState[]): Partial<CallBase> {
  const agents = agentsOf(participants)
  const same =
    agents.length === call.agents.length &&
    agents.every(
      (a, i) =>
        a.identity === call.agents[i]?.identity &&
        a.name === call.agents[i]?.name &&
        a.state === call.agents[i]?.state,
    )
  return same ? { participants } : { participants, agents }
}

function withBase(call: Call, patch: Partial<CallBase>): Call {
  let changed = false
  for (const [key, value] of Object.entries(patch)) {
    if ((call as unknown as Record<string, unknown>)[key] !== value) changed = true
  }
  return changed ? ({ ...call, ...patch } as Call) : call
}

function commit(
  prev: CallMachineState,
  ctx: CallMachineContext,
  call: Call,
  now: number,
  terminal?: CallPhase,
): CallMachineState {
  let next: CallPhase
  if (terminal) next = terminal
  else if (isCallOver(call)) next = phaseOf(call)
  else {
    const name = livePhase(call.direction, ctx)
    if (name === 'connected' && ctx.connectedAt === null) ctx = { ...ctx, connectedAt: now }
    if (name === 'reconnecting' && ctx.reconnectingSince === null) ctx = { ...ctx, reconnectingSince: now }
    if (name !== 'reconnecting' && ctx.reconnectingSince !== null) ctx = { ...ctx, reconnectingSince: null }
    switch (name) {
      case 'connected':
        next = { phase: 'connected', connectedAt: ctx.connectedAt ?? now }
        break
      case 'reconnecting':
        next = { phase: 'reconnecting', connectedAt: ctx.connectedAt, since: ctx.reconnectingSince ?? now }
        break
      case 'ended':
      case 'failed':
        next = phaseOf(call)
        break
      default:
        next = { phase: name }
    }
  }
  const phaseChanged = !samePhase(phaseOf(call), next)
  let nextCall = call
  if (phaseChanged) {
    const base: Record<string, unknown> = { ...call }
    for (const key of ['connectedAt', 'since', 'endReason', 'endedAt', 'error']) delete base[key]
    nextCall = { ...(base as unknown as CallBase), ...next }
  }
  const ctxChanged = (Object.keys(ctx) as Array<keyof CallMachineContext>).some((k) => ctx[k] !== prev.ctx[k])
  if (nextCall === prev.call && !ctxChanged) return prev
  return { call: nextCall, ctx }
}

function ended(ctx: CallMachineContext, reason: EndReason, now: number): CallPhase {
  return { phase: 'ended', endReason: reason, endedAt: now, connectedAt: ctx.connectedAt }
}

function failed(ctx: CallMachineContext, error: CallError, now: number): CallPhase {
  return { phase: 'failed', error, endedAt: now, connectedAt: ctx.connectedAt }
}

const SERVER_END: Partial<Record<CallStatus, EndReason>> = {
  busy: 'busy',
  'no-answer': 'no-answer',
  declined: 'declined',
  canceled: 'canceled',
  missed: 'missed',
}

/** The terminal phase for a phone leg that went away before or after answering. */
function legGone(
  state: CallMachineState,
  cause: DisconnectCause,
  now: number,
): { phase: CallPhase; inferred: boolean } {
  const { call, ctx } = state
  if (call.transfer && call.transfer.status !== 'failed')
    return { phase: ended(ctx, 'local-hangup', now), inferred: false }
  if (ctx.answered) return { phase: ended(ctx, 'remote-hangup', now), inferred: false }
  if (call.direction === 'inbound') return { phase: ended(ctx, 'missed', now), inferred: true }
  if (cause === 'sip-trunk-failure') {
    return {
      phase: failed(ctx, { code: 'SIP_FAILED', message: 'The phone network could not place the call.' }, now),
      inferred: true,
    }
  }
  // A rejected call sets no status and just leaves; the server's waitUntilAnswered result may say busy later.
  return { phase: ended(ctx, cause === 'user-unavailable' ? 'no-answer' : 'declined', now), inferred: true }
}

/** Apply one fact to a call. Returns the same object when nothing changed. */
export function reduceCall(state: CallMachineState, event: CallMachineEvent, now: number): CallMachineState {
  const { call, ctx } = state
  const over = isCallOver(call)

  switch (event.type) {
    case 'requested': {
      if (over) return state
      const record = event.record
      // The phone side of the record (a call handed over by a colleague may be theirs outbound).
      const number =
        record === null
          ? call.remote.number
          : record.direction === 'outbound'
            ? record.toNumber
            : record.direction === 'inbound'
              ? record.fromNumber
              : null
      const next = withBase(call, {
        id: event.id,
        record: record ?? call.record,
        roomName: event.roomName,
        remote: number && number !== call.remote.number ? { ...call.remote, number } : call.remote,
      })
      const after = commit(state, { ...ctx, requested: true }, next, now)
      return record ? reduceCall(after, { type: 'server', record }, now) : after
    }

    case 'participants': {
      if (over) return state
      const same =
        event.participants.length === call.participants.length &&
        event.participants.every((p, i) => p === call.participants[i])
      const next = same ? call : withBase(call, withAgents(call, event.participants))
      if (call.direction === 'internal') return commit(state, ctx, next, now)
      const sip = event.participants.find(
        (p) => p.kind === 'sip' && !p.isLocal && !p.identity.startsWith(CONSULT_PHONE_IDENTITY_PREFIX),
      )
      const sipStatus = sip?.sipStatus ?? ctx.sipStatus
      const nextCtx: CallMachineContext = {
        ...ctx,
        sipStatus,
        answered: ctx.answered || sipStatus === 'active',
      }
      if (sipStatus === 'hangup') {
        const gone = legGone({ call: next, ctx: nextCtx }, 'unknown', now)
        return commit(state, { ...nextCtx, inferredEnd: gone.inferred }, next, now, gone.phase)
      }
      return commit(state, nextCtx, next, now)
    }

    case 'transcript': {
      if (over) return state
      const transcript = mergeTranscript(call.transcript, event.segments)
      return transcript === call.transcript ? state : commit(state, ctx, withBase(call, { transcript }), now)
    }

    case 'sip-left': {
      if (over || call.direction === 'internal') return state
      const gone = legGone(state, event.cause, now)
      return commit(state, { ...ctx, inferredEnd: gone.inferred }, call, now, gone.phase)
    }

    case 'room': {
      if (over) return state
      if (event.state !== 'disconnected') {
        const room =
          event.state === 'reconnecting' && ctx.room !== 'connected' && ctx.room !== 'reconnecting'
            ? ctx.room
            : event.state
        return commit(state, { ...ctx, room }, call, now)
      }
      const cause = event.cause ?? 'unknown'
      if (cause === 'client-initiated')
        return commit(state, { ...ctx, room: 'disconnected' }, call, now, ended(ctx, 'local-hangup', now))
      if (cause === 'room-deleted' || cause === 'participant-removed' || cause === 'room-closed') {
        if (call.direction === 'internal') {
          return commit(state, { ...ctx, room: 'disconnected' }, call, now, ended(ctx, 'remote-hangup', now))
        }
        const gone = legGone(state, cause, now)
        return commit(
          state,
          { ...ctx, room: 'disconnected', inferredEnd: gone.inferred },
          call,
          now,
          gone.phase,
        )
      }
      // A call that had connected and then lost its connection says so (CONNECTION_LOST), apart from one that
      // never connected (CONNECTION_FAILED).
      const wasConnected = 'connectedAt' in call && call.connectedAt != null
      const message =
        cause === 'duplicate-identity'
          ? 'This call was opened in another tab or device.'
          : 'Lost the connection to the call and could not get it back.'
      const code = wasConnected && cause !== 'duplicate-identity' ? 'CONNECTION_LOST' : 'CONNECTION_FAILED'
      return commit(state, { ...ctx, room: 'disconnected' }, call, now, failed(ctx, { code, message }, now))
    }

    case 'server': {
      const record = event.record
      const next = withBase(call, { record, id: call.id ?? record.id })
      if (over && !ctx.inferredEnd) return commit(state, ctx, next, now)
      let terminal: CallPhase | undefined
      const reason = SERVER_END[record.status]
      if (reason) {
        // An inbound call we already took that the caller then hangs up reads "missed" on the server only if never answered.
        terminal = ended(ctx, reason === 'missed' && ctx.answered ? 'remote-hangup' : reason, now)
      } else if (record.status === 'failed') {
        terminal = failed(
          ctx,
          {
            code: 'SIP_FAILED',
            message: record.sipStatusCode
              ? `The call failed (SIP ${record.sipStatusCode}).`
              : 'The phone network could not complete the call.',
          },
          now,
        )
      } else if (record.status === 'completed' && !over) {
        terminal = ended(
          ctx,
          ctx.answered || call.direction === 'internal' ? 'remote-hangup' : 'canceled',
          now,
        )
      }
      if (!terminal) return commit(state, ctx, next, now)
      if (over) {
        // Correct a guessed reason, keeping the original end time.
        const endedAt = (call as { endedAt: number }).endedAt
        terminal = { ...terminal, endedAt } as CallPhase
      }
      return commit(state, { ...ctx, inferredEnd: false }, next, now, terminal)
    }

    case 'hangup': {
      if (over) return state
      const reason: EndReason = call.direction === 'outbound' && !ctx.answered ? 'canceled' : 'local-hangup'
      return commit(state, ctx, call, now, ended(ctx, reason, now))
    }

    case 'end':
      if (over) return state
      return commit(state, ctx, call, now, ended(ctx, event.reason, now))

    case 'fail':
      if (over) return state
      return commit(state, ctx, call, now, failed(ctx, event.error, now))

    case 'patch':
      if (over && !('record' in event.patch) && !('transfer' in event.patch)) return state
      return commit(state, ctx, withBase(call, event.patch), now)

    default:
      return event satisfies never
  }
}
