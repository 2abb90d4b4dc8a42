// When LiveKit's webhooks last reached this server: for one tenant (admins, `GET /webhooks/health`) and per tenant
// (`ringline doctor`). Read from the dedupe table, so it covers the webhook retention window (default 24 h).
import type { RinglineContext } from '../context'
import { HttpError } from '../http/errors'
import type { Queryable } from '../sql/types'
import type { Principal } from '../types'

/** The last LiveKit webhook seen for one tenant (events of its rooms), or nulls when none is retained. */
export interface TenantWebhookHealth {
  tenantId: string
  lastEvent: string | null
  lastEventAt: string | null
  lastRoom: string | null
}

/** `GET /webhooks/health`: the tenant's last LiveKit event and the server's last one (any tenant, time only). */
export interface WebhookHealthReport {
  livekit: TenantWebhookHealth & { anyTenantLastEventAt: string | null }
  /** How far back the answer can see (`webhookRetentionHours`). */
  retentionHours: number
}

const iso = (v: Date | string | null | undefined): string | null => (v ? new Date(v).toISOString() : null)

/**
 * The last LiveKit event of each tenant's rooms (one row per tenant, newest first), or only `tenantId`'s.
 * Events are matched to tenants through the call records of their rooms.
 */
export async function lastWebhookByTenant(
  q: Queryable,
  options: { tenantId?: string; limit?: number } = {},
): Promise<TenantWebhookHealth[]> {
  const params: unknown[] = []
  let where = "w.source = 'livekit'"
  if (options.tenantId) {
    params.push(options.tenantId)
    where += ` AND c.tenant_id = $${params.length}`
  }
  params.push(options.limit ?? 50)
  const { rows } = await q.query<{
    tenant_id: string
    event: string
    received_at: Date | string
    room_name: string
  }>(
    `SELECT * FROM (
       SELECT DISTINCT ON (c.tenant_id) c.tenant_id, w.event, w.received_at, w.room_name
       FROM ringline_webhook_events w JOIN ringline_calls c ON c.room_name = w.room_name
       WHERE ${where}
       ORDER BY c.tenant_id, w.received_at DESC
     ) t ORDER BY received_at DESC LIMIT $${params.length}`,
    params,
  )
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    lastEvent: r.event,
    lastEventAt: iso(r.received_at),
    lastRoom: r.room_name,
  }))
}

/** The webhook health of the principal's tenant; admins only. */
export async function webhookHealth(
  ctx: RinglineContext,
  principal: Principal,
): Promise<WebhookHealthReport> {
  if (principal.role !== 'admin')
    throw new HttpError('FORBIDDEN', 'Only workspace admins can see webhook health.')
  const [mine] = await lastWebhookByTenant(ctx.store, { tenantId: principal.tenantId, limit: 1 })
  const { rows } = await ctx.store.query<{ at: Date | string | null }>(
    "SELECT max(received_at) AS at FROM ringline_webhook_events WHERE source = 'livekit'",
  )
  return {
    livekit: {
      tenantId: principal.tenantId,
      lastEvent: mine?.lastEvent ?? null,
      lastEventAt: mine?.lastEventAt ?? null,
      lastRoom: mine?.lastRoom ?? null,
      anyTenantLastEventAt: iso(rows[0]?.at),
    },
    retentionHours: ctx.config.webhookRetentionHours,
  }
}
