import type { CallTranscriptResponse } from '@ringline/core/protocol'
import { visibleCall } from '../calls/calls'
import type { RinglineContext } from '../context'
import type { Principal } from '../types'

/** A call's stored transcript (`GET /calls/:id/transcript`). */
export async function getTranscript(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<CallTranscriptResponse> {
  const call = await visibleCall(ctx, principal, id)
  return { segments: await ctx.media.transcripts.list(call.id) }
}
