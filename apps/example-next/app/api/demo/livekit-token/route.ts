import { AccessToken } from 'livekit-server-sdk'
import { userFromRequest } from '../../../../lib/session'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/**
 * Stands in for the token endpoint a team already on LiveKit has: `POST { room }` → a token for the signed-in user
 * in the app's own room `lk-<tenant>.<room>` (the rooms `calls.roomAccess` in lib/ringline.ts lets Ringline dial
 * into). Not a Ringline route: Ringline only places the phone into the room.
 */
export async function POST(request: Request): Promise<Response> {
  const user = userFromRequest(request)
  if (!user)
    return Response.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } }, { status: 401 })
  const body = (await request.json().catch(() => null)) as { room?: unknown } | null
  const name =
    typeof body?.room === 'string' && /^[a-z0-9][a-z0-9_-]{0,47}$/.test(body.room) ? body.room : null
  if (!name) {
    return Response.json(
      { error: { code: 'INVALID_REQUEST', message: 'room: a lowercase name.' } },
      { status: 400 },
    )
  }
  const { LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET } = process.env
  if (!LIVEKIT_URL || !LIVEKIT_API_KEY || !LIVEKIT_API_SECRET) {
    return Response.json(
      { error: { code: 'NOT_CONFIGURED', message: 'LIVEKIT_* is not set.' } },
      { status: 503 },
    )
  }
  const roomName = `lk-${user.tenantId}.${name}`
  const token = new AccessToken(LIVEKIT_API_KEY, LIVEKIT_API_SECRET, {
    identity: `app-${user.userId}`,
    name: user.name,
    ttl: '1h',
  })
  token.addGrant({
    room: roomName,
    roomJoin: true,
    canPublish: true,
    canSubscribe: true,
    canPublishData: true,
  })
  return Response.json({ serverUrl: LIVEKIT_URL, token: await token.toJwt(), roomName })
}
