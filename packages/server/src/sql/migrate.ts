import { MIGRATIONS, type Migration } from './migrations.generated'
import type { SqlDriver } from './types'

// Any fixed number works; it only has to be the same for every Ringline instance on a database.
const MIGRATION_LOCK = 727_465_463

/** Applies the migrations not yet recorded in `ringline_schema_migrations`, under an advisory lock so instances don't race. */
export async function runMigrations(
  driver: SqlDriver,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<{ applied: number[] }> {
  return driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ringline_schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    )
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM ringline_schema_migrations')
    const done = new Set(rows.map((r) => Number(r.version)))
    const applied: number[] = []
    for (const migration of migrations) {
      if (done.has(migration.version)) continue
      await tx.exec(migration.sql)
      await tx.query('INSERT INTO ringline_schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ])
      applied.push(migration.version)
    }
    return { applied }
  })
}
