import { createHash } from 'node:crypto'
import { AccessToken } from 'livekit-server-sdk'
import { API_KEY, API_SECRET, ORIGIN } from './helpers'

let counter = 0

/** A LiveKit webhook request signed the way livekit-server signs it (bare JWT with the body's sha256). */
export async function signedWebhook(
  event: Record<string, unknown>,
  options: { secret?: string; tamper?: boolean; auth?: string | null; id?: string } = {},
): Promise<Request> {
  counter += 1
  const body = JSON.stringify({
    id: options.id ?? `EV_test_${Date.now()}_${counter}`,
    createdAt: String(Math.floor(Date.now() / 1000)),
    ...event,
  })
  const token = new AccessToken(API_KEY, options.secret ?? API_SECRET, { ttl: 300 })
  token.sha256 = createHash('sha256').update(body).digest('base64')
  const jwt = await token.toJwt()
  const headers = new Headers({ 'content-type': 'application/webhook+json' })
  if (options.auth !== null) headers.set('authorization', options.auth ?? jwt)
  return new Request(`${ORIGIN}/api/ringline/webhooks/livekit`, {
    method: 'POST',
    headers,
    body: options.tamper ? body.replace('"event"', '"event" ') : body,
  })
}
