// Room kinds (`support`, `conference`, …): per-kind policies for browser rooms (an agent dispatched once per room,
// a recording policy), and inviting an agent into a browser room by its name.
import type { DispatchAgentResponse, RoomAgentRequest } from '@ringline/core/protocol'
import { dispatchAndSettle } from '../agents/agentOperations'
import type { StoredCall } from '../calls/callRow'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import type { RecordingPolicy } from '../recording/types'
import type { RoomKindPolicy } from './roomKindConfig'

const MAX_METADATA = 16_384

/** The policy of a kind a join asks for; 400 `INVALID_REQUEST` for a kind the server does not know. */
export function roomKindPolicy(ctx: RinglineContext, kind: string): RoomKindPolicy {
  const policy = Object.hasOwn(ctx.config.roomKinds, kind) ? ctx.config.roomKinds[kind] : undefined
  if (!policy) {
    throw new HttpError('INVALID_REQUEST', `kind: "${kind}" is not a room kind of this server.`, {
      field: 'kind',
    })
  }
  return policy
}

/** The kind a stored call was created with (`metadata.roomKind`), or null. */
export function roomKindOf(call: Pick<StoredCall, 'roomKind'>): string | null {
  return typeof call.roomKind === 'string' ? call.roomKind : null
}

/** The recording policy a room's kind sets, if any (read by the recording policy resolver). */
export function roomKindRecording(
  ctx: Pick<RinglineContext, 'config'>,
  call: Pick<StoredCall, 'roomKind'>,
): RecordingPolicy | undefined {
  const kind = roomKindOf(call)
  return kind && Object.hasOwn(ctx.config.roomKinds, kind) ? ctx.config.roomKinds[kind]?.recording : undefined
}

function metadataString(metadata: string | Record<string, unknown> | undefined): string | undefined {
  if (metadata === undefined) return undefined
  const text = typeof metadata === 'string' ? metadata : JSON.stringify(metadata)
  if (text.length > MAX_METADATA) {
    throw new HttpError('INVALID_REQUEST', `options: at most ${MAX_METADATA} characters as JSON.`, {
      field: 'options',
    })
  }
  return text
}

/**
 * Dispatches the room kind's agent to a room once (`ringline_agent_dispatches` is unique per call and agent, so
 * concurrent joins on any number of server instances dispatch it once). Returns whether the agent is in the room
 * (dispatched now or before); a LiveKit failure is logged and reported as `false`, never failing the join.
 */
export async function dispatchRoomKindAgent(
  ctx: RinglineContext,
  call: StoredCall,
): Promise<boolean | undefined> {
  const kind = roomKindOf(call)
  const agent =
    kind && Object.hasOwn(ctx.config.roomKinds, kind) ? ctx.config.roomKinds[kind]?.agent : undefined
  if (!agent) return undefined
  try {
    const metadata = metadataString(agent.metadata)
    const { dispatch } = await dispatchAndSettle(ctx, {
      callId: call.id,
      roomName: call.roomName,
      agentName: agent.agentName,
      ...(metadata === undefined ? {} : { metadata }),
      trigger: 'room-kind',
    })
    return dispatch.state === 'dispatched'
  } catch (error) {
    ctx.logger.warn('rooms: the room kind agent could not be dispatched', {
      callId: call.id,
      kind,
      agentName: agent.agentName,
      error,
    })
    return false
  }
}

/**
 * Invites an agent into an open browser room (`POST /rooms/:name/agent`): `agentName` defaults to the room kind's
 * agent; `options` (`voice`, `prompt`, …) become its JSON job metadata. Once per room and agent name.
 */
export async function inviteRoomAgent(
  ctx: RinglineContext,
  call: StoredCall,
  body: RoomAgentRequest,
): Promise<DispatchAgentResponse> {
  const kind = roomKindOf(call)
  const kindAgent =
    kind && Object.hasOwn(ctx.config.roomKinds, kind) ? ctx.config.roomKinds[kind]?.agent : undefined
  const agentName = body.agentName ?? kindAgent?.agentName
  if (!agentName) {
    throw new HttpError('INVALID_REQUEST', 'agentName: required (this room kind names no agent).', {
      field: 'agentName',
    })
  }
  const metadata =
    body.options !== undefined
      ? metadataString(body.options)
      : agentName === kindAgent?.agentName
        ? metadataString(kindAgent.metadata)
        : undefined
  return dispatchAndSettle(ctx, {
    callId: call.id,
    roomName: call.roomName,
    agentName,
    ...(metadata === undefined ? {} : { metadata }),
    trigger: 'api',
  })
}
