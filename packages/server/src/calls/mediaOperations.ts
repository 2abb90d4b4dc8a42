import type {
  CallDetail,
  CallParticipant,
  CallTranscriptResponse,
  DispatchAgentRequest,
  DispatchAgentResponse,
  RecordingPlayback,
  RecordingResponse,
} from '@ringline/core/protocol'
import type { AgentDispatchRecord } from '../agents/types'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { toAgentDispatchInfo } from '../mediaServices'
import { toRecordingInfo } from '../recording/recordingService'
import type { RecordingState } from '../recording/types'
import type { Principal } from '../types'
import type { StoredCall } from './callRepository'
import { visibleCall } from './calls'

/** Calls carried by Twilio Voice have no LiveKit room to record, transcribe or send an agent to. */
export function isTwilioVoiceCall(call: Pick<StoredCall, 'roomName' | 'internals'>): boolean {
  return call.internals.transport === 'twilio' || call.roomName.startsWith('twilio-')
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
export function afterEnded(ctx: RinglineContext, call: StoredCall): void {
  if (isTwilioVoiceCall(call)) return
  ctx.background('transcripts on end', () => ctx.media.transcripts.onCallEnded(call.id))
  if (call.direction === 'inbound') {
    ctx.background('agents on end', () => ctx.media.scheduler.onCallEvent(call.id, 'ended'))
  }
}

function requireRoom(call: StoredCall, what: string): void {
  if (call.direction === 'internal' && what === 'agent') return
  if (isTwilioVoiceCall(call)) {
    throw new HttpError('NOT_CONFIGURED', `Calls carried by Twilio Voice cannot have ${what}s here.`)
  }
}

/** Starts recording a connected call (`POST /calls/:id/recording`); idempotent while one runs. */
export async function startRecording(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<RecordingResponse> {
  const call = await visibleCall(ctx, principal, id)
  requireRoom(call, 'recording')
  const service = ctx.media.requireRecording()
  const { recording } = await service.start({
    callId: call.id,
    tenantId: principal.tenantId,
    requestedBy: `user:${principal.userId}`,
  })
  return { recording: toRecordingInfo(recording) }
}

/** Stops the running recording (`DELETE /calls/:id/recording`); the file is final at `egress_ended`. */
export async function stopRecording(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<RecordingResponse> {
  const call = await visibleCall(ctx, principal, id)
  const recording = await ctx.media.requireRecording().stop({ callId: call.id, tenantId: principal.tenantId })
  return { recording: toRecordingInfo(recording) }
}

/** A signed, expiring link to a call's finished recording (`GET /calls/:id/recording`). */
export async function recordingPlayback(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<RecordingPlayback> {
  const call = await visibleCall(ctx, principal, id)
  return ctx.media.requireRecording().playbackUrl({ callId: call.id, tenantId: principal.tenantId })
}

/** Dispatches a LiveKit agent to a call's room, once per call and agent name (`POST /calls/:id/agent`). */
export async function inviteAgent(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
  body: DispatchAgentRequest,
): Promise<DispatchAgentResponse> {
  const call = await visibleCall(ctx, principal, id)
  requireRoom(call, 'agent')
  if (call.endedAt) throw new HttpError('CALL_NOT_ACTIVE', 'The call has ended.')
  const { dispatch, created } = await ctx.media.dispatchAgent({
    callId: call.id,
    roomName: call.roomName,
    agentName: body.agentName,
    ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
    trigger: 'api',
  })
  // Another request is asking LiveKit right now: answer with its outcome rather than a half-done row.
  let settled = dispatch
  for (let waited = 0; settled.state === 'pending' && !created && waited < 5000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    settled = (await ctx.media.listAgentDispatches(call.id)).find((d) => d.id === dispatch.id) ?? settled
  }
  return { dispatch: toAgentDispatchInfo(settled), created }
}

/** A call's stored transcript (`GET /calls/:id/transcript`). */
export async function getTranscript(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<CallTranscriptResponse> {
  const call = await visibleCall(ctx, principal, id)
  return { segments: await ctx.media.transcripts.list(call.id) }
}

type TimelineEntry = NonNullable<CallDetail['timeline']>[number]

/** The events of a call in time order, from what the server recorded. */
export function callTimeline(
  call: StoredCall,
  participants: CallParticipant[],
  recording: RecordingState | null,
  agents: AgentDispatchRecord[],
): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ at: call.startedAt, type: 'started', detail: call.direction }]
  if (call.answeredAt) entries.push({ at: call.answeredAt, type: 'answered', detail: call.answeredBy })
  for (const p of participants) {
    if (p.joinedAt) entries.push({ at: p.joinedAt, type: 'participant.joined', detail: p.name ?? p.identity })
    if (p.leftAt) entries.push({ at: p.leftAt, type: 'participant.left', detail: p.name ?? p.identity })
  }
  for (const a of agents) {
    entries.push({ at: a.createdAt, type: `agent.${a.state}`, detail: a.agentName })
  }
  if (recording) {
    entries.push({
      at: recording.startedAt ?? recording.requestedAt,
      type: 'recording.started',
      detail: null,
    })
    if (recording.endedAt) {
      entries.push({
        at: recording.endedAt,
        type: recording.status === 'failed' ? 'recording.failed' : 'recording.ended',
        detail: recording.status === 'failed' ? recording.error : null,
      })
    }
  }
  if (call.endedAt) entries.push({ at: call.endedAt, type: 'ended', detail: call.endReason })
  return entries.sort((a, b) => a.at.localeCompare(b.at))
}
