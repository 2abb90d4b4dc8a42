import type {
  CallDetail,
  CallRecord,
  CallWithConnection,
  CreateCallRequest,
  ListCallsQuery,
  ListCallsResponse,
  TransferCallRequest,
} from '@ringline/core/protocol'
import { SipCallError } from 'livekit-server-sdk'
import { fromBase64url, toBase64url } from '../base64url'
import { requireOutboundTrunk } from '../config'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { toAgentDispatchInfo } from '../mediaServices'
import { listNumberConnections } from '../numbers/numberRepository'
import { countryOf, parsePhone } from '../phone'
import { toRecordingInfo } from '../recording/recordingService'
import { outboundRoomName, userIdentity } from '../tokens'
import type { Principal } from '../types'
import { publishCall } from './callEvents'
import { afterAnswered } from './callMedia'
import {
  afterClose,
  audit,
  callStats,
  closeCall,
  getCall,
  listCalls as listCallRows,
  markAnswered,
  recordTransfer,
} from './callRepository'
import { publicCall, type StoredCall } from './callRow'
import { callTimeline } from './callTimeline'
import { closeOnHangup, dialFailure } from './lifecycle'
import { auditRefusal, checkDestination, insertOutboundCall, limitCallStarts } from './outboundGuard'
import { listParticipants } from './participantRepository'
import { checkSharedRoom, endCallRoom } from './sharedRoom'
import { waitForCaller } from './waitForCaller'

/** Picks the caller id and trunk (also for a consulted phone): the request's number only when the tenant owns it, else the configured one. */
export async function resolveCaller(
  ctx: RinglineContext,
  principal: Principal,
  requested: string | undefined,
): Promise<{ fromNumber?: string; trunkId: string }> {
  const numbers = await listNumberConnections(ctx.store, principal.tenantId)
  const configured = ctx.config.sip.callerId
  if (requested) {
    const owned = numbers.find((n) => n.e164 === requested)
    if (!owned && requested !== configured) {
      throw new HttpError('FORBIDDEN', 'callerId is not a number of this workspace.', { field: 'callerId' })
    }
    const trunkId = owned?.livekitOutboundTrunkId ?? requireOutboundTrunk(ctx.config)
    return { fromNumber: requested, trunkId }
  }
  const own = numbers.find((n) => n.livekitOutboundTrunkId)
  if (!configured && own?.livekitOutboundTrunkId)
    return { fromNumber: own.e164, trunkId: own.livekitOutboundTrunkId }
  return { ...(configured ? { fromNumber: configured } : {}), trunkId: requireOutboundTrunk(ctx.config) }
}

/**
 * Starts an outbound phone call: validates and guards the number (nothing is dialled when refused), records
 * the call, returns a token for its room at once and dials in the background, publishing the outcome.
 */
export async function createCall(
  ctx: RinglineContext,
  principal: Principal,
  body: CreateCallRequest,
): Promise<CallWithConnection> {
  const guard = ctx.config.calls
  const configuredCountry = countryOf(ctx.config.sip.callerId)
  const phone = parsePhone(body.to, {
    ...(configuredCountry ? { defaultCountry: configuredCountry } : {}),
    allowUnassigned: guard.allowUnassignedNumbers === true || guard.disabled === true,
  })
  ctx.livekit()
  const { fromNumber, trunkId } = await resolveCaller(ctx, principal, body.callerId)
  await auditRefusal(ctx, principal, phone.number, () => checkDestination(phone, guard, fromNumber))
  limitCallStarts(ctx, principal)
  if (body.room) await checkSharedRoom(ctx, principal, body.room)
  const id = crypto.randomUUID()
  const roomName = body.room ?? outboundRoomName(principal.tenantId, id)
  const sipIdentity = `phone-${id}`
  const call = await auditRefusal(ctx, principal, phone.number, () =>
    insertOutboundCall(ctx, principal, {
      id,
      roomName,
      fromNumber: fromNumber ?? null,
      toNumber: phone.number,
      contactId: body.contactId ?? null,
      internals: { sipIdentity, ...(body.room ? { sharedRoom: true } : {}) },
    }),
  )
  const connection = await ctx.connect(principal, roomName)
  const caller = userIdentity(principal.tenantId, principal.userId)
  ctx.background('dial', () =>
    dial(ctx, call, { trunkId, to: phone.number, fromNumber, sipIdentity, caller }),
  )
  publishCall(ctx, 'call.updated', call)
  return { call: publicCall(call, ctx.config.basePath), connection }
}

async function dial(
  ctx: RinglineContext,
  call: StoredCall,
  leg: { trunkId: string; to: string; fromNumber?: string; sipIdentity: string; caller: string },
): Promise<void> {
  // The phone is dialled once the caller can hear it: a callee answering into an empty room is not heard. In a
  // shared room the caller is already there (under the app's own identity).
  if (!call.internals.sharedRoom && (await waitForCaller(ctx, call, leg.caller)) === 'ended') return
  try {
    const info = await ctx.livekit().sip.createSipParticipant(leg.trunkId, leg.to, call.roomName, {
      participantIdentity: leg.sipIdentity,
      participantName: leg.to,
      participantAttributes: { 'ringline.callId': call.id },
      ...(leg.fromNumber ? { fromNumber: leg.fromNumber } : {}),
      waitUntilAnswered: true,
      ringingTimeout: ctx.config.sip.ringingTimeout,
      maxCallDuration: ctx.config.sip.maxCallDuration,
    })
    const answered = await markAnswered(ctx.store, call.id, { sipCallId: info.sipCallId || null })
    if (answered) {
      publishCall(ctx, 'call.updated', answered)
      afterAnswered(ctx, answered)
    }
  } catch (error) {
    const close = dialFailure(error)
    if (close.status === 'failed')
      ctx.logger.warn('ringline: outbound call failed', { callId: call.id, error })
    const closed = await closeCall(ctx.store, call.id, close)
    if (closed) publishCall(ctx, 'call.ended', closed)
  }
}

/** Loads a call the principal may see: members their own calls (made or answered), admins every call of the tenant. */
export async function visibleCall(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<StoredCall> {
  const call = id.length <= 128 ? await getCall(ctx.store, principal.tenantId, id) : null
  const own =
    call &&
    (principal.role === 'admin' ||
      call.createdBy === principal.userId ||
      call.answeredBy === principal.userId ||
      call.consult?.userId === principal.userId ||
      call.transfer?.by === principal.userId ||
      (call.direction === 'inbound' &&
        call.status === 'ringing' &&
        (!call.internals.ringUsers || call.internals.ringUsers.includes(principal.userId))))
  if (!call || !own) throw new HttpError('CALL_NOT_FOUND', 'No such call.')
  return call
}

/** Hangs up a call the principal made or answered (or any, for admins); idempotent once it ended. */
export async function hangupCall(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<{ call: CallRecord }> {
  const call = await visibleCall(ctx, principal, id)
  if (call.endedAt) return { call: publicCall(call, ctx.config.basePath) }
  ctx.livekit()
  const close = closeOnHangup(call)
  const closed = await closeCall(ctx.store, call.id, close)
  // The record is closed: every tab hears it now, whatever LiveKit answers below.
  if (closed) publishCall(ctx, 'call.ended', closed)
  try {
    await endCallRoom(ctx, call)
  } catch (error) {
    ctx.logger.error('ringline: hang-up could not end the call in LiveKit', { callId: call.id, error })
    retryEndCallRoom(ctx, call)
    throw new HttpError(
      'LIVEKIT_UNAVAILABLE',
      'The call is ended here, but LiveKit did not end it yet; Ringline keeps trying.',
      { cause: error },
    )
  }
  return { call: publicCall(await afterClose(ctx.store, call, closed), ctx.config.basePath) }
}

/** Seconds between the background attempts to end a hung-up call's room in LiveKit after the first one failed. */
const END_ROOM_RETRY_DELAYS_SECONDS = [2, 5, 15, 30, 60]

/**
 * Ends a hung-up call's room in LiveKit in the background, on a back-off, after the hang-up's own attempt failed
 * (LiveKit restarting or unreachable): a phone leg is never left alone in its room while the record says it ended.
 */
function retryEndCallRoom(ctx: RinglineContext, call: StoredCall, attempt = 0): void {
  const delay = END_ROOM_RETRY_DELAYS_SECONDS[attempt]
  if (delay === undefined) {
    ctx.logger.error('ringline: gave up ending the call in LiveKit', {
      callId: call.id,
      roomName: call.roomName,
    })
    return
  }
  ctx.later(`end the room of call ${call.id}`, delay * 1000, async () => {
    try {
      await endCallRoom(ctx, call)
      ctx.logger.info('ringline: ended the call in LiveKit on a retry', {
        callId: call.id,
        attempt: attempt + 1,
      })
    } catch (error) {
      ctx.logger.warn('ringline: ending the call in LiveKit failed again', { callId: call.id, error })
      retryEndCallRoom(ctx, call, attempt + 1)
    }
  })
}

/** Blind-transfers the phone leg of an answered call to a number or an allowed `sip:` URI (SIP REFER). */
export async function transferCall(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
  body: TransferCallRequest,
): Promise<{ call: CallRecord }> {
  const call = await visibleCall(ctx, principal, id)
  const guard = ctx.config.calls
  let target: string
  if (/^sip:/i.test(body.to)) {
    const host = /^sip:[^@\s]+@([A-Za-z0-9.-]+)(?::\d+)?(?:;[^\s]*)?$/i.exec(body.to)?.[1]?.toLowerCase()
    if (!host) throw new HttpError('INVALID_SIP_TARGET', 'to: expected sip:user@host.', { field: 'to' })
    if (!guard.disabled && !(guard.transferSipDomains ?? []).map((d) => d.toLowerCase()).includes(host)) {
      await auditRefusal(ctx, principal, body.to, () => {
        throw new HttpError('DESTINATION_NOT_ALLOWED', `Transfers to ${host} are not allowed.`, {
          field: 'to',
          details: { reason: 'SIP_DOMAIN_NOT_ALLOWED' },
        })
      })
    }
    target = body.to
  } else {
    const phone = parsePhone(body.to, {
      allowUnassigned: guard.allowUnassignedNumbers === true || guard.disabled === true,
      ...(countryOf(call.fromNumber ?? ctx.config.sip.callerId)
        ? { defaultCountry: countryOf(call.fromNumber ?? ctx.config.sip.callerId) }
        : {}),
    })
    await auditRefusal(ctx, principal, phone.number, () =>
      checkDestination(phone, guard, call.fromNumber ?? ctx.config.sip.callerId),
    )
    target = `tel:${phone.number}`
  }
  if (call.direction === 'internal' || call.status !== 'in-progress' || !call.internals.sipIdentity) {
    throw new HttpError('CALL_NOT_ACTIVE', 'Only an answered phone call can be transferred.')
  }
  const requestedAt = new Date().toISOString()
  try {
    await ctx.livekit().sip.transferSipParticipant(call.roomName, call.internals.sipIdentity, target, {
      playDialtone: false,
      ringingTimeout: ctx.config.sip.ringingTimeout,
      timeout: ctx.config.sip.ringingTimeout + 5,
    })
  } catch (error) {
    const sip = error instanceof SipCallError ? error.sipStatusCode : undefined
    throw new HttpError('TRANSFER_FAILED', `The transfer failed${sip ? ` (SIP ${sip})` : ''}.`, {
      ...(sip ? { details: { sipStatusCode: sip } } : {}),
      cause: error,
    })
  }
  const updated =
    (await recordTransfer(ctx.store, call.id, {
      kind: 'blind',
      to: target,
      at: requestedAt,
      by: principal.userId,
    })) ?? call
  await audit(ctx.store, {
    tenantId: principal.tenantId,
    userId: principal.userId,
    action: 'call.transfer',
    target,
    detail: { callId: call.id },
  })
  publishCall(ctx, updated.endedAt ? 'call.ended' : 'call.updated', updated)
  return { call: publicCall(updated, ctx.config.basePath) }
}

function decodeCursor(cursor: string): { startedAt: string; id: string } {
  try {
    const value = JSON.parse(fromBase64url(cursor)) as { s?: unknown; i?: unknown }
    if (typeof value.s === 'string' && typeof value.i === 'string' && !Number.isNaN(Date.parse(value.s))) {
      return { startedAt: value.s, id: value.i }
    }
  } catch {
    // fall through
  }
  throw new HttpError('INVALID_REQUEST', 'cursor: not a cursor returned by this API.', { field: 'cursor' })
}

/** Call history, newest first: members see their own calls, admins the tenant's; `stats` adds aggregates. */
export async function listCalls(
  ctx: RinglineContext,
  principal: Principal,
  query: ListCallsQuery = {},
): Promise<ListCallsResponse> {
  const userId = principal.role === 'admin' ? query.userId : principal.userId
  const filter = {
    tenantId: principal.tenantId,
    ...(userId !== undefined ? { userId } : {}),
    ...(query.direction ? { direction: query.direction } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
    ...(query.q ? { q: query.q } : {}),
    ...(query.contactId ? { contactId: query.contactId } : {}),
    ...(query.roomKind ? { roomKind: query.roomKind } : {}),
    ...(query.since ? { since: query.since } : {}),
    ...(query.until ? { until: query.until } : {}),
  }
  const page = await listCallRows(ctx.store, filter, {
    limit: query.limit ?? 50,
    ...(query.cursor ? { cursor: decodeCursor(query.cursor) } : {}),
  })
  const wantStats = query.stats === '1' || query.stats === 'true'
  return {
    calls: page.calls.map((c) => publicCall(c, ctx.config.basePath)),
    nextCursor: page.next ? toBase64url(JSON.stringify({ s: page.next.startedAt, i: page.next.id })) : null,
    ...(wantStats
      ? { stats: await callStats(ctx.store, filter, { byUser: principal.role === 'admin' }) }
      : {}),
  }
}

/** One call with its participants, recording, agents, transcript and timeline. */
export async function getCallDetail(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<CallDetail> {
  const call = await visibleCall(ctx, principal, id)
  const [stored, agents, transcript] = await Promise.all([
    listParticipants(ctx.store, call.id),
    ctx.media.listAgentDispatches(call.id),
    ctx.media.transcripts.list(call.id),
  ])
  const participants = stored.map(({ userId: _userId, ...p }) => p)
  return {
    call: publicCall(call, ctx.config.basePath),
    participants,
    recording: call.recording ? toRecordingInfo(call.recording) : null,
    agents: agents.map(toAgentDispatchInfo),
    transcript: transcript.map((s) => ({
      id: s.id,
      at: s.at,
      speaker: s.speaker,
      speakerKind: s.speakerKind,
      text: s.text,
      final: s.final,
    })),
    timeline: callTimeline(call, participants, call.recording, agents),
  }
}

/**
 * The call of a room, as `GET /calls/:id` shows it (`GET /calls/by-room/:roomName`): the tenant's open call of that
 * room, else its latest one; the same visibility rules as by id.
 */
export async function getCallDetailByRoom(
  ctx: RinglineContext,
  principal: Principal,
  roomName: string,
): Promise<CallDetail> {
  const { rows } =
    roomName.length > 0 && roomName.length <= 256
      ? await ctx.store.query<{ id: string }>(
          `SELECT id FROM ringline_calls WHERE tenant_id = $1 AND room_name = $2
           ORDER BY (ended_at IS NULL) DESC, started_at DESC LIMIT 1`,
          [principal.tenantId, roomName],
        )
      : { rows: [] }
  if (!rows[0]) throw new HttpError('CALL_NOT_FOUND', 'No call of this workspace has that room.')
  return getCallDetail(ctx, principal, rows[0].id)
}
