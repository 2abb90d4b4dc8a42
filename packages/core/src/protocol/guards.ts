// Light, schema-library-free checks of what the server sends the browser. The server validates requests with the zod
// schemas of this folder; the browser client only guards the shape of responses and events it relies on, with these
// few hand-written checks, so no schema library ships to the browser. Unknown keys pass through untouched.
import type { CallDetail, CallRecord, CallWithConnection, ListCallsResponse } from './calls'
import {
  CALL_STATUSES,
  ERROR_CODES,
  EVENT_TYPES,
  ROOM_NAME_PATTERN,
  TWILIO_ACCOUNT_SID_PATTERN,
  TWILIO_API_KEY_SID_PATTERN,
} from './constants'
import type { ErrorBody, ErrorCode } from './errors'
import type { RinglineEvent } from './events'
import type { DispatchAgentResponse } from './media'
import type { JoinRoomResponse, ListRoomsResponse, ReadyCheckConnection } from './rooms'
import type { NumberConnection, TwilioCredentialsRequest, TwilioIntegration, TwilioNumber } from './twilio'
import type {
  TwilioVoiceCallResponse,
  TwilioVoiceServerCallResponse,
  TwilioVoiceStatus,
  TwilioVoiceTokenResponse,
} from './twilioVoice'

/** One problem found by a check. */
export interface GuardIssue {
  message: string
  path: (string | number)[]
}

/** What `safeParse` returns; zod schemas have the same shape, so either can be passed where one is expected. */
export type GuardResult<T> = { success: true; data: T } | { success: false; error: { issues: GuardIssue[] } }

/** Anything with a zod-compatible `safeParse`: a guard of this module or a zod schema. */
export interface ResponseGuard<T> {
  safeParse(value: unknown): GuardResult<T>
}

type Check = (value: unknown, path: (string | number)[]) => GuardIssue | undefined

const issue = (message: string, path: (string | number)[]): GuardIssue => ({ message, path })
const typed =
  (type: 'string' | 'number' | 'boolean'): Check =>
  (v, path) =>
    typeof v === type ? undefined : issue(`expected ${type}`, path)
const str = typed('string')
const num = typed('number')
const bool = typed('boolean')
const nullable =
  (check: Check): Check =>
  (v, path) =>
    v === null ? undefined : check(v, path)
const optional =
  (check: Check): Check =>
  (v, path) =>
    v === undefined ? undefined : check(v, path)
const oneOf =
  (values: readonly string[]): Check =>
  (v, path) =>
    typeof v === 'string' && values.includes(v)
      ? undefined
      : issue(`expected one of ${values.join(', ')}`, path)
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const record: Check = (v, path) => (isObject(v) ? undefined : issue('expected object', path))
const obj =
  (shape: Record<string, Check>): Check =>
  (v, path) => {
    if (!isObject(v)) return issue('expected object', path)
    for (const key in shape) {
      const found = shape[key]?.(v[key], [...path, key])
      if (found) return found
    }
    return undefined
  }
const arr =
  (check: Check): Check =>
  (v, path) => {
    if (!Array.isArray(v)) return issue('expected array', path)
    for (let i = 0; i < v.length; i++) {
      const found = check(v[i], [...path, i])
      if (found) return found
    }
    return undefined
  }

const guard = <T>(check: Check): ResponseGuard<T> => ({
  safeParse(value) {
    const found = check(value, [])
    return found ? { success: false, error: { issues: [found] } } : { success: true, data: value as T }
  },
})

const callRecord = obj({
  id: str,
  direction: oneOf(['outbound', 'inbound', 'internal']),
  status: oneOf(CALL_STATUSES),
  roomName: str,
  fromNumber: nullable(str),
  toNumber: nullable(str),
  startedAt: str,
  answeredAt: nullable(str),
  endedAt: nullable(str),
  durationSeconds: nullable(num),
  endReason: nullable(str),
})
const connection = obj({ serverUrl: str, token: str, roomName: str })
const roomInfo = obj({ name: str, roomName: str, callId: str, startedAt: str, participants: arr(record) })
const agentDispatch = obj({ agentName: str, state: oneOf(['pending', 'dispatched', 'failed']) })

/** `{ call, connection }` of `POST /calls` and `/calls/:id/answer`. */
export const callWithConnectionGuard = guard<CallWithConnection>(obj({ call: callRecord, connection }))
/** `{ call }` answers (consult complete / cancel). */
export const callOnlyGuard = guard<{ call: CallRecord }>(obj({ call: callRecord }))
/** `GET /calls`. */
export const listCallsResponseGuard = guard<ListCallsResponse>(
  obj({ calls: arr(callRecord), nextCursor: nullable(str), stats: optional(record) }),
)
/** `GET /calls/:id`. */
export const callDetailGuard = guard<CallDetail>(
  obj({ call: callRecord, participants: arr(record), transcript: optional(arr(record)) }),
)
/** `POST /rooms/:name/join`. */
export const joinRoomResponseGuard = guard<JoinRoomResponse>(
  obj({ room: roomInfo, connection, canEnd: optional(bool) }),
)
/** `POST /ready-check`. */
export const readyCheckConnectionGuard = guard<ReadyCheckConnection>(obj({ connection, roomName: str }))
/** `GET /rooms`. */
export const listRoomsResponseGuard = guard<ListRoomsResponse>(obj({ rooms: arr(roomInfo) }))
/** `POST /calls/:id/agent`. */
export const dispatchAgentResponseGuard = guard<DispatchAgentResponse>(
  obj({ dispatch: agentDispatch, created: bool }),
)
/** `PUT /twilio/credentials`. */
export const twilioIntegrationGuard = guard<TwilioIntegration>(record)
/** `GET /twilio/numbers`. */
export const listTwilioNumbersResponseGuard = guard<{ numbers: TwilioNumber[] }>(
  obj({ numbers: arr(obj({ sid: str, e164: str })) }),
)
/** `POST /twilio/numbers/:sid/connect` and `GET .../status`. */
export const numberConnectionGuard = guard<NumberConnection>(record)

const base = { id: str, at: str }
const callEvent = obj({
  ...base,
  call: callRecord,
  serverDial: optional(obj({ callSid: str, answered: bool })),
})
const roomEvent = obj({ ...base, name: str, room: nullable(roomInfo) })
/** An event of `GET /events`. */
export const ringlineEventGuard = guard<RinglineEvent>((v, path) => {
  if (!isObject(v)) return issue('expected object', path)
  if (!(EVENT_TYPES as readonly unknown[]).includes(v.type))
    return issue('unknown event type', [...path, 'type'])
  return v.type === 'room.updated' ? roomEvent(v, path) : callEvent(v, path)
})

/** True when `value` is one of the stable error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return (ERROR_CODES as readonly unknown[]).includes(value)
}

/** The `error` of a Ringline error response body, or null when the body is not one. */
export const errorBodyGuard = guard<ErrorBody>(
  obj({
    error: obj({
      code: oneOf(ERROR_CODES),
      message: str,
      requestId: str,
      field: optional(str),
      details: optional(record),
    }),
  }),
)

/** Why a team-room name is not valid, or null when it is (the rule of `roomNameSchema`). */
export function roomNameProblem(name: string): string | null {
  if (name.length < 1) return 'Too small: expected string to have >=1 characters'
  if (name.length > 48) return 'Too big: expected string to have <=48 characters'
  if (!ROOM_NAME_PATTERN.test(name))
    return 'use lowercase letters, digits, "-" and "_", starting with a letter or digit'
  return null
}

/** `POST /token` for the Twilio transport. */
export const twilioVoiceTokenResponseGuard = guard<TwilioVoiceTokenResponse>(
  obj({ transport: oneOf(['twilio']), token: str, identity: str, ttl: num, expiresAt: str }),
)
/** `POST /twilio/voice/calls` and `/twilio/voice/calls/:id/answer`. */
export const twilioVoiceCallResponseGuard = guard<TwilioVoiceCallResponse>(
  obj({
    call: callRecord,
    connection,
    twilio: obj({ action: oneOf(['dial', 'accept']), callId: str, params: record }),
  }),
)

/** `POST /twilio/voice/calls` with `initiate: 'server'`. */
export const twilioVoiceServerCallResponseGuard = guard<TwilioVoiceServerCallResponse>(
  obj({ call: callRecord, twilio: obj({ callSid: str, status: str }) }),
)

/** Problems of Twilio credentials by field (the rules of `twilioCredentialsRequestSchema`); empty when valid. */
export function twilioCredentialsProblems(
  body: TwilioCredentialsRequest,
): Partial<Record<keyof TwilioCredentialsRequest, string>> {
  const problems: Partial<Record<keyof TwilioCredentialsRequest, string>> = {}
  if (!TWILIO_ACCOUNT_SID_PATTERN.test(body.accountSid))
    problems.accountSid = 'must be an Account SID starting with AC'
  if (!TWILIO_API_KEY_SID_PATTERN.test(body.apiKeySid))
    problems.apiKeySid = 'must be an API Key SID starting with SK'
  if (body.apiKeySecret.length < 16 || body.apiKeySecret.length > 128)
    problems.apiKeySecret = 'must be 16 to 128 characters'
  return problems
}

/** `GET /twilio/voice` and the Twilio Voice settings writes: what is configured, never secrets. */
export const twilioVoiceStatusGuard = guard<TwilioVoiceStatus>(
  obj({
    configured: bool,
    hasTwimlApp: bool,
    setupMethod: nullable(oneOf(['auto', 'manual', 'env'])),
    accountSid: nullable(str),
    twimlAppSid: nullable(str),
  }),
)

/** Problems of Twilio Voice account credentials by field (the rules of `twilioVoiceAutoConfigureRequestSchema`). */
export function twilioVoiceCredentialsProblems(body: {
  accountSid: string
  authToken: string
}): Partial<Record<'accountSid' | 'authToken', string>> {
  const problems: Partial<Record<'accountSid' | 'authToken', string>> = {}
  if (!TWILIO_ACCOUNT_SID_PATTERN.test(body.accountSid))
    problems.accountSid = 'must be an Account SID starting with AC'
  if (body.authToken.length < 16 || body.authToken.length > 128)
    problems.authToken = 'must be 16 to 128 characters'
  return problems
}
