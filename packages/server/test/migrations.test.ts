import { describe, expect, it } from 'vitest'

describe('migrations', () => {
  it('embeds exactly the SQL files in migrations/', async () => {
    // @ts-expect-error plain .mjs script without types
    const { readMigrations } = await import('../scripts/gen-migrations.mjs')
    const { MIGRATIONS } = await import('../src/sql/migrations.generated')
    expect(MIGRATIONS).toEqual(readMigrations())
  })
})
