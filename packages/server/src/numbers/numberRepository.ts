import type { AgentRoutingPolicy } from '../agents/types'
import type { RecordingPolicy } from '../recording/types'
import { camelColumns, json } from '../sql/rows'
import type { Queryable } from '../sql/types'

/** How inbound calls to a number ring: everyone online (default) or a list of users. */
export interface RoutingPolicy {
  policy: 'ring-all' | 'ring-user'
  users?: string[]
  /** Recording policy of the number's calls (`never`, `on-answer`, `on-demand`); wins over the configured one. */
  recording?: RecordingPolicy
  /** Agent routing of inbound calls (`agent-first`, `agent-on-no-answer`). */
  agent?: AgentRoutingPolicy
  /** Free-form tags of the number (shown in settings, never interpreted by Ringline). */
  tags?: string[]
}

/** A number connected to a tenant, with its LiveKit (and Twilio) resources. */
export interface NumberConnectionRow {
  id: string
  tenantId: string
  e164: string
  phoneNumberSid: string | null
  trunkSid: string | null
  livekitInboundTrunkId: string | null
  livekitDispatchRuleId: string | null
  livekitOutboundTrunkId: string | null
  routingPolicy: RoutingPolicy
  status: string
}

interface Row {
  id: string
  tenant_id: string
  e164: string
  phone_number_sid: string | null
  trunk_sid: string | null
  livekit_inbound_trunk_id: string | null
  livekit_dispatch_rule_id: string | null
  livekit_outbound_trunk_id: string | null
  routing_policy: RoutingPolicy | string
  status: string
}

const COLUMNS = [
  'id',
  'tenant_id',
  'e164',
  'phone_number_sid',
  'trunk_sid',
  'livekit_inbound_trunk_id',
  'livekit_dispatch_rule_id',
  'livekit_outbound_trunk_id',
  'routing_policy',
  'status',
] as const

function toConnection(row: Row): NumberConnectionRow {
  return camelColumns(row, COLUMNS, { routing_policy: json<RoutingPolicy> })
}

/** The connection of a number, whichever tenant holds it. */
export async function getNumberConnection(q: Queryable, e164: string): Promise<NumberConnectionRow | null> {
  const { rows } = await q.query<Row>('SELECT * FROM ringline_number_connections WHERE e164 = $1', [e164])
  return rows[0] ? toConnection(rows[0]) : null
}

/** Connected numbers of a tenant. */
export async function listNumberConnections(q: Queryable, tenantId: string): Promise<NumberConnectionRow[]> {
  const { rows } = await q.query<Row>(
    `SELECT * FROM ringline_number_connections WHERE tenant_id = $1 AND status = 'connected' ORDER BY created_at ASC`,
    [tenantId],
  )
  return rows.map(toConnection)
}

/** Creates or updates the LiveKit side of a number's connection (keeps Twilio fields as they are). */
export async function upsertNumberConnection(
  q: Queryable,
  c: {
    tenantId: string
    e164: string
    livekitInboundTrunkId: string
    livekitDispatchRuleId: string
    livekitOutboundTrunkId?: string | null
    routingPolicy: RoutingPolicy
  },
): Promise<NumberConnectionRow> {
  const { rows } = await q.query<Row>(
    `INSERT INTO ringline_number_connections (id, tenant_id, e164, livekit_inbound_trunk_id, livekit_dispatch_rule_id,
       livekit_outbound_trunk_id, routing_policy, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 'connected')
     ON CONFLICT (e164) DO UPDATE SET livekit_inbound_trunk_id = EXCLUDED.livekit_inbound_trunk_id,
       livekit_dispatch_rule_id = EXCLUDED.livekit_dispatch_rule_id,
       livekit_outbound_trunk_id = COALESCE(EXCLUDED.livekit_outbound_trunk_id, ringline_number_connections.livekit_outbound_trunk_id),
       routing_policy = EXCLUDED.routing_policy, status = 'connected', updated_at = now()
     WHERE ringline_number_connections.tenant_id = EXCLUDED.tenant_id
     RETURNING *`,
    [
      crypto.randomUUID(),
      c.tenantId,
      c.e164,
      c.livekitInboundTrunkId,
      c.livekitDispatchRuleId,
      c.livekitOutboundTrunkId ?? null,
      JSON.stringify(c.routingPolicy),
    ],
  )
  if (!rows[0]) throw new Error(`number ${c.e164} belongs to another tenant`)
  return toConnection(rows[0])
}
