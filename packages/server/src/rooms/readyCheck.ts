import type { ReadyCheckConnection } from '@ringline/core/protocol'
import type { RinglineContext } from '../context'
import { mintRoomToken, readyCheckRoomName, userIdentity } from '../tokens'
import type { Principal } from '../types'

/** How long a ready-check token may be used to join (seconds): the check connects at once. */
const READY_CHECK_TOKEN_TTL = 120
/** Ready checks a user may start per minute (each one is a LiveKit room of its own). */
const READY_CHECKS_PER_MINUTE = 10

/**
 * `POST /ready-check`: a token for a private test room of the caller's own (`rc-<tenant>-<random>`), for the ready
 * check's connection test (connect, publish the microphone, read the round trip). Nothing is stored and no event is
 * published: the room's webhooks find no call and are ignored, so no call record, recording, transcript or agent
 * ever sees it; LiveKit closes the empty room by itself.
 */
export async function readyCheckConnection(
  ctx: RinglineContext,
  principal: Principal,
): Promise<ReadyCheckConnection> {
  const lk = ctx.livekit()
  ctx.rateLimiter.take(
    `ready-check:${principal.tenantId}:${principal.userId}`,
    READY_CHECKS_PER_MINUTE,
    60_000,
    'ready checks',
  )
  const roomName = readyCheckRoomName(principal.tenantId, crypto.randomUUID())
  const connection = await mintRoomToken({
    apiKey: lk.apiKey,
    apiSecret: lk.apiSecret,
    serverUrl: lk.url,
    roomName,
    identity: userIdentity(principal.tenantId, principal.userId),
    ttl: Math.min(READY_CHECK_TOKEN_TTL, ctx.config.tokenTtl),
    ...(principal.name ? { name: principal.name } : {}),
  })
  return { connection, roomName }
}
