// The phase table of the README ("How phases are decided"), row by row: a sequence of facts → the phase it yields.
import { describe, expect, it } from 'vitest'
import { type CallMachineEvent, createCallMachine, reduceCall } from './callMachine'
import type { CallDirection, CallStatus } from './protocol'
import { makeRecord } from './testing/fakeServer'
import type { Call, DisconnectCause, ParticipantState, SipCallStatus } from './types'

type Direction = CallDirection

const requested: CallMachineEvent = { type: 'requested', id: 'call_1', record: null, roomName: 'room' }
const room = (state: 'connecting' | 'connected' | 'reconnecting'): CallMachineEvent => ({
  type: 'room',
  state,
})
const gone = (cause: DisconnectCause): CallMachineEvent => ({ type: 'room', state: 'disconnected', cause })
const left = (cause: DisconnectCause = 'unknown'): CallMachineEvent => ({ type: 'sip-left', cause })
const hangup: CallMachineEvent = { type: 'hangup' }

function sip(status: SipCallStatus): CallMachineEvent {
  const phone: ParticipantState = {
    identity: 'sip_+14155550123',
    name: null,
    kind: 'sip',
    isLocal: false,
    speaking: false,
    muted: false,
    sipStatus: status,
    attributes: { 'sip.callStatus': status },
  }
  return { type: 'participants', participants: [phone] }
}

function server(status: CallStatus): CallMachineEvent {
  return { type: 'server', record: makeRecord({ status }) }
}

/** The phase after the facts, with the end reason or error code: `ended:busy`, `failed:SIP_FAILED`. */
function phaseAfter(direction: Direction, facts: CallMachineEvent[]): string {
  let state = createCallMachine({
    key: 'k',
    direction,
    now: 0,
    name: direction === 'internal' ? 'team' : null,
  })
  facts.forEach((fact, i) => {
    state = reduceCall(state, fact, i + 1)
  })
  const call: Call = state.call
  if (call.phase === 'ended') return `ended:${call.endReason}`
  if (call.phase === 'failed') return `failed:${call.error.code}`
  return call.phase
}

const up = [requested, room('connected')]
const answered = [...up, sip('active')]

type Row = [fact: string, direction: Direction, facts: CallMachineEvent[], phase: string]

const table: Row[] = [
  ['POST pending', 'outbound', [], 'requesting'],
  ['POST pending', 'inbound', [], 'connecting'],
  ['POST pending', 'internal', [], 'connecting'],
  ['no SIP participant yet', 'outbound', up, 'dialing'],
  ['sip.callStatus dialing', 'outbound', [...up, sip('dialing')], 'dialing'],
  ['sip.callStatus dialing', 'inbound', [...up, sip('dialing')], 'connecting'],
  ['sip.callStatus ringing', 'outbound', [...up, sip('ringing')], 'ringing'],
  ['sip.callStatus ringing', 'inbound', [...up, sip('ringing')], 'connecting'],
  ['sip.callStatus automation', 'outbound', [...up, sip('automation')], 'connecting'],
  ['sip.callStatus automation', 'inbound', [...up, sip('automation')], 'connecting'],
  ['active + room connected', 'outbound', answered, 'connected'],
  ['active + room connected', 'inbound', answered, 'connected'],
  ['active, room not connected yet', 'outbound', [requested, sip('active')], 'connecting'],
  ['room connected', 'internal', up, 'connected'],
  ['room reconnecting', 'outbound', [...answered, room('reconnecting')], 'reconnecting'],
  ['room reconnecting', 'inbound', [...answered, room('reconnecting')], 'reconnecting'],
  ['room reconnecting', 'internal', [...up, room('reconnecting')], 'reconnecting'],
  ['sip.callStatus hangup after answer', 'outbound', [...answered, sip('hangup')], 'ended:remote-hangup'],
  ['SIP participant leaves after answer', 'outbound', [...answered, left()], 'ended:remote-hangup'],
  ['SIP participant leaves after answer', 'inbound', [...answered, left()], 'ended:remote-hangup'],
  ['SIP participant leaves before answer', 'outbound', [...up, sip('ringing'), left()], 'ended:declined'],
  [
    'leaves before answer, USER_UNAVAILABLE',
    'outbound',
    [...up, left('user-unavailable')],
    'ended:no-answer',
  ],
  ['leaves before answer, then server says busy', 'outbound', [...up, left(), server('busy')], 'ended:busy'],
  ['SIP participant leaves before answer', 'inbound', [...up, left()], 'ended:missed'],
  ['server busy', 'outbound', [...up, server('busy')], 'ended:busy'],
  ['server no-answer', 'outbound', [...up, server('no-answer')], 'ended:no-answer'],
  ['server declined', 'outbound', [...up, server('declined')], 'ended:declined'],
  ['server canceled', 'outbound', [...up, server('canceled')], 'ended:canceled'],
  ['server missed', 'inbound', [...up, server('missed')], 'ended:missed'],
  ['server failed', 'outbound', [...up, server('failed')], 'failed:SIP_FAILED'],
  ['server failed', 'inbound', [...up, server('failed')], 'failed:SIP_FAILED'],
  ['room deleted after answer', 'outbound', [...answered, gone('room-deleted')], 'ended:remote-hangup'],
  ['room deleted before answer', 'outbound', [...up, sip('ringing'), gone('room-deleted')], 'ended:declined'],
  [
    'participant removed after answer',
    'inbound',
    [...answered, gone('participant-removed')],
    'ended:remote-hangup',
  ],
  ['room deleted', 'internal', [...up, gone('room-deleted')], 'ended:remote-hangup'],
  [
    'LiveKit gives up (signal closed)',
    'outbound',
    [...answered, gone('signal-close')],
    'failed:CONNECTION_LOST',
  ],
  [
    'LiveKit gives up before the call connected',
    'outbound',
    [...up, sip('ringing'), gone('signal-close')],
    'failed:CONNECTION_FAILED',
  ],
  [
    'LiveKit gives up (timeout)',
    'inbound',
    [...answered, gone('connection-timeout')],
    'failed:CONNECTION_LOST',
  ],
  ['LiveKit gives up (signal closed)', 'internal', [...up, gone('signal-close')], 'failed:CONNECTION_LOST'],
  ['local hangup before answer', 'outbound', [...up, sip('ringing'), hangup], 'ended:canceled'],
  ['local hangup after answer', 'outbound', [...answered, hangup], 'ended:local-hangup'],
  ['local hangup', 'inbound', [...answered, hangup], 'ended:local-hangup'],
  ['local hangup', 'internal', [...up, hangup], 'ended:local-hangup'],
]

describe('call machine phase table', () => {
  it.each(table)('%s (%s) → %s', (_fact, direction, facts, phase) => {
    expect(phaseAfter(direction, facts)).toBe(phase)
  })

  it('keeps the connected time through reconnecting and back', () => {
    let state = createCallMachine({ key: 'k', direction: 'outbound', now: 0 })
    for (const [i, fact] of [...answered, room('reconnecting'), room('connected')].entries()) {
      state = reduceCall(state, fact, (i + 1) * 10)
    }
    expect(state.call).toMatchObject({ phase: 'connected', connectedAt: 30 })
  })

  it('returns the same state for a fact that changes nothing', () => {
    const state = reduceCall(createCallMachine({ key: 'k', direction: 'outbound', now: 0 }), requested, 1)
    expect(reduceCall(state, room('connecting'), 2)).not.toBe(state)
    const settled = reduceCall(state, room('connecting'), 2)
    expect(reduceCall(settled, room('connecting'), 3)).toBe(settled)
  })
})
