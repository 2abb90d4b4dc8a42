import type { CallDirection, CallStatus } from '@ringline/core/protocol'
import { ServerError, SipCallError } from 'livekit-server-sdk'
import { describe, expect, it } from 'vitest'
import {
  type CallFacts,
  type CloseCall,
  closeAsStale,
  closeOnDecline,
  closeOnHangup,
  closeOnPhoneLegLost,
  closeOnRoomFinished,
  closeOnRoomLeft,
  closeOnTwilioDial,
  closeOnTwilioStatus,
  dialFailure,
  isTwilioAnswered,
  isTwilioFinal,
} from './lifecycle'

const call = (direction: CallDirection, status: CallStatus, answeredAt: string | null = null): CallFacts => ({
  direction,
  status,
  answeredAt,
})
const sip = (code: number) =>
  new SipCallError('x', `SIP call failed: ${code}`, 429, 'resource_exhausted', {
    sip_status_code: String(code),
  })

describe('dialFailure: SIP errors of createSipParticipant', () => {
  it.each<[string, unknown, CloseCall]>([
    ['SIP 486', sip(486), { status: 'busy', endReason: 'busy', sipStatusCode: 486 }],
    ['SIP 600', sip(600), { status: 'busy', endReason: 'busy', sipStatusCode: 600 }],
    ['SIP 480', sip(480), { status: 'no-answer', endReason: 'no-answer', sipStatusCode: 480 }],
    ['SIP 408', sip(408), { status: 'no-answer', endReason: 'no-answer', sipStatusCode: 408 }],
    ['SIP 603', sip(603), { status: 'declined', endReason: 'declined', sipStatusCode: 603 }],
    ['SIP 404', sip(404), { status: 'failed', endReason: 'failed', sipStatusCode: 404 }],
    ['SIP 503', sip(503), { status: 'failed', endReason: 'failed', sipStatusCode: 503 }],
    [
      'a Twirp error with sip_status_code metadata',
      Object.assign(new Error('x'), { metadata: { sip_status_code: '486' } }),
      { status: 'busy', endReason: 'busy', sipStatusCode: 486 },
    ],
    [
      'the ringing timeout (canceled, no SIP code)',
      new ServerError('x', 'sip request timed out', 408, 'canceled'),
      { status: 'no-answer', endReason: 'no-answer' },
    ],
    [
      'deadline_exceeded',
      Object.assign(new Error('x'), { code: 'deadline_exceeded' }),
      { status: 'no-answer', endReason: 'no-answer' },
    ],
    [
      'a client-side TimeoutError',
      Object.assign(new Error('x'), { name: 'TimeoutError' }),
      { status: 'no-answer', endReason: 'no-answer' },
    ],
    ['fetch failed', new TypeError('fetch failed'), { status: 'failed', endReason: 'failed' }],
    ['null', null, { status: 'failed', endReason: 'failed' }],
  ])('%s → %o', (_name, error, expected) => {
    expect(dialFailure(error)).toEqual(expected)
  })
})

describe('LiveKit room events', () => {
  it.each<[CallFacts, CloseCall, CloseCall]>([
    // call, last participant left, room finished
    [call('inbound', 'in-progress'), completed(), completed()],
    [
      call('inbound', 'ringing'),
      { status: 'missed', endReason: 'missed' },
      { status: 'missed', endReason: 'missed' },
    ],
    [call('outbound', 'in-progress'), completed(), completed()],
    [
      call('outbound', 'ringing'),
      { status: 'canceled', endReason: 'canceled' },
      { status: 'canceled', endReason: 'canceled' },
    ],
    [call('internal', 'in-progress'), completed(), completed()],
    [call('internal', 'initiated'), { status: 'canceled', endReason: 'canceled' }, completed()],
    // a transferred phone call: its phone leg's leave (LiveKit's BYE after the REFER) ends it as transferred
    [
      { ...call('outbound', 'in-progress'), transfer: { kind: 'blind' } },
      { status: 'completed', endReason: 'transferred' },
      { status: 'completed', endReason: 'transferred' },
    ],
    // after a warm transfer the same call goes on with the colleague and ends as any other
    [{ ...call('inbound', 'in-progress'), transfer: { kind: 'warm' } }, completed(), completed()],
  ])('%o: left → %o, finished → %o', (facts, left, finished) => {
    expect(closeOnRoomLeft(facts)).toEqual(left)
    expect(closeOnRoomFinished(facts)).toEqual(finished)
  })
})

describe('user actions and the reconciler', () => {
  it.each<[CallFacts, CloseCall, CloseCall]>([
    // call, hang up, stale
    [call('inbound', 'in-progress'), completed(), { status: 'completed', endReason: 'stale' }],
    [
      call('inbound', 'ringing'),
      { status: 'declined', endReason: 'rejected' },
      { status: 'missed', endReason: 'stale' },
    ],
    [call('outbound', 'in-progress'), completed(), { status: 'completed', endReason: 'stale' }],
    [
      call('outbound', 'ringing'),
      { status: 'canceled', endReason: 'canceled' },
      { status: 'failed', endReason: 'stale' },
    ],
    [
      call('outbound', 'initiated'),
      { status: 'canceled', endReason: 'canceled' },
      { status: 'failed', endReason: 'stale' },
    ],
    [
      call('internal', 'initiated'),
      { status: 'canceled', endReason: 'canceled' },
      { status: 'completed', endReason: 'stale' },
    ],
  ])('%o: hang up → %o, stale → %o', (facts, hangup, stale) => {
    expect(closeOnHangup(facts)).toEqual(hangup)
    expect(closeAsStale(facts)).toEqual(stale)
  })

  it.each<[boolean | undefined, CloseCall]>([
    [true, { status: 'declined', endReason: 'rejected' }],
    [false, { status: 'declined', endReason: 'declined' }],
    [undefined, { status: 'declined', endReason: 'declined' }],
  ])('decline with reject=%s → %o', (reject, expected) => {
    expect(closeOnDecline(reject)).toEqual(expected)
  })
})

describe('Twilio statuses', () => {
  const ringingIn = call('inbound', 'ringing')
  const ringingOut = call('outbound', 'ringing')
  it.each<[string, CallFacts, string, CloseCall | null]>([
    ['answered inbound', call('inbound', 'in-progress'), 'completed', completed()],
    [
      'answered (answeredAt set) outbound',
      call('outbound', 'ringing', '2026-01-01T00:00:00.000Z'),
      'busy',
      completed(),
    ],
    ['unanswered inbound', ringingIn, 'busy', { status: 'declined', endReason: 'declined' }],
    ['unanswered inbound', ringingIn, 'failed', { status: 'failed', endReason: 'failed' }],
    ['unanswered inbound', ringingIn, 'no-answer', { status: 'missed', endReason: 'missed' }],
    ['unanswered inbound', ringingIn, 'completed', { status: 'missed', endReason: 'missed' }],
    ['unanswered inbound', ringingIn, 'canceled', { status: 'missed', endReason: 'missed' }],
    ['unanswered outbound', ringingOut, 'busy', { status: 'busy', endReason: 'busy' }],
    ['unanswered outbound', ringingOut, 'no-answer', { status: 'no-answer', endReason: 'no-answer' }],
    ['unanswered outbound', ringingOut, 'failed', { status: 'failed', endReason: 'failed' }],
    ['unanswered outbound', ringingOut, 'canceled', { status: 'canceled', endReason: 'canceled' }],
    ['unanswered outbound', ringingOut, 'completed', { status: 'canceled', endReason: 'canceled' }],
    ['unanswered outbound', ringingOut, 'ringing', null],
  ])('%s, CallStatus %s', (_name, facts, status, expected) => {
    expect(closeOnTwilioStatus(facts, status)).toEqual(expected)
  })

  it.each<[string, CloseCall | null]>([
    ['answered', { status: 'canceled', endReason: 'canceled' }],
    ['busy', { status: 'busy', endReason: 'busy' }],
    ['no-answer', { status: 'no-answer', endReason: 'no-answer' }],
    ['', null],
  ])('DialCallStatus %j of an unanswered outbound call → %o', (status, expected) => {
    expect(closeOnTwilioDial(ringingOut, status)).toEqual(expected)
  })

  it.each<[string, boolean, boolean]>([
    ['queued', false, false],
    ['ringing', false, false],
    ['in-progress', false, true],
    ['answered', false, true],
    ['completed', true, false],
    ['busy', true, false],
    ['no-answer', true, false],
    ['failed', true, false],
    ['canceled', true, false],
  ])('%s: final %s, answered %s', (status, final, answered) => {
    expect(isTwilioFinal(status)).toBe(final)
    expect(isTwilioAnswered(status)).toBe(answered)
  })
})

function completed(): CloseCall {
  return { status: 'completed', endReason: 'completed' }
}

describe('closeOnPhoneLegLost: the phone leg dropped without a hang-up (livekit-sip crashed)', () => {
  it('a connected call completes with endReason failed; an unconnected one closes as on leaving', () => {
    expect(closeOnPhoneLegLost(call('outbound', 'in-progress'))).toEqual({
      status: 'completed',
      endReason: 'failed',
    })
    expect(closeOnPhoneLegLost(call('inbound', 'in-progress'))).toEqual({
      status: 'completed',
      endReason: 'failed',
    })
    expect(closeOnPhoneLegLost(call('inbound', 'ringing'))).toEqual(
      closeOnRoomLeft(call('inbound', 'ringing')),
    )
  })
})
