// What media features (recording, transcripts, agents) do when a call is answered or ends.
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import type { StoredCall } from './callRow'

/** Calls carried by Twilio Voice have no LiveKit room to record, transcribe or send an agent to. */
export function isTwilioVoiceCall(
  call: Pick<StoredCall, 'roomName'> & { internals?: StoredCall['internals'] },
): boolean {
  return call.internals?.transport === 'twilio' || call.roomName.startsWith('twilio-')
}

/**
 * What follows an answer (a human claim, an outbound answer, an agent picking up): recording by policy,
 * the transcript collector, and the agent scheduler's timers. Runs in the background; never throws.
 */
export function afterAnswered(ctx: RinglineContext, call: StoredCall): void {
  if (isTwilioVoiceCall(call)) return
  const { media } = ctx
  ctx.background('recording on answer', async () => {
    await media.recording()?.onCallAnswered({ callId: call.id })
  })
  ctx.background('transcripts on answer', () =>
    media.transcripts.onCallConnected({ callId: call.id, roomName: call.roomName }),
  )
  if (call.direction === 'inbound') {
    ctx.background('agents on answer', () => media.scheduler.onCallEvent(call.id, 'answered'))
  }
}

/** What follows the end of a call: timers cleared, the transcript collector leaves. */
export function afterEnded(
  ctx: RinglineContext,
  call: Pick<StoredCall, 'id' | 'direction' | 'roomName'>,
): void {
  if (isTwilioVoiceCall(call)) return
  ctx.background('transcripts on end', () => ctx.media.transcripts.onCallEnded(call.id))
  if (call.direction === 'inbound') {
    ctx.background('agents on end', () => ctx.media.scheduler.onCallEvent(call.id, 'ended'))
  }
}

/** Refuses `what` (recording, agent) on calls without a LiveKit room: those carried by Twilio Voice. */
export function requireCallRoom(call: StoredCall, what: string): void {
  if (call.direction === 'internal' && what === 'agent') return
  if (isTwilioVoiceCall(call)) {
    throw new HttpError('NOT_CONFIGURED', `Calls carried by Twilio Voice cannot have ${what}s here.`)
  }
}

/** Runs `afterEnded` for every `call.ended` this instance publishes (the events hub's publish hook). */
export function followCallEnds(ctx: RinglineContext): () => void {
  return ctx.hub.onPublish((_tenantId, event) => {
    if (event.type === 'call.ended') afterEnded(ctx, event.call)
  })
}
