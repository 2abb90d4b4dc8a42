import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pgliteStore } from './pgliteStore'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('pgliteStore', () => {
  it('creates a data folder whose parents do not exist yet, and keeps its data there', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ringline-pglite-'))
    dirs.push(root)
    const dataDir = join(root, '.data', 'pglite')
    const first = pgliteStore({ dataDir })
    await first.migrate()
    await first.query(
      "INSERT INTO ringline_calls (id, tenant_id, direction, status, room_name) VALUES ('c1', 't1', 'internal', 'in-progress', 'int-t1-x')",
    )
    await first.close()
    const again = pgliteStore({ dataDir })
    const { rows } = await again.query<{ id: string }>('SELECT id FROM ringline_calls')
    expect(rows.map((r) => r.id)).toEqual(['c1'])
    await again.close()
  })
})
