// Revoking a user's access (sign-out, tenant switch): refuse their requests, end their streams and calls.
import { audit } from '../calls/callRepository'
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import { isNotFound } from '../livekit'
import {
  assertPrincipalIds,
  inboundRoomPrefix,
  internalRoomName,
  outboundRoomName,
  userIdentity,
} from '../tokens'

/** What `revokeUser` did. */
export interface RevokeUserResult {
  tenantId: string
  userId: string
  revokedAt: string
  /** LiveKit participants removed (`RoomServiceClient.removeParticipant`), by room and identity. */
  participantsRemoved: Array<{ room: string; identity: string }>
  /** `/events` streams of the user closed on this instance (other instances close theirs through NOTIFY). */
  streamsClosed: number
  /** Rooms where removing failed (LiveKit unreachable); the token refusal still applies. */
  failures: Array<{ room: string; error: string }>
  /** Open Twilio Voice calls of the user that were ended (at Twilio and in the store), by call id. */
  twilioCallsEnded: string[]
}

/** Options of `revokeUser`. */
export interface RevokeUserOptions {
  /** Why, for the audit log (e.g. `sign-out`, `tenant-switch`); at most 200 characters. */
  reason?: string
}

/** True while the user is revoked (a row in `ringline_revoked_users`). */
export async function isRevoked(ctx: RinglineContext, tenantId: string, userId: string): Promise<boolean> {
  const { rows } = await ctx.store.query(
    'SELECT 1 FROM ringline_revoked_users WHERE tenant_id = $1 AND user_id = $2',
    [tenantId, userId],
  )
  return rows.length > 0
}

/** The 403 `ACCESS_REVOKED` a revoked user gets. */
export function accessRevoked(): HttpError {
  return new HttpError(
    'ACCESS_REVOKED',
    'Access to calling was revoked for this user (signed out or switched workspace); sign in again.',
  )
}

/** Throws 403 `ACCESS_REVOKED` while the user is revoked. */
export async function assertNotRevoked(
  ctx: RinglineContext,
  tenantId: string,
  userId: string,
): Promise<void> {
  if (await isRevoked(ctx, tenantId, userId)) throw accessRevoked()
}

/** The LiveKit rooms of a tenant are named with one of these prefixes (see `tokens.ts`). */
function tenantRoomPrefixes(tenantId: string): string[] {
  return [internalRoomName(tenantId, ''), outboundRoomName(tenantId, ''), `${inboundRoomPrefix(tenantId)}_`]
}

/**
 * Revokes a user of a tenant: records the revocation first (so no new token, refresh or `/events` stream is
 * granted from then on), then closes their `/events` streams and removes their LiveKit participants from every
 * room of the tenant (the rooms LiveKit lists with the tenant's prefixes, and the open calls the store knows).
 * Idempotent; undone by `restoreUser`.
 */
export async function revokeUser(
  ctx: RinglineContext,
  tenantId: string,
  userId: string,
  options: RevokeUserOptions = {},
  endTwilioCalls: (tenantId: string, userId: string) => Promise<string[]> = async () => [],
): Promise<RevokeUserResult> {
  assertPrincipalIds(tenantId, userId)
  const reason = options.reason?.slice(0, 200) ?? null
  const { rows } = await ctx.store.query<{ revoked_at: Date | string }>(
    `INSERT INTO ringline_revoked_users (tenant_id, user_id, reason) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id, user_id) DO UPDATE SET reason = EXCLUDED.reason
     RETURNING revoked_at`,
    [tenantId, userId, reason],
  )
  const revokedAt = new Date(rows[0]?.revoked_at ?? Date.now()).toISOString()
  await audit(ctx.store, { tenantId, action: 'user.revoke', target: userId, detail: { reason } })
  const streamsClosed = await ctx.hub.closeStreams(tenantId, userId)

  const identity = userIdentity(tenantId, userId)
  const participantsRemoved: RevokeUserResult['participantsRemoved'] = []
  const failures: RevokeUserResult['failures'] = []
  let room: ReturnType<RinglineContext['livekit']>['room'] | null = null
  try {
    room = ctx.livekit().room
  } catch {
    room = null // LiveKit not configured: nothing to disconnect.
  }
  if (room) {
    const rooms = new Set<string>()
    const { rows: open } = await ctx.store.query<{ room_name: string }>(
      'SELECT DISTINCT room_name FROM ringline_calls WHERE tenant_id = $1 AND ended_at IS NULL',
      [tenantId],
    )
    for (const r of open) rooms.add(r.room_name)
    try {
      const prefixes = tenantRoomPrefixes(tenantId)
      for (const r of await room.listRooms())
        if (prefixes.some((p) => r.name.startsWith(p))) rooms.add(r.name)
    } catch (error) {
      failures.push({ room: '*', error: (error as Error).message ?? String(error) })
    }
    for (const name of rooms) {
      if (name.startsWith('twilio-')) continue // Twilio Voice records have no LiveKit room.
      try {
        const participants = await room.listParticipants(name)
        if (!participants.some((p) => p.identity === identity)) continue
        await room.removeParticipant(name, identity)
        participantsRemoved.push({ room: name, identity })
      } catch (error) {
        if (isNotFound(error)) continue
        failures.push({ room: name, error: (error as Error).message ?? String(error) })
      }
    }
  }
  // Twilio Voice: a Device cannot be unregistered from the server (its token simply is not renewed), but the
  // user's ongoing Twilio calls are ended.
  let twilioCallsEnded: string[] = []
  try {
    twilioCallsEnded = await endTwilioCalls(tenantId, userId)
  } catch (error) {
    failures.push({ room: 'twilio', error: (error as Error).message ?? String(error) })
  }
  if (failures.length > 0) {
    ctx.logger.warn('ringline: revokeUser could not reach every LiveKit room', { tenantId, failures })
  }
  return { tenantId, userId, revokedAt, participantsRemoved, streamsClosed, failures, twilioCallsEnded }
}

/** Lets a revoked user in again (call it when they sign in again); true when they were revoked. */
export async function restoreUser(ctx: RinglineContext, tenantId: string, userId: string): Promise<boolean> {
  assertPrincipalIds(tenantId, userId)
  const { rowCount } = await ctx.store.query(
    'DELETE FROM ringline_revoked_users WHERE tenant_id = $1 AND user_id = $2',
    [tenantId, userId],
  )
  if (rowCount > 0) {
    await audit(ctx.store, { tenantId, action: 'user.restore', target: userId })
  }
  return rowCount > 0
}
