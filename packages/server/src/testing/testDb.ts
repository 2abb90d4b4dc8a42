import { memoryStore } from '../sql/memoryStore'
import type { Queryable } from '../sql/types'

/** An in-memory store with the package's real migrations applied (the same SQL the server runs). */
export async function createTestDb(): Promise<Queryable & { close(): Promise<void> }> {
  const store = memoryStore()
  await store.migrate()
  return store
}

/** Inserts a call row for a test. */
export async function insertTestCall(
  db: Queryable,
  call: {
    id: string
    tenantId?: string
    roomName: string
    status?: string
    direction?: string
    endedAt?: string
  },
): Promise<void> {
  await db.query(
    `INSERT INTO ringline_calls (id, tenant_id, direction, status, room_name, ended_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      call.id,
      call.tenantId ?? 'tenant-a',
      call.direction ?? 'outbound',
      call.status ?? 'in-progress',
      call.roomName,
      call.endedAt ?? null,
    ],
  )
}
