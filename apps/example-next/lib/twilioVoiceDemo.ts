// The Twilio side of a simulated browser `Device` (RINGLINE_TWILIO_SIMULATOR=1): the browser's demo Device asks these
// functions (through app/api/demo/twilio-voice) to place its call at the Twilio simulator, which then sends Ringline's
// real voice webhook and status callbacks, signed like Twilio's, to this app's own URL.
import type { DemoUser } from './demoUsers'
import { getRingline } from './ringline'
import { SESSION_COOKIE, sessionValue } from './session'
import { startTwilioDemo } from './twilioDemo'

type SimFlow = Awaited<ReturnType<NonNullable<ReturnType<typeof startTwilioDemo>>['voice']['clientCall']>>

interface DemoCall {
  flow: SimFlow
  userId: string
  /** The dialled number answered (reported `in-progress`). */
  answered: boolean
}

const globalForCalls = globalThis as typeof globalThis & {
  __ringlineTwilioVoiceCalls?: Map<string, DemoCall>
}
globalForCalls.__ringlineTwilioVoiceCalls ??= new Map()
const calls = globalForCalls.__ringlineTwilioVoiceCalls

/** An error of the demo routes with an HTTP status and a stable code. */
export class DemoVoiceError extends Error {
  /** @param status HTTP status @param code stable error code @param message what went wrong */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Asks Ringline's own routes as the signed-in user (no Origin: a same-server request). */
async function asUser<T>(user: DemoUser, method: string, path: string, body?: unknown): Promise<T> {
  const headers = new Headers({
    cookie: `${SESSION_COOKIE}=${encodeURIComponent(sessionValue(user.userId))}`,
  })
  if (body !== undefined) headers.set('content-type', 'application/json')
  const res = await getRingline().handler(
    new Request(`http://ringline.internal/api/ringline${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    }),
  )
  const json = (await res.json().catch(() => null)) as (T & { error?: { message?: string } }) | null
  if (!res.ok || !json) {
    throw new DemoVoiceError(res.status, 'UPSTREAM_ERROR', json?.error?.message ?? `${method} ${path} failed`)
  }
  return json
}

/**
 * A browser `Device.connect({ params })` of `user`, played by the simulator: Twilio requests the tenant's TwiML app
 * voice URL (Ringline's `/webhooks/twilio/voice`) with the user's client identity, and the number the TwiML dials
 * is `initiated`. Returns the call's sid and what Ringline answered.
 */
export async function connectDemoCall(
  user: DemoUser,
  params: Record<string, string>,
): Promise<{ callSid: string; dialled: string | null; rejected: boolean }> {
  const sim = startTwilioDemo()
  if (!sim) throw new DemoVoiceError(404, 'NOT_FOUND', 'The Twilio simulator is off.')
  const status = await asUser<{ configured: boolean; accountSid: string | null; twimlAppSid: string | null }>(
    user,
    'GET',
    '/twilio/voice',
  )
  if (!status.configured || !status.accountSid || !status.twimlAppSid) {
    throw new DemoVoiceError(409, 'NOT_CONFIGURED', 'Twilio Voice is not configured for this workspace.')
  }
  // The identity Ringline puts in this user's Voice tokens (what Twilio sends as `From=client:<identity>`).
  const { identity } = await asUser<{ identity: string }>(user, 'POST', '/token', { transport: 'twilio' })
  const flow = await sim.voice.clientCall({
    accountSid: status.accountSid,
    applicationSid: status.twimlAppSid,
    identity,
    params,
  })
  const dialled = flow.dial?.numbers[0]?.number ?? null
  if (!flow.rejected && dialled) {
    calls.set(flow.callSid, { flow, userId: user.userId, answered: false })
    await flow.number('initiated')
  } else {
    await flow.end(flow.rejected ? 'failed' : 'completed')
  }
  return { callSid: flow.callSid, dialled, rejected: flow.rejected || !dialled }
}

/** The dialled number of a demo call of `user` moves on: `ringing`, then `in-progress` (answered). */
export async function progressDemoCall(
  user: DemoUser,
  callSid: string,
  status: 'ringing' | 'in-progress',
): Promise<void> {
  const call = callOf(user, callSid)
  if (status === 'in-progress') call.answered = true
  await call.flow.number(status)
}

/** The browser hung up: the number's leg completes, the `<Dial>` action reports it, the browser's call ends. */
export async function hangupDemoCall(user: DemoUser, callSid: string): Promise<void> {
  const call = callOf(user, callSid)
  calls.delete(callSid)
  const { answered } = call
  await call.flow.number(answered ? 'completed' : 'canceled')
  await call.flow.dialAction(answered ? 'completed' : 'canceled')
  await call.flow.end('completed')
}

function callOf(user: DemoUser, callSid: string): DemoCall {
  const call = calls.get(callSid)
  if (!call || call.userId !== user.userId)
    throw new DemoVoiceError(404, 'CALL_NOT_FOUND', 'No simulated Twilio call with this sid.')
  return call
}
