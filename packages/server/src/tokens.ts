import type { Connection } from '@ringline/core/protocol'
import { AccessToken, TrackSource } from 'livekit-server-sdk'
import { browserUrl } from './config'
import { HttpError } from './http/errors'

/** Tenant ids go into room names and identities: letters, digits, `_` and `-`, 1–64 chars. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/
/** User ids go into identities: printable, no control characters, 1–128 chars. */
export const USER_ID_PATTERN = /^[^\p{Cc}\s][^\p{Cc}]{0,127}$/u

/** The LiveKit identity of a user: `<tenant>:<user>`. */
export function userIdentity(tenantId: string, userId: string): string {
  return `${tenantId}:${userId}`
}

/**
 * The name prefixes of every LiveKit room Ringline makes (internal, outbound, inbound, ready check): forward a shared
 * LiveKit project's webhooks for rooms with these prefixes to Ringline.
 */
export const RINGLINE_ROOM_PREFIXES = ['int-', 'out-', 'in-', 'rc-'] as const

/** The LiveKit room of an internal call: `int-<tenant>-<name>`. */
export function internalRoomName(tenantId: string, name: string): string {
  return `int-${tenantId}-${name}`
}

/** The LiveKit room of an outbound call: `out-<tenant>_<id>`. */
export function outboundRoomName(tenantId: string, callId: string): string {
  return `out-${tenantId}_${callId}`
}

/** The private room of one ready check: `rc-<tenant>-<random>` (no call record; webhooks of it are ignored). */
export function readyCheckRoomName(tenantId: string, random: string): string {
  return `rc-${tenantId}-${random}`
}

/** The dispatch-rule room prefix of a tenant's inbound calls: `in-<tenant>` (LiveKit appends `_<from>_<random>`). */
export function inboundRoomPrefix(tenantId: string): string {
  return `in-${tenantId}`
}

/**
 * The room metadata a number's dispatch rule gives each inbound call's room (`roomConfig.metadata`), so the room's
 * `room_started` webhook names the workspace and the number called before the caller's leg has joined.
 */
export function inboundRoomMetadata(tenantId: string, e164: string): string {
  return JSON.stringify({ ringline: { tenant: tenantId, number: e164 } })
}

/** Reads `inboundRoomMetadata` back (`null` for any other metadata). */
export function readInboundRoomMetadata(
  metadata: string | undefined,
): { tenantId: string; number: string } | null {
  if (!metadata) return null
  try {
    const ringline = (JSON.parse(metadata) as { ringline?: { tenant?: unknown; number?: unknown } }).ringline
    if (typeof ringline?.tenant !== 'string' || typeof ringline.number !== 'string') return null
    return { tenantId: ringline.tenant, number: ringline.number }
  } catch {
    return null
  }
}

/**
 * The caller of an inbound room as LiveKit names it (`<prefix>_<from>_<random>`, see `inboundRoomPrefix`): the SIP
 * From user, or `null` when the name has no such part.
 */
export function inboundRoomCaller(roomName: string, tenantId: string): string | null {
  const prefix = `${inboundRoomPrefix(tenantId)}_`
  if (!roomName.startsWith(prefix)) return null
  const rest = roomName.slice(prefix.length)
  const cut = rest.lastIndexOf('_')
  return cut > 0 ? rest.slice(0, cut) : null
}

/** Throws `FORBIDDEN` when an `authorize` result cannot be used safely in room names and identities. */
export function assertPrincipalIds(tenantId: unknown, userId: unknown): void {
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) {
    throw new HttpError(
      'FORBIDDEN',
      'authorize() returned a tenantId that is not 1–64 letters, digits, "_" or "-".',
    )
  }
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) {
    throw new HttpError(
      'FORBIDDEN',
      'authorize() returned a userId that is empty, too long or has control characters.',
    )
  }
}

/** What a room token is for. */
export interface RoomTokenRequest {
  apiKey: string
  apiSecret: string
  serverUrl: string
  roomName: string
  identity: string
  name?: string
  /** Seconds, already clamped by the config. */
  ttl: number
  metadata?: string
}

/**
 * Mints a browser token for exactly one room: join, subscribe, publish the microphone and data —
 * never room admin, create, list or record rights.
 */
export async function mintRoomToken(request: RoomTokenRequest): Promise<Connection> {
  const token = new AccessToken(request.apiKey, request.apiSecret, {
    identity: request.identity,
    ttl: request.ttl,
    ...(request.name ? { name: request.name } : {}),
    ...(request.metadata ? { metadata: request.metadata } : {}),
  })
  token.addGrant({
    roomJoin: true,
    room: request.roomName,
    canSubscribe: true,
    canPublish: true,
    canPublishData: true,
    canPublishSources: [TrackSource.MICROPHONE],
    canUpdateOwnMetadata: false,
  })
  return {
    serverUrl: browserUrl(request.serverUrl),
    token: await token.toJwt(),
    roomName: request.roomName,
    identity: request.identity,
    expiresAt: new Date(Date.now() + request.ttl * 1000).toISOString(),
  }
}
