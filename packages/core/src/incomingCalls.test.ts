import { describe, expect, it } from 'vitest'
import {
  answerFailureReason,
  type IncomingCallsState,
  initialIncomingCalls,
  reduceIncomingCalls,
} from './incomingCalls'
import type { CallRecord, CallStatus, RinglineEventOf } from './protocol'
import { makeRecord } from './testing/fakeServer'
import type { IncomingCall } from './types'

const NOW = 1_000

function inbound(overrides: Partial<CallRecord> = {}): CallRecord {
  return makeRecord({ id: 'in_1', direction: 'inbound', status: 'ringing', ...overrides })
}

function event(
  type: 'call.incoming' | 'call.updated' | 'call.ended',
  record: CallRecord,
): RinglineEventOf<'call.incoming' | 'call.updated' | 'call.ended'> {
  return { id: 'ev', at: '2026-01-01T00:00:00.000Z', type, call: record } as RinglineEventOf<'call.incoming'>
}

function ringing(record = inbound()): IncomingCall {
  return {
    id: record.id,
    from: record.fromNumber,
    to: record.toNumber,
    record,
    receivedAt: 0,
    phase: 'ringing',
  }
}

const listed = (call: IncomingCall = ringing()): IncomingCallsState => ({
  ...initialIncomingCalls,
  incoming: [call],
})

type Row = [
  string,
  IncomingCallsState,
  'call.incoming' | 'call.updated' | 'call.ended',
  Partial<CallRecord>,
  string,
]

// What the list shows after one server event: 'none', 'ringing', or 'ended:<reason>'.
const table: Row[] = [
  ['a new inbound call rings', initialIncomingCalls, 'call.incoming', {}, 'ringing'],
  ['a call already over is not listed', initialIncomingCalls, 'call.incoming', { status: 'missed' }, 'none'],
  [
    'an outbound record is not an incoming call',
    initialIncomingCalls,
    'call.incoming',
    { direction: 'outbound' },
    'none',
  ],
  [
    'a call handled here or in another tab stays away',
    { ...initialIncomingCalls, handled: new Set(['in_1']) },
    'call.incoming',
    {},
    'none',
  ],
  [
    'a call being answered is not listed again',
    { ...initialIncomingCalls, answering: new Set(['in_1']) },
    'call.incoming',
    {},
    'none',
  ],
  ['a duplicate call.incoming keeps the first', listed(), 'call.incoming', {}, 'ringing'],
  ['a non-final update keeps it ringing', listed(), 'call.updated', { status: 'ringing' }, 'ringing'],
  [
    'in-progress means someone else answered',
    listed(),
    'call.updated',
    { status: 'in-progress' },
    'ended:answered-elsewhere',
  ],
  [
    'answeredBy means someone else answered',
    listed(),
    'call.updated',
    { answeredBy: 'u2' },
    'ended:answered-elsewhere',
  ],
  [
    'completed is answered elsewhere',
    listed(),
    'call.ended',
    { status: 'completed' },
    'ended:answered-elsewhere',
  ],
  ['declined stays declined', listed(), 'call.updated', { status: 'declined' }, 'ended:declined'],
  ['the caller hanging up is missed', listed(), 'call.ended', { status: 'missed' }, 'ended:missed'],
  [
    'call.ended with a non-final status is missed',
    listed(),
    'call.ended',
    { status: 'ringing' },
    'ended:missed',
  ],
  [
    'an update for an unlisted call is ignored',
    initialIncomingCalls,
    'call.updated',
    { status: 'in-progress' },
    'none',
  ],
  [
    'events for a call being answered belong to the active call',
    { ...listed(), answering: new Set(['in_1']) },
    'call.ended',
    { status: 'missed' },
    'ringing',
  ],
]

function shown(state: IncomingCallsState): string {
  const call = state.incoming.find((c) => c.id === 'in_1')
  if (!call) return 'none'
  return call.phase === 'ringing' ? 'ringing' : `ended:${call.endReason}`
}

describe('reduceIncomingCalls', () => {
  it.each(table)('%s', (_name, state, type, overrides, expected) => {
    const next = reduceIncomingCalls(state, { type: 'server', event: event(type, inbound(overrides)) }, NOW)
    expect(shown(next)).toBe(expected)
  })

  it('stamps an ended call with the time and keeps when it was received', () => {
    const next = reduceIncomingCalls(
      listed(),
      { type: 'server', event: event('call.ended', inbound({ status: 'missed' as CallStatus })) },
      NOW,
    )
    expect(next.incoming[0]).toMatchObject({ phase: 'ended', endedAt: NOW, receivedAt: 0 })
  })

  it('returns the same state object when nothing changed', () => {
    const state = listed()
    expect(
      reduceIncomingCalls(state, { type: 'server', event: event('call.incoming', inbound()) }, NOW),
    ).toBe(state)
    expect(reduceIncomingCalls(state, { type: 'remove', callId: 'other' }, NOW)).toBe(state)
    expect(reduceIncomingCalls(state, { type: 'answer-settled', callId: 'in_1' }, NOW)).toBe(state)
  })

  it('handled: drops the call and remembers it', () => {
    const next = reduceIncomingCalls(listed(), { type: 'handled', callId: 'in_1' }, NOW)
    expect(next.incoming).toEqual([])
    expect(next.handled.has('in_1')).toBe(true)
    const again = reduceIncomingCalls(next, { type: 'server', event: event('call.incoming', inbound()) }, NOW)
    expect(again.incoming).toEqual([])
  })

  it('answering then answer-settled toggles the claim', () => {
    const claiming = reduceIncomingCalls(initialIncomingCalls, { type: 'answering', callId: 'in_1' }, NOW)
    expect(claiming.answering.has('in_1')).toBe(true)
    expect(
      reduceIncomingCalls(claiming, { type: 'answer-settled', callId: 'in_1' }, NOW).answering.size,
    ).toBe(0)
  })

  it('sync adopts the leader list minus calls handled here or there', () => {
    const other = ringing(inbound({ id: 'in_2' }))
    const third = ringing(inbound({ id: 'in_3' }))
    const state = { ...listed(), handled: new Set(['in_3']) }
    const next = reduceIncomingCalls(
      state,
      {
        type: 'sync',
        incoming: [ringing(), other, third, ringing(inbound({ id: 'in_4' }))],
        handled: ['in_4'],
      },
      NOW,
    )
    expect(next.incoming.map((c) => c.id)).toEqual(['in_1', 'in_2'])
    expect([...next.handled].sort()).toEqual(['in_3', 'in_4'])
  })
})

describe('answerFailureReason', () => {
  it.each([
    ['CALL_ALREADY_ANSWERED', 'answered-elsewhere'],
    ['CALL_NOT_FOUND', 'missed'],
    ['CALL_NOT_ACTIVE', 'missed'],
    ['NETWORK_ERROR', null],
    [undefined, null],
  ] as const)('%s → %s', (code, reason) => {
    expect(answerFailureReason(code)).toBe(reason)
  })
})
