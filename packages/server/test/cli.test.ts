// `ringline migrate` and `ringline doctor`'s store check on each store kind (PGlite here, PostgreSQL in integration).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, inject, it, vi } from 'vitest'
import { main } from '../src/cli'
import { MIGRATIONS } from '../src/sql/migrations.generated'
import { freshDatabaseUrl, type StoreKind } from './helpers'

const dirs: string[] = []
const ENV_OF: Record<StoreKind, () => Promise<Record<string, string>>> = {
  pglite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ringline-cli-'))
    dirs.push(dir)
    return { RINGLINE_DATA_DIR: join(dir, 'pglite') }
  },
  postgres: async () => ({ DATABASE_URL: await freshDatabaseUrl() }),
}

/** Runs `ringline …` in-process with `env` added to the environment; returns its exit code and output. */
async function ringline(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, RINGLINE_DATA_DIR: process.env.RINGLINE_DATA_DIR }
  delete process.env.DATABASE_URL
  delete process.env.RINGLINE_DATA_DIR
  Object.assign(process.env, env)
  const lines: string[] = []
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk))
    return true
  })
  try {
    return { code: await main(args), out: lines.join('') }
  } finally {
    write.mockRestore()
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('ringline doctor options', () => {
  it('refuses an unknown option with exit 2 before checking anything', async () => {
    const result = await ringline(['doctor', '--jsn'], {})
    expect(result).toEqual({ code: 2, out: 'Unknown option --jsn for doctor (only --json).\n' })
  })
})

describe('ringline migrate without a store', () => {
  it('says what to set and exits 1', async () => {
    const result = await ringline(['migrate'], {})
    expect(result.code).toBe(1)
    expect(result.out).toContain('Set DATABASE_URL (PostgreSQL) or RINGLINE_DATA_DIR')
  })
})

describe.each(inject('storeKinds'))('ringline migrate on %s', (kind) => {
  it('applies every migration once, then finds the schema up to date; doctor then sees a migrated store', async () => {
    const env = await ENV_OF[kind]()
    const before = await ringline(['doctor'], env)
    expect(before.out).toContain('✗ The store has no Ringline schema yet: run `ringline migrate`.')
    const first = await ringline(['migrate'], env)
    expect(first.code).toBe(0)
    expect(first.out.trim()).toBe(`Applied migrations: ${MIGRATIONS.map((m) => m.version).join(', ')}.`)
    const second = await ringline(['migrate'], env)
    expect(second).toEqual({ code: 0, out: 'Schema is up to date.\n' })
    const after = await ringline(['doctor'], env)
    expect(after.out).toContain('✓ The store is reachable and migrated')
    // --json: the same checks as data; exit 1 because nothing else (LiveKit, caller id …) is configured here.
    const json = await ringline(['doctor', '--json'], env)
    expect(json.code).toBe(1)
    const report = JSON.parse(json.out)
    expect(report.ok).toBe(false)
    expect(report.checks).toContainEqual({
      status: 'ok',
      name: 'store',
      text: 'The store is reachable and migrated',
    })
    expect(report.checks).toContainEqual(expect.objectContaining({ status: 'fail', name: 'LIVEKIT_URL' }))
  })
})
