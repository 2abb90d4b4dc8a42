import type { NumberConnection } from '@ringline/core/protocol'
import type { Queryable } from '../sql/types'

/** The last inbound call to `e164` in the tenant and the last LiveKit webhook recorded about its room, or null. */
export async function lastInboundTo(
  q: Queryable,
  tenantId: string,
  e164: string,
): Promise<NonNullable<NumberConnection['lastInbound']> | null> {
  const { rows } = await q.query<{
    id: string
    room_name: string
    from_number: string | null
    status: string
    started_at: Date | string
    last_webhook_at: Date | string | null
  }>(
    `SELECT c.id, c.room_name, c.from_number, c.status, c.started_at,
            (SELECT max(w.received_at) FROM ringline_webhook_events w WHERE w.room_name = c.room_name) AS last_webhook_at
       FROM ringline_calls c
      WHERE c.tenant_id = $1 AND c.to_number = $2 AND c.direction = 'inbound'
      ORDER BY c.started_at DESC, c.id DESC LIMIT 1`,
    [tenantId, e164],
  )
  const row = rows[0]
  if (!row) return null
  const iso = (d: Date | string) => new Date(d).toISOString()
  return {
    callId: row.id,
    roomName: row.room_name,
    fromNumber: row.from_number,
    status: row.status,
    startedAt: iso(row.started_at),
    lastWebhookAt: row.last_webhook_at === null ? null : iso(row.last_webhook_at),
  }
}
