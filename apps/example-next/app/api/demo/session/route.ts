import { findDemoUser } from '../../../../lib/demoUsers'
import { SESSION_COOKIE, sessionValue } from '../../../../lib/session'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** Signs in as a demo user: `POST { userId }` sets the signed session cookie. */
export async function POST(request: Request): Promise<Response> {
  const body = (await request.json().catch(() => null)) as { userId?: unknown } | null
  const user = typeof body?.userId === 'string' ? findDemoUser(body.userId) : undefined
  if (!user)
    return Response.json(
      { error: { code: 'INVALID_REQUEST', message: 'Unknown demo user' } },
      { status: 400 },
    )
  const headers = new Headers()
  headers.append(
    'set-cookie',
    `${SESSION_COOKIE}=${encodeURIComponent(sessionValue(user.userId))}; Path=/; HttpOnly; SameSite=Lax`,
  )
  return Response.json({ user }, { headers })
}

/** Signs out. */
export async function DELETE(): Promise<Response> {
  return new Response(null, {
    status: 204,
    headers: { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` },
  })
}
