import {
  ListUpdate,
  RoomConfiguration,
  SIPDispatchRuleInfo,
  type SIPInboundTrunkInfo,
} from '@livekit/protocol'
import {
  type CallRecord,
  type CallWithConnection,
  type DeclineCallRequest,
  e164Schema,
} from '@ringline/core/protocol'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { parse } from '../http/validate'
import { isNotFound } from '../livekit'
import {
  getNumberConnection,
  type NumberConnectionRow,
  type RoutingPolicy,
  upsertNumberConnection,
} from '../numbers/numberRepository'
import { credentialFingerprint, sameMembers } from '../numbers/trunkFields'
import { inboundRoomMetadata, inboundRoomPrefix, TENANT_ID_PATTERN } from '../tokens'
import type { Principal } from '../types'
import { watchAnswer } from './answerRelease'
import { publishCall } from './callEvents'
import { afterAnswered } from './callMedia'
import { addDecline, claimCall, closeCall, getCall } from './callRepository'
import { publicCall } from './callRow'
import { closeOnDecline } from './lifecycle'

/** An inbound call that rings for the principal (whatever its state), else `CALL_NOT_FOUND`. */
async function inboundCallFor(ctx: RinglineContext, principal: Principal, id: string) {
  const call = id.length <= 128 ? await getCall(ctx.store, principal.tenantId, id) : null
  const rings = call?.internals.ringUsers
  const ringsForMe = !rings || rings.includes(principal.userId) || principal.role === 'admin'
  if (call?.direction !== 'inbound' || !ringsForMe) {
    throw new HttpError('CALL_NOT_FOUND', 'No such call.')
  }
  return call
}

/** Answers a ringing inbound call: an atomic claim (one winner, others 409 `CALL_ALREADY_ANSWERED`) and a token for its room. */
export async function answerCall(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
): Promise<CallWithConnection> {
  const call = await inboundCallFor(ctx, principal, id)
  ctx.livekit()
  const claimed = await claimCall(ctx.store, principal.tenantId, call.id, principal.userId)
  if (!claimed) {
    const current = await getCall(ctx.store, principal.tenantId, call.id)
    if (current?.answeredBy && current.answeredBy !== principal.userId) {
      throw new HttpError('CALL_ALREADY_ANSWERED', 'Someone else answered this call.', {
        details: { answeredBy: current.answeredBy },
      })
    }
    if (current?.answeredBy !== principal.userId || current.endedAt) {
      throw new HttpError('CALL_NOT_ACTIVE', 'This call is no longer ringing.')
    }
    // The same user answering twice (another tab): hand out a fresh token.
    return {
      call: publicCall(current, ctx.config.basePath),
      connection: await ctx.connect(principal, current.roomName),
    }
  }
  const connection = await ctx.connect(principal, claimed.roomName)
  publishCall(ctx, 'call.updated', claimed)
  afterAnswered(ctx, claimed)
  watchAnswer(ctx, claimed)
  return { call: publicCall(claimed, ctx.config.basePath), connection }
}

/** Whether the number's `agent-on-no-answer` policy sends an agent now that everyone declined (the call keeps ringing). */
async function agentTakesOver(ctx: RinglineContext, callId: string): Promise<boolean> {
  try {
    return (await ctx.media.scheduler.onCallEvent(callId, 'declined-by-all')).action === 'dispatch'
  } catch (error) {
    ctx.logger.warn('ringline: the agent could not take a declined call over', { callId, error })
    return false
  }
}

/**
 * Declines a ringing inbound call for the caller. When every agent it rings who is online has declined,
 * or with `reject: true`, the phone leg is hung up and the call ends as `declined`.
 */
export async function declineCall(
  ctx: RinglineContext,
  principal: Principal,
  id: string,
  body: DeclineCallRequest = {},
): Promise<{ call: CallRecord }> {
  const call = await inboundCallFor(ctx, principal, id)
  if (call.status !== 'ringing') {
    throw new HttpError('CALL_NOT_ACTIVE', 'This call is not ringing.')
  }
  const updated = (await addDecline(ctx.store, call.id, principal.userId)) ?? call
  const declined = new Set(updated.internals.declinedBy ?? [])
  const ringing = call.internals.ringUsers ?? [...(await ctx.hub.onlineUsersEverywhere(principal.tenantId))]
  const everyone = ringing.every((user) => declined.has(user))
  if (!body.reject && !everyone) return { call: publicCall(updated, ctx.config.basePath) }
  if (!body.reject && (await agentTakesOver(ctx, call.id))) {
    return { call: publicCall(updated, ctx.config.basePath) }
  }
  const closed = await closeCall(ctx.store, call.id, closeOnDecline(body.reject))
  if (!closed) return { call: publicCall(updated, ctx.config.basePath) }
  if (call.internals.sipIdentity) {
    try {
      await ctx.livekit().room.removeParticipant(call.roomName, call.internals.sipIdentity)
    } catch (error) {
      if (!isNotFound(error))
        ctx.logger.error('ringline: could not hang up a declined call', { callId: call.id, error })
    }
  }
  publishCall(ctx, 'call.ended', closed)
  return { call: publicCall(closed, ctx.config.basePath) }
}

/** What `provisionNumber` needs: the number, its tenant and how it rings. */
export interface ProvisionNumberInput {
  e164: string
  tenantId: string
  policy?: RoutingPolicy
  /** Seconds an inbound call rings before it is missed (LiveKit trunk setting). */
  ringingTimeout?: number
  /** Where INVITEs may come from (IPs, CIDRs, host names); set on the trunk, replacing what it had. */
  allowedAddresses?: string[]
  /** Digest credentials the caller's carrier must answer LiveKit's 407 challenge with. */
  auth?: { username: string; password: string }
}

/** A short, one-way fingerprint of inbound digest credentials, kept in the trunk's metadata to notice a change. */
/** The trunk's security settings to create it with (LiveKit's names). */
function trunkSecurity(input: ProvisionNumberInput): {
  allowedAddresses?: string[]
  authUsername?: string
  authPassword?: string
} {
  return {
    ...(input.allowedAddresses?.length ? { allowedAddresses: input.allowedAddresses } : {}),
    ...(input.auth ? { authUsername: input.auth.username, authPassword: input.auth.password } : {}),
  }
}

/** Brings an existing trunk to the addresses and credentials asked for; leaves it as it is where nothing is asked. */
async function secureTrunk(
  sip: ReturnType<RinglineContext['livekit']>['sip'],
  trunk: SIPInboundTrunkInfo,
  input: ProvisionNumberInput,
  metadata: Record<string, unknown>,
): Promise<void> {
  const fields: Parameters<typeof sip.updateSipInboundTrunkFields>[1] = {}
  const addresses = input.allowedAddresses
  if (addresses?.length && !sameMembers(trunk.allowedAddresses, addresses)) {
    fields.allowedAddresses = new ListUpdate({ set: addresses })
  }
  if (input.auth && readTrunkMetadata(trunk.metadata).auth !== metadata.auth) {
    fields.authUsername = input.auth.username
    fields.authPassword = input.auth.password
    fields.metadata = JSON.stringify({ ringline: metadata })
  }
  if (Object.keys(fields).length > 0) await sip.updateSipInboundTrunkFields(trunk.sipTrunkId, fields)
}

function readTrunkMetadata(text: string | undefined): { tenantId?: string; auth?: string } {
  try {
    return (JSON.parse(text || '{}') as { ringline?: { tenantId?: string; auth?: string } }).ringline ?? {}
  } catch {
    return {}
  }
}

const provisioning = new Map<string, Promise<NumberConnectionRow>>()

/**
 * Points a phone number at a tenant: creates or reuses its LiveKit inbound trunk and an individual dispatch
 * rule (room prefix `in-<tenant>`, attributes `ringline.tenant` / `ringline.number`, room metadata naming both so a
 * call rings as its room starts), and records it. Idempotent.
 */
export async function provisionNumber(
  ctx: Pick<RinglineContext, 'store' | 'livekit'> & Partial<Pick<RinglineContext, 'logger'>>,
  input: ProvisionNumberInput,
): Promise<NumberConnectionRow> {
  const e164 = parse(e164Schema, input.e164, 'e164')
  if (!TENANT_ID_PATTERN.test(input.tenantId)) {
    throw new HttpError('INVALID_REQUEST', 'tenantId: use 1–64 letters, digits, "_" or "-".', {
      field: 'tenantId',
    })
  }
  const running = provisioning.get(e164)
  if (running) await running.catch(() => undefined)
  const task = provisionOnce(ctx, { ...input, e164 })
  provisioning.set(e164, task)
  try {
    return await task
  } finally {
    if (provisioning.get(e164) === task) provisioning.delete(e164)
  }
}

/**
 * How long (s) LiveKit keeps an inbound call's room when nobody ever joined it (the rule's `roomConfig.emptyTimeout`):
 * the caller hung up while LiveKit SIP was joining. The call rang as the room started and is missed when it closes.
 */
export const INBOUND_ROOM_EMPTY_TIMEOUT_SECONDS = 30

async function provisionOnce(
  ctx: Pick<RinglineContext, 'store' | 'livekit'> & Partial<Pick<RinglineContext, 'logger'>>,
  input: ProvisionNumberInput,
): Promise<NumberConnectionRow> {
  const { e164, tenantId } = input
  const existing = await getNumberConnection(ctx.store, e164)
  if (existing && existing.tenantId !== tenantId) {
    throw new HttpError('NUMBER_IN_USE', `${e164} is connected to another workspace.`)
  }
  const { sip } = ctx.livekit()
  const trunks = (await sip.listSipInboundTrunk({ numbers: [e164] })).filter((t) => t.numbers.includes(e164))
  const metadata = {
    tenantId,
    ...(input.auth
      ? { auth: credentialFingerprint('inbound', input.auth.username, input.auth.password) }
      : {}),
  }
  const found = trunks.find((t) => t.sipTrunkId === existing?.livekitInboundTrunkId) ?? trunks[0]
  if (found) await secureTrunk(sip, found, input, metadata)
  const trunk =
    found ??
    (await sip.createSipInboundTrunk(`ringline ${e164}`, [e164], {
      metadata: JSON.stringify({ ringline: metadata }),
      ...trunkSecurity(input),
      ...(input.ringingTimeout ? { ringingTimeout: input.ringingTimeout } : {}),
    }))
  const attributes = { 'ringline.tenant': tenantId, 'ringline.number': e164 }
  // The room's metadata names the workspace and number, so the call rings as LiveKit creates its room. A caller who
  // hangs up while LiveKit SIP is still joining never joins: the room closes (and the call is missed) after
  // INBOUND_ROOM_EMPTY_TIMEOUT_SECONDS rather than LiveKit's default five minutes of ringing.
  const roomConfig = new RoomConfiguration({
    metadata: inboundRoomMetadata(tenantId, e164),
    emptyTimeout: INBOUND_ROOM_EMPTY_TIMEOUT_SECONDS,
  })
  const rules = (await sip.listSipDispatchRule({ trunkIds: [trunk.sipTrunkId] })).filter((r) =>
    r.trunkIds.includes(trunk.sipTrunkId),
  )
  let matching = rules.find(
    (r) =>
      r.attributes?.['ringline.tenant'] === tenantId &&
      r.rule?.rule.case === 'dispatchRuleIndividual' &&
      r.rule.rule.value.roomPrefix === inboundRoomPrefix(tenantId),
  )
  if (!matching) {
    // A rule of another tenant on this trunk would route calls to the wrong workspace: replace it.
    for (const rule of rules) await sip.deleteSipDispatchRule(rule.sipDispatchRuleId)
  } else if (
    matching.roomConfig?.metadata !== roomConfig.metadata ||
    matching.roomConfig?.emptyTimeout !== roomConfig.emptyTimeout
  ) {
    // A rule made before rooms carried metadata: calls still ring, on the caller's join; give it the metadata (and
    // the empty timeout).
    const current = matching
    matching = await sip
      .updateSipDispatchRule(current.sipDispatchRuleId, new SIPDispatchRuleInfo({ ...current, roomConfig }))
      .catch((error: unknown) => {
        ctx.logger?.warn('ringline: could not add room metadata to a dispatch rule; calls ring on join', {
          ruleId: current.sipDispatchRuleId,
          error,
        })
        return current
      })
  }
  const rule =
    matching ??
    (await sip.createSipDispatchRule(
      { type: 'individual', roomPrefix: inboundRoomPrefix(tenantId) },
      { name: `ringline ${tenantId} ${e164}`, trunkIds: [trunk.sipTrunkId], attributes, roomConfig },
    ))
  return upsertNumberConnection(ctx.store, {
    tenantId,
    e164,
    livekitInboundTrunkId: trunk.sipTrunkId,
    livekitDispatchRuleId: rule.sipDispatchRuleId,
    routingPolicy: input.policy ?? existing?.routingPolicy ?? { policy: 'ring-all' },
  })
}
