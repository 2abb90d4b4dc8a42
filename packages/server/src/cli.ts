#!/usr/bin/env node
import { processEnv, resolveConfig } from './config'
import { livekitAccessor } from './livekit'
import { createCliSipSetupCommand } from './numbers/livekitSipProvisioner'
import { pgliteStore } from './sql/pgliteStore'
import { postgresStore } from './sql/postgresStore'
import type { RinglineStore } from './sql/types'

/** A `ringline` sub-command. */
export interface CliCommand {
  summary: string
  run(args: string[]): Promise<number>
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

/** The store the CLI works on: DATABASE_URL (PostgreSQL) or RINGLINE_DATA_DIR (PGlite). */
export function cliStore(env: NodeJS.ProcessEnv = processEnv()): RinglineStore | null {
  if (env.DATABASE_URL) return postgresStore({ connectionString: env.DATABASE_URL, migrate: false })
  if (env.RINGLINE_DATA_DIR) return pgliteStore({ dataDir: env.RINGLINE_DATA_DIR, migrate: false })
  return null
}

function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string } }
  return e.cause?.code ?? e.code ?? e.message?.split('\n')[0] ?? 'unknown error'
}

/** The built-in commands; other modules add theirs (e.g. `sip setup`) to this table. */
export const commands: Record<string, CliCommand> = {
  migrate: {
    summary: 'Apply the SQL migrations to DATABASE_URL (PostgreSQL) or RINGLINE_DATA_DIR (PGlite).',
    async run() {
      const store = cliStore()
      if (!store) {
        out('Set DATABASE_URL (PostgreSQL) or RINGLINE_DATA_DIR (embedded PGlite folder) first.')
        return 1
      }
      try {
        const { applied } = await store.migrate()
        out(applied.length === 0 ? 'Schema is up to date.' : `Applied migrations: ${applied.join(', ')}.`)
        return 0
      } catch (error) {
        out(`Migration failed: ${describeError(error)}`)
        return 1
      } finally {
        await store.close()
      }
    },
  },
  doctor: {
    summary: 'Check every setting and connection and say what to fix.',
    async run() {
      const config = resolveConfig({ authorize: () => null })
      let problems = 0
      const check = (ok: boolean, good: string, fix: string): void => {
        out(`${ok ? '✓' : '✗'} ${ok ? good : fix}`)
        if (!ok) problems += 1
      }
      check(
        Boolean(config.livekit.url),
        `LIVEKIT_URL is ${config.livekit.url}`,
        'Set LIVEKIT_URL (e.g. wss://your-project.livekit.cloud).',
      )
      check(Boolean(config.livekit.apiKey), 'LIVEKIT_API_KEY is set', 'Set LIVEKIT_API_KEY.')
      check(Boolean(config.livekit.apiSecret), 'LIVEKIT_API_SECRET is set', 'Set LIVEKIT_API_SECRET.')
      check(
        Boolean(config.sip.outboundTrunkId),
        'LIVEKIT_SIP_OUTBOUND_TRUNK_ID is set',
        'Set LIVEKIT_SIP_OUTBOUND_TRUNK_ID or run `ringline sip setup` (needed for phone calls).',
      )
      check(
        Boolean(config.sip.callerId),
        `RINGLINE_CALLER_ID is ${config.sip.callerId}`,
        'Set RINGLINE_CALLER_ID to your E.164 number.',
      )
      check(
        Boolean(config.secretKey),
        'RINGLINE_SECRET_KEY is set',
        'Set RINGLINE_SECRET_KEY (32 random bytes, base64) to store Twilio credentials.',
      )
      if (config.livekit.url && config.livekit.apiKey && config.livekit.apiSecret) {
        const lk = livekitAccessor(config)()
        try {
          await lk.room.listRooms(['ringline-doctor'])
          out('✓ LiveKit answers with these credentials')
          if (config.sip.outboundTrunkId) {
            const trunks = await lk.sip.listSipOutboundTrunk({ trunkIds: [config.sip.outboundTrunkId] })
            check(
              trunks.some((t) => t?.sipTrunkId === config.sip.outboundTrunkId),
              'The outbound trunk exists in LiveKit',
              `LiveKit has no outbound trunk ${config.sip.outboundTrunkId}; run \`ringline sip setup\`.`,
            )
          }
        } catch (error) {
          check(
            false,
            '',
            `LiveKit did not answer (${describeError(error)}): check LIVEKIT_URL and the key pair.`,
          )
        }
      }
      const store = cliStore()
      if (store) {
        try {
          await store.query('SELECT 1')
          const { rows } = await store.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'ringline_schema_migrations'",
          )
          check(
            Number(rows[0]?.n) > 0,
            'The store is reachable and migrated',
            'The store has no Ringline schema yet: run `ringline migrate`.',
          )
        } catch (error) {
          check(false, '', `The store is not reachable (${describeError(error)}): check DATABASE_URL.`)
        } finally {
          await store.close()
        }
      } else {
        out('• No DATABASE_URL or RINGLINE_DATA_DIR: the server will use an in-memory store.')
      }
      out(problems === 0 ? 'All good.' : `${problems} thing(s) to fix.`)
      return problems === 0 ? 0 : 1
    },
  },
}

commands['sip setup'] = createCliSipSetupCommand()

function help(): number {
  out('Usage: ringline <command>\n')
  out('  help        Show this help.')
  for (const [name, command] of Object.entries(commands)) out(`  ${name.padEnd(11)} ${command.summary}`)
  return 0
}

/** Runs the CLI with arguments (without `node` and the script path); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, second, ...rest] = argv
  if (!first || first === 'help' || first === '--help' || first === '-h') return help()
  const twoWords = second ? commands[`${first} ${second}`] : undefined
  if (twoWords) return twoWords.run(rest)
  const command = commands[first]
  if (!command) {
    out(`Unknown command "${first}".\n`)
    help()
    return 1
  }
  return command.run(second ? [second, ...rest] : rest)
}

/** Runs the CLI on this process's arguments and exits with its code (the `ringline` command). */
export function runCli(argv: string[] = process.argv.slice(2)): void {
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      out(`ringline: ${describeError(error)}`)
      process.exit(1)
    },
  )
}

// `node dist/cli.js …` and `tsx src/cli.ts …` run it directly; the `ringline` bin calls `runCli`.
const invoked =
  typeof process !== 'undefined' && process.argv[1] && /(^|[\\/])cli\.(c?js|ts)$/.test(process.argv[1])
if (invoked) runCli()
