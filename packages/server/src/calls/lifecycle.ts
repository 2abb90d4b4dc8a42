// How calls end: the one table from SIP errors, LiveKit room events, Twilio statuses and user actions to the
// status and end reason a call closes with. Pure: no store, no clock, no I/O.
import type { CallDirection, CallEndReason, CallStatus } from '@ringline/core/protocol'
import { SipCallError } from 'livekit-server-sdk'

/** How a call closes: its final status, the reason, and the SIP status code when there was one. */
export interface CloseCall {
  status: CallStatus
  endReason: CallEndReason
  sipStatusCode?: number | null
}

/** What the lifecycle rules read of a call. */
export interface CallFacts {
  direction: CallDirection
  status: CallStatus
  answeredAt?: string | null
  /** Set once the phone side was transferred: after a blind transfer its leaving ends the call as `transferred`. */
  transfer?: { kind: string } | null
}

const close = (status: CallStatus, endReason: CallEndReason = status as CallEndReason): CloseCall => ({
  status,
  endReason,
})

/** The closes that need no decision. */
export const CLOSE = {
  completed: close('completed'),
  canceled: close('canceled'),
  missed: close('missed'),
  failed: close('failed'),
  busy: close('busy'),
  noAnswer: close('no-answer'),
  declined: close('declined'),
  rejected: close('declined', 'rejected'),
  transferred: close('completed', 'transferred'),
} as const satisfies Record<string, CloseCall>

/** Maps a failed `createSipParticipant` (waitUntilAnswered) to how the call closes. */
export function dialFailure(error: unknown): CloseCall {
  const e = error as { code?: string; name?: string; metadata?: Record<string, string> } | null
  const sip =
    error instanceof SipCallError
      ? error.sipStatusCode
      : e?.metadata?.sip_status_code
        ? Number(e.metadata.sip_status_code)
        : undefined
  if (sip === 486 || sip === 600) return { ...CLOSE.busy, sipStatusCode: sip }
  if (sip === 480 || sip === 408) return { ...CLOSE.noAnswer, sipStatusCode: sip }
  if (sip === 603) return { ...CLOSE.declined, sipStatusCode: sip }
  if (sip) return { ...CLOSE.failed, sipStatusCode: sip }
  // No SIP code: the ringing timeout ("sip request timed out") or the client-side HTTP timeout.
  if (e?.code === 'canceled' || e?.code === 'deadline_exceeded' || e?.name === 'TimeoutError') {
    return { ...CLOSE.noAnswer }
  }
  return { ...CLOSE.failed }
}

/** A call whose last human (or phone) left its LiveKit room: talked → completed, else missed / canceled. */
export function closeOnRoomLeft(call: CallFacts): CloseCall {
  if (call.status === 'in-progress' && call.transfer?.kind === 'blind') return { ...CLOSE.transferred }
  if (call.status === 'in-progress') return { ...CLOSE.completed }
  if (call.direction === 'inbound') return { ...CLOSE.missed }
  return { ...CLOSE.canceled }
}

/**
 * A connected call whose phone leg dropped without a hang-up (livekit-sip crashed or lost the room: LiveKit reports
 * a connection timeout, a closed signal connection…): it was talking, so `completed`, with `endReason: 'failed'`.
 */
export function closeOnPhoneLegLost(call: CallFacts): CloseCall {
  return call.status === 'in-progress' ? { status: 'completed', endReason: 'failed' } : closeOnRoomLeft(call)
}

/** A call whose LiveKit room finished (`room_finished`): internal rooms complete, phone calls as on leaving. */
export function closeOnRoomFinished(call: CallFacts): CloseCall {
  return call.direction === 'internal' ? { ...CLOSE.completed } : closeOnRoomLeft(call)
}

/** A user hanging up: a connected call completes, a ringing inbound one is rejected, anything else canceled. */
export function closeOnHangup(call: CallFacts): CloseCall {
  if (call.status === 'in-progress' && call.transfer?.kind === 'blind') return { ...CLOSE.transferred }
  if (call.status === 'in-progress') return { ...CLOSE.completed }
  if (call.direction === 'inbound') return { ...CLOSE.rejected }
  return { ...CLOSE.canceled }
}

/** An inbound call declined by everyone it rang (`declined`), or rejected outright by one user (`rejected`). */
export function closeOnDecline(reject: boolean | undefined): CloseCall {
  return reject ? { ...CLOSE.rejected } : { ...CLOSE.declined }
}

/** A call left open with no LiveKit room behind it (the reconciler): closed as `stale`. */
export function closeAsStale(call: CallFacts): CloseCall {
  const status: CallStatus =
    call.status === 'in-progress' || call.direction === 'internal'
      ? 'completed'
      : call.direction === 'inbound'
        ? 'missed'
        : 'failed'
  return { status, endReason: 'stale' }
}

/** Twilio's final call statuses (`CallStatus` / `DialCallStatus` of a status callback). */
export const TWILIO_FINAL_STATUSES: readonly string[] = [
  'completed',
  'busy',
  'no-answer',
  'failed',
  'canceled',
]

/** Whether a Twilio status ends the leg. */
export function isTwilioFinal(status: string): boolean {
  return TWILIO_FINAL_STATUSES.includes(status)
}

/** Whether a Twilio status means the leg was answered. */
export function isTwilioAnswered(status: string): boolean {
  return status === 'in-progress' || status === 'answered'
}

/** How a Twilio final status closes a call, given whether it was answered; null for a status that is not final. */
export function closeOnTwilioStatus(call: CallFacts, status: string): CloseCall | null {
  const answered = (call.answeredAt ?? null) !== null || call.status === 'in-progress'
  if (answered) return { ...CLOSE.completed }
  if (call.direction === 'inbound') {
    if (status === 'busy') return { ...CLOSE.declined }
    if (status === 'failed') return { ...CLOSE.failed }
    return { ...CLOSE.missed }
  }
  switch (status) {
    case 'busy':
      return { ...CLOSE.busy }
    case 'no-answer':
      return { ...CLOSE.noAnswer }
    case 'failed':
      return { ...CLOSE.failed }
    case 'canceled':
    case 'completed':
      return { ...CLOSE.canceled }
    default:
      return null
  }
}

/** How the `<Dial>` action of a Twilio Voice call closes it (`DialCallStatus` `answered` means it completed). */
export function closeOnTwilioDial(call: CallFacts, dialStatus: string): CloseCall | null {
  return closeOnTwilioStatus(call, dialStatus === 'answered' ? 'completed' : dialStatus)
}
