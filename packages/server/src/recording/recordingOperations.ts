import type { RecordingPlayback, RecordingResponse } from '@ringline/core/protocol'
import { requireCallRoom } from '../calls/callMedia'
import { visibleCall } from '../calls/calls'
import type { RinglineContext } from '../context'
import type { Principal } from '../types'
import { toRecordingInfo } from './recordingService'

/** Starts recording a connected call (`POST /calls/:id/recording`); idempotent while one runs. */
export async function startRecording(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<RecordingResponse> {
  const call = await visibleCall(ctx, principal, id)
  requireCallRoom(call, 'recording')
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
