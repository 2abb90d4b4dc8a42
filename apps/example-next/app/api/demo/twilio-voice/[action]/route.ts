import { userFromRequest } from '../../../../../lib/session'
import {
  connectDemoCall,
  DemoVoiceError,
  hangupDemoCall,
  progressDemoCall,
} from '../../../../../lib/twilioVoiceDemo'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

const error = (status: number, code: string, message: string) =>
  Response.json({ error: { code, message } }, { status })

/**
 * Dev only (`RINGLINE_TWILIO_SIMULATOR=1`, else 404): the simulated browser `Device` of the signed-in user.
 * `POST connect { params }` → `{ callSid, dialled, rejected }`; `POST ringing|answer|hangup { callSid }` → 204.
 */
export async function POST(
  request: Request,
  context: { params: Promise<{ action: string }> },
): Promise<Response> {
  if (process.env.RINGLINE_TWILIO_SIMULATOR !== '1') return error(404, 'NOT_FOUND', 'Not found')
  const user = userFromRequest(request)
  if (!user) return error(401, 'UNAUTHORIZED', 'Sign in first.')
  // Same-origin only: a page elsewhere cannot place or end a signed-in user's simulated calls.
  const origin = request.headers.get('origin')
  if (origin !== null && origin !== new URL(request.url).origin && origin !== originOfHost(request))
    return error(403, 'FORBIDDEN', 'Cross-origin request refused.')
  const { action } = await context.params
  const body = (await request.json().catch(() => null)) as {
    params?: unknown
    callSid?: unknown
  } | null
  try {
    if (action === 'connect') {
      const params = body?.params
      if (!params || typeof params !== 'object' || !Object.values(params).every((v) => typeof v === 'string'))
        return error(400, 'INVALID_REQUEST', '`params` must be an object of strings.')
      return Response.json(await connectDemoCall(user, params as Record<string, string>))
    }
    const callSid = typeof body?.callSid === 'string' ? body.callSid : ''
    if (!/^CA[0-9a-f]{32}$/.test(callSid))
      return error(400, 'INVALID_REQUEST', '`callSid` must be a CA… sid.')
    if (action === 'ringing') await progressDemoCall(user, callSid, 'ringing')
    else if (action === 'answer') await progressDemoCall(user, callSid, 'in-progress')
    else if (action === 'hangup') await hangupDemoCall(user, callSid)
    else return error(404, 'NOT_FOUND', 'Not found')
    return new Response(null, { status: 204 })
  } catch (e) {
    if (e instanceof DemoVoiceError) return error(e.status, e.code, e.message)
    throw e
  }
}

function originOfHost(request: Request): string | null {
  const host = request.headers.get('host')
  return host ? `${new URL(request.url).protocol}//${host}` : null
}
