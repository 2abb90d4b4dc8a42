import type { ReportMuteRequest, ReportMuteResponse } from '@ringline/core/protocol'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { userIdentity } from '../tokens'
import type { Principal } from '../types'
import { getCall } from './callRepository'
import { listParticipants, recordMuteFact } from './participantRepository'

/** Mute reports a user may send per call per minute (a person toggling; more is a loop, dropped until the next). */
const MUTE_REPORTS_PER_MINUTE = 60

/**
 * `POST /calls/:id/mute`: the caller's client reports its microphone's mute state, which LiveKit raises no webhook
 * for until the track goes away. Only a participant present in the call may report, for itself; idempotent. The
 * fact is ordered with LiveKit's track events (see `muteKey`): the state at leaving that LiveKit reports wins.
 */
export async function reportMute(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
  body: ReportMuteRequest,
): Promise<ReportMuteResponse> {
  const call = id.length <= 128 ? await getCall(ctx.store, principal.tenantId, id) : null
  if (!call) throw new HttpError('CALL_NOT_FOUND', 'No such call.')
  const identity = userIdentity(principal.tenantId, principal.userId)
  ctx.rateLimiter.take(`mute:${identity}:${call.id}`, MUTE_REPORTS_PER_MINUTE, 60_000, 'mute reports')
  if (call.endedAt) throw new HttpError('CALL_NOT_ACTIVE', 'The call has ended.')
  const present = await listParticipants(ctx.store, call.id, { presentOnly: true })
  const me = present.find((p) => p.identity === identity && p.joinedAt !== null)
  if (!me) {
    throw new HttpError('FORBIDDEN', 'Only a participant in the call can report its mute state.', {
      details: { reason: 'NOT_IN_CALL' },
    })
  }
  const muted = await recordMuteFact(
    ctx.store,
    { callId: call.id, identity, kind: me.kind },
    { muted: body.muted, at: new Date().toISOString(), source: 'report' },
  )
  return { muted }
}
