import { camelColumns, iso } from '../sql/rows'
import type { Queryable } from '../sql/types'
import type { AgentDispatchRecord, AgentDispatchStore } from './types'

interface Row {
  id: string
  call_id: string
  agent_name: string
  room_name: string | null
  state: AgentDispatchRecord['state']
  dispatch_id: string | null
  metadata: string | null
  trigger: AgentDispatchRecord['trigger']
  error: string | null
  attempts: number
  created_at: Date | string
  updated_at: Date | string
}

const COLUMNS = [
  'id',
  'call_id',
  'agent_name',
  'room_name',
  'state',
  'dispatch_id',
  'metadata',
  'trigger',
  'error',
  'attempts',
  'created_at',
  'updated_at',
] as const
const COLUMN_LIST = COLUMNS.join(', ')

function toRecord(row: Row): AgentDispatchRecord {
  return camelColumns(row, COLUMNS, { attempts: Number, created_at: iso, updated_at: iso })
}

/**
 * `AgentDispatchStore` on `ringline_agent_dispatches` (DESIGN §5 plus the `state`, `room_name`, `trigger`, `error`,
 * `attempts`, `updated_at` columns of the proposed 0002 migration). The unique `(call_id, agent_name)` is the lock.
 */
export function sqlAgentDispatchStore(db: Queryable): AgentDispatchStore {
  async function one(sql: string, params: unknown[]): Promise<AgentDispatchRecord> {
    const { rows } = await db.query<Row>(sql, params)
    if (!rows[0]) throw new Error('agent dispatch row not found')
    return toRecord(rows[0])
  }
  return {
    async claim(input) {
      const inserted = await db.query<Row>(
        `INSERT INTO ringline_agent_dispatches (id, call_id, agent_name, room_name, metadata, trigger, state, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 1)
         ON CONFLICT (call_id, agent_name) DO NOTHING
         RETURNING ${COLUMN_LIST}`,
        [input.id, input.callId, input.agentName, input.roomName, input.metadata, input.trigger],
      )
      if (inserted.rows[0]) return { record: toRecord(inserted.rows[0]), won: true }
      const existing = await one(
        `SELECT ${COLUMN_LIST} FROM ringline_agent_dispatches WHERE call_id = $1 AND agent_name = $2`,
        [input.callId, input.agentName],
      )
      return { record: existing, won: false }
    },

    async reclaim(id, expect) {
      const { rows } = await db.query<Row>(
        `UPDATE ringline_agent_dispatches
         SET state = 'pending', error = NULL, attempts = attempts + 1, updated_at = clock_timestamp()
         WHERE id = $1 AND state = $2 AND date_trunc('milliseconds', updated_at) = $3::timestamptz
         RETURNING ${COLUMN_LIST}`,
        [id, expect.state, expect.updatedAt],
      )
      return rows[0] ? toRecord(rows[0]) : null
    },

    markDispatched(id, dispatchId) {
      return one(
        `UPDATE ringline_agent_dispatches SET state = 'dispatched', dispatch_id = $2, error = NULL, updated_at = clock_timestamp()
         WHERE id = $1 RETURNING ${COLUMN_LIST}`,
        [id, dispatchId],
      )
    },

    markFailed(id, error) {
      return one(
        `UPDATE ringline_agent_dispatches SET state = 'failed', error = $2, updated_at = clock_timestamp()
         WHERE id = $1 AND state = 'pending' RETURNING ${COLUMN_LIST}`,
        [id, error],
      ).catch(() => one(`SELECT ${COLUMN_LIST} FROM ringline_agent_dispatches WHERE id = $1`, [id]))
    },

    async listForCall(callId) {
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMN_LIST} FROM ringline_agent_dispatches WHERE call_id = $1 ORDER BY created_at, agent_name`,
        [callId],
      )
      return rows.map(toRecord)
    },
  }
}
