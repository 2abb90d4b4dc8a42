// The outbound call guard: toll-fraud destination checks, the per-tenant start rate, the caps on open and hourly
// calls, and the audit of refusals. Every transport (LiveKit SIP, Twilio Voice) starts its calls through here.
import {
  type CountryCode,
  getCountryCallingCode,
  type NumberType,
  type PhoneNumber,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/max'
import type { RinglineContext } from '../context'
import { HttpError, isHttpError } from '../http/errors'
import type { Queryable } from '../sql/types'
import type { CallGuardOptions, Principal } from '../types'
import { audit, insertCall, type NewCall, outboundVolume } from './callRepository'
import type { StoredCall } from './callRow'

/** Number types refused unless configured otherwise: the classic toll-fraud targets. */
export const DEFAULT_BLOCKED_TYPES: NumberType[] = [
  'PREMIUM_RATE',
  'SHARED_COST',
  'UAN',
  'PERSONAL_NUMBER',
  'VOICEMAIL',
  'PAGER',
]

/** The countries calls may go to, from the options or else the caller id's country. */
export function allowedDestinations(
  options: CallGuardOptions,
  callerId: string | undefined,
): CountryCode[] | '*' | { callingCode: string } | null {
  if (options.allowedCountries) return options.allowedCountries
  if (!callerId) return null
  try {
    const caller = parsePhoneNumberWithError(callerId)
    return caller.country ? [caller.country] : { callingCode: caller.countryCallingCode }
  } catch {
    return null
  }
}

/** Refuses destinations outside the allowed countries or of a blocked number type (`DESTINATION_NOT_ALLOWED`). */
export function checkDestination(
  phone: PhoneNumber,
  options: CallGuardOptions,
  callerId: string | undefined,
  field = 'to',
): void {
  if (options.disabled) return
  const allowed = allowedDestinations(options, callerId)
  const refuse = (message: string, reason: string): never => {
    throw new HttpError('DESTINATION_NOT_ALLOWED', message, { field, details: { reason } })
  }
  if (allowed === null) {
    refuse(
      'No destination countries are allowed: set RINGLINE_CALLER_ID or `calls.allowedCountries`.',
      'NO_COUNTRIES',
    )
  } else if (allowed !== '*') {
    const ok = Array.isArray(allowed)
      ? phone.country
        ? allowed.includes(phone.country)
        : allowed.some((c) => getCountryCallingCode(c) === phone.countryCallingCode)
      : phone.countryCallingCode === allowed.callingCode
    if (!ok) {
      refuse(
        `Calls to ${phone.country ?? `+${phone.countryCallingCode}`} are not allowed for this workspace.`,
        'COUNTRY_NOT_ALLOWED',
      )
    }
  }
  const type = phone.getType()
  const blocked = options.blockedNumberTypes ?? DEFAULT_BLOCKED_TYPES
  if (type && blocked.includes(type)) {
    refuse(`Calls to ${type.toLowerCase().replace(/_/g, '-')} numbers are not allowed.`, type)
  }
}

/** Runs a guarded step; a toll-fraud or volume refusal is written to the audit log before it is rethrown. */
export async function auditRefusal<T>(
  ctx: RinglineContext,
  principal: Principal,
  target: string,
  run: () => T | Promise<T>,
  detail: Record<string, unknown> = {},
): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (
      isHttpError(error) &&
      (error.code === 'DESTINATION_NOT_ALLOWED' || error.code === 'CALL_LIMIT_REACHED')
    ) {
      await audit(ctx.store, {
        tenantId: principal.tenantId,
        userId: principal.userId,
        action: 'call.refused',
        target,
        detail: { code: error.code, reason: error.details?.reason ?? null, ...detail },
      }).catch((e: unknown) => ctx.logger.error('ringline: audit write failed', { error: e }))
    }
    throw error
  }
}

/** Per-tenant rate limit on starting calls: 429 `RATE_LIMITED` with `Retry-After`. */
export function limitCallStarts(ctx: RinglineContext, principal: Principal): void {
  const guard = ctx.config.calls
  if (guard.disabled) return
  ctx.rateLimiter.take(
    `calls:${principal.tenantId}`,
    guard.requestsPerTenantPerMinute ?? 60,
    60_000,
    'calls started',
  )
}

/**
 * The call caps (`calls.maxConcurrentPerUser`, `maxConcurrentPerTenant`, `maxPerUserPerHour`, `maxPerTenantPerHour`)
 * for one more outbound phone leg, in the caller's transaction under the tenant's lock: 429 `CALL_LIMIT_REACHED`.
 */
export async function enforceCallCaps(
  tx: Queryable,
  ctx: RinglineContext,
  principal: Principal,
): Promise<void> {
  const guard = ctx.config.calls
  if (guard.disabled) return
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ringline:calls:${principal.tenantId}`])
  const v = await outboundVolume(tx, principal.tenantId, principal.userId)
  const limits: Array<[number, number, string]> = [
    [v.userOpen, guard.maxConcurrentPerUser ?? 2, 'You already have the most calls open at once.'],
    [
      v.tenantOpen,
      guard.maxConcurrentPerTenant ?? 20,
      'This workspace already has the most calls open at once.',
    ],
    [v.userHour, guard.maxPerUserPerHour ?? 60, 'You reached the hourly call limit.'],
    [v.tenantHour, guard.maxPerTenantPerHour ?? 500, 'This workspace reached the hourly call limit.'],
  ]
  for (const [count, limit, message] of limits) {
    if (count >= limit) throw new HttpError('CALL_LIMIT_REACHED', message, { details: { limit } })
  }
}

/**
 * Records an outbound call once the caps on concurrent and hourly calls (per user and per tenant) allow it,
 * with its audit row, in one transaction serialised per tenant so two requests cannot both slip under a cap.
 * Any transport (LiveKit SIP, Twilio Voice) starts its calls through here.
 */
export async function insertOutboundCall(
  ctx: RinglineContext,
  principal: Principal,
  call: Omit<NewCall, 'tenantId' | 'direction' | 'status' | 'createdBy'>,
  auditDetail: Record<string, unknown> = {},
): Promise<StoredCall> {
  return ctx.store.transaction(async (tx) => {
    await enforceCallCaps(tx, ctx, principal)
    const inserted = await insertCall(tx, {
      ...call,
      tenantId: principal.tenantId,
      direction: 'outbound',
      status: 'initiated',
      createdBy: principal.userId,
    })
    if (!inserted) throw new Error('call room name collision')
    await audit(tx, {
      tenantId: principal.tenantId,
      userId: principal.userId,
      action: 'call.outbound',
      target: call.toNumber ?? null,
      detail: { callId: call.id, ...auditDetail },
    })
    return inserted
  })
}
