// Warm (attended) transfer: the user on a phone call holds the caller, consults a colleague in the same room, then
// hands the call over (the colleague stays with the caller, the first user leaves) or cancels back to the caller.
//
// The consult happens in a room of its own (`consult-<call id>`): the first user stays in the call's room, where
// the held caller hears the hold music on their microphone track, and joins the consult room with a second
// connection; the colleague joins only the consult room. (One room with subscription permissions cannot do it: a
// browser may publish one microphone track, and it carries either the music for the caller or the voice for the
// colleague.) On completion the colleague gets a token for the call's room (`/consult/join`) and the first user
// leaves once the colleague is there. The server keeps the state on the record (`consult`), tells both users
// (`call.updated`), and on a cancel or completion closes the consult room. A phone number is consulted in the call's
// own room instead (consultPhone.ts: a SIP participant cannot change rooms on open-source LiveKit).
import type { CallRecord, CallWithConnection, StartConsultRequest } from '@ringline/core/protocol'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { isNotFound } from '../livekit'
import type { Principal } from '../types'
import { callAudience, publishCall } from './callEvents'
import { getCall, moveConsult, openConsult, recordTransfer } from './callRepository'
import { publicCall, type StoredCall } from './callRow'
import { visibleCall } from './calls'
import { cancelPhoneConsult, completePhoneConsult, isPhoneConsult, startPhoneConsult } from './consultPhone'

/** Whether `principal` is the user talking to the phone on this call (who may hold, consult and hand it over). */
function onTheCall(call: StoredCall, principal: Principal): boolean {
  return (
    call.answeredBy === principal.userId ||
    (call.direction === 'outbound' && call.createdBy === principal.userId && !call.answeredBy)
  )
}

/** The LiveKit room where the consult of call `callId` takes place. */
export function consultRoomName(callId: string): string {
  return `consult-${callId}`
}

/**
 * Starts a consult: the colleague `userId` is told (`call.updated` with `consult.state: 'ringing'`) and may join;
 * returns a token for the consult room to the user who asked. With `to`, the phone number is dialled instead (see
 * consultPhone.ts) and the token is for the first user's consult connection in the call's room.
 */
export async function startConsult(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
  body: StartConsultRequest,
): Promise<CallWithConnection> {
  const call = await visibleCall(ctx, principal, id)
  if (call.direction === 'internal' || call.status !== 'in-progress' || call.endedAt) {
    throw new HttpError('CALL_NOT_ACTIVE', 'Only a connected phone call can be transferred.')
  }
  if (!onTheCall(call, principal)) {
    throw new HttpError('FORBIDDEN', 'Only the user on the call can consult a colleague.')
  }
  if (body.to !== undefined) return startPhoneConsult(ctx, principal, call, body.to)
  if (body.userId === undefined || body.userId === principal.userId) {
    throw new HttpError('INVALID_REQUEST', 'userId: consult someone else.', { field: 'userId' })
  }
  const opened = await openConsult(ctx.store, call.id, {
    userId: body.userId,
    by: principal.userId,
    state: 'ringing',
    startedAt: new Date().toISOString(),
  })
  if (!opened) {
    throw new HttpError('CALL_NOT_ACTIVE', 'A consult is already open on this call (or it ended).', {
      details: { consult: call.consult ?? null },
    })
  }
  let connection: CallWithConnection['connection']
  try {
    connection = await ctx.connect(principal, consultRoomName(call.id))
  } catch (error) {
    await moveConsult(ctx.store, call.id, 'any', null)
    throw error
  }
  publishConsult(ctx, opened)
  return { call: publicCall(opened, ctx.config.basePath), connection }
}

/** The consulted colleague joins: the consult becomes `connected`; returns a token for the consult room. */
export async function answerConsult(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<CallWithConnection> {
  const call = await consultFor(ctx, principal, id)
  if (call.consult?.userId !== principal.userId) {
    throw new HttpError('FORBIDDEN', 'This consult is for someone else.')
  }
  const connected = await moveConsult(ctx.store, call.id, 'ringing', { ...call.consult, state: 'connected' })
  if (!connected) throw new HttpError('CALL_NOT_ACTIVE', 'This consult is no longer waiting for you.')
  const connection = await ctx.connect(principal, consultRoomName(call.id))
  publishConsult(ctx, connected)
  return { call: publicCall(connected, ctx.config.basePath), connection }
}

/** Hands the call to the consulted colleague: they answer it from now on; the record gets `transfer` (`warm`). */
export async function completeConsult(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<{ call: CallRecord }> {
  const call = await consultFor(ctx, principal, id)
  const consult = call.consult!
  if (consult.by !== principal.userId) {
    throw new HttpError('FORBIDDEN', 'Only the user who started the consult can hand the call over.')
  }
  if (isPhoneConsult(consult)) return completePhoneConsult(ctx, principal, call)
  if (!consult.userId) throw new HttpError('CALL_NOT_ACTIVE', 'No colleague is consulted on this call.')
  const at = new Date().toISOString()
  const moved = await moveConsult(ctx.store, call.id, 'connected', null, consult.userId)
  if (!moved) throw new HttpError('CALL_NOT_ACTIVE', 'The colleague has not joined yet: cancel, or wait.')
  const done =
    (await recordTransfer(ctx.store, call.id, {
      kind: 'warm',
      to: `user:${consult.userId}`,
      at,
      by: principal.userId,
    })) ?? moved
  publishConsult(ctx, done, [principal.userId, consult.userId])
  return { call: publicCall(done, ctx.config.basePath) }
}

/**
 * The colleague a call was handed to (warm transfer) joins the call's room: a token for it, while the call is
 * theirs and still going.
 */
export async function joinTransferredCall(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<CallWithConnection> {
  const call = await visibleCall(ctx, principal, id)
  if (call.endedAt || call.status !== 'in-progress') {
    throw new HttpError('CALL_NOT_ACTIVE', 'This call is over.')
  }
  if (
    call.answeredBy !== principal.userId ||
    call.transfer?.kind !== 'warm' ||
    call.transfer.to !== `user:${principal.userId}`
  ) {
    throw new HttpError('FORBIDDEN', 'This call was not handed to you.')
  }
  return {
    call: publicCall(call, ctx.config.basePath),
    connection: await ctx.connect(principal, call.roomName),
  }
}

/** Cancels the consult (either side): the colleague leaves the room, the caller is the first user's again. */
export async function cancelConsult(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<{ call: CallRecord }> {
  const call = await consultFor(ctx, principal, id)
  const consult = call.consult!
  if (consult.by !== principal.userId && consult.userId !== principal.userId) {
    throw new HttpError('FORBIDDEN', 'This consult is not yours.')
  }
  if (isPhoneConsult(consult)) return cancelPhoneConsult(ctx, call)
  const closed = await moveConsult(ctx.store, call.id, 'any', null)
  if (!closed)
    return {
      call: publicCall((await getCall(ctx.store, call.tenantId, call.id)) ?? call, ctx.config.basePath),
    }
  await closeConsultRoom(ctx, call)
  publishConsult(ctx, closed, [consult.by, ...(consult.userId ? [consult.userId] : [])])
  return { call: publicCall(closed, ctx.config.basePath) }
}

/** Ends the consult room (whoever is still in it leaves); a room already gone is fine, other failures are logged. */
async function closeConsultRoom(ctx: RinglineContext, call: StoredCall): Promise<void> {
  try {
    await ctx.livekit().room.deleteRoom(consultRoomName(call.id))
  } catch (error) {
    if (!isNotFound(error))
      ctx.logger.warn('ringline: the consult room could not be closed', { callId: call.id, error })
  }
}

/** A call with an open consult the principal may see (the consulted colleague included). */
async function consultFor(ctx: RinglineContext, principal: Principal, id: string): Promise<StoredCall> {
  const call = await visibleCall(ctx, principal, id)
  if (!call.consult || call.endedAt)
    throw new HttpError('CALL_NOT_ACTIVE', 'No consult is open on this call.')
  return call
}

/** `call.updated` to the call's audience, which includes both sides of the consult (`callAudience`). */
function publishConsult(ctx: RinglineContext, call: StoredCall, users: string[] = []): void {
  const audience = callAudience(call)
  const missing = audience ? users.filter((u) => !audience.includes(u)) : []
  publishCall(ctx, 'call.updated', call)
  // A cancelled consult is no longer on the record: its colleague still needs to hear it ended.
  if (missing.length > 0) {
    ctx.hub.publish(
      call.tenantId,
      { type: 'call.updated', call: publicCall(call, ctx.config.basePath) },
      missing,
    )
  }
}
