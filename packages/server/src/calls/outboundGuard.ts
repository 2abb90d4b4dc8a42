import type { RinglineContext } from '../context'
import { HttpError, isHttpError } from '../http/errors'
import type { Principal } from '../types'
import { audit, insertCall, type NewCall, outboundVolume, type StoredCall } from './callRepository'

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
  const wait = ctx.rateLimiter.hit(
    `calls:${principal.tenantId}`,
    guard.requestsPerTenantPerMinute ?? 60,
    60_000,
  )
  if (wait > 0) {
    throw new HttpError('RATE_LIMITED', `Too many calls started; retry in ${wait} s.`, {
      headers: { 'retry-after': String(wait) },
    })
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
  const guard = ctx.config.calls
  return ctx.store.transaction(async (tx) => {
    if (!guard.disabled) {
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
