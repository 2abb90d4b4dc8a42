#!/usr/bin/env node
import { processEnv } from './config'
import { describeError, formatDoctor, runDoctor, cliStore as storeFromEnv } from './doctor'
import { createCliSipSetupCommand } from './numbers/livekitSipProvisioner'
import type { RinglineStore } from './sql/types'

/** A `ringline` sub-command. */
export interface CliCommand {
  summary: string
  run(args: string[]): Promise<number>
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`)
}

/** The store the CLI works on: DATABASE_URL (PostgreSQL) or RINGLINE_DATA_DIR (PGlite); null when neither is set. */
export function cliStore(env: Record<string, string | undefined> = processEnv()): RinglineStore | null {
  return storeFromEnv(env)
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
    summary:
      'Check LiveKit and its keys, SIP trunks and dispatch rules, the public webhook URL, the store and the last webhook seen, the recording bucket and Twilio credentials. --json prints { ok, checks }.',
    async run(args) {
      const unknown = args.filter((a) => a !== '--json')
      if (unknown.length > 0) {
        out(`Unknown option ${unknown[0]} for doctor (only --json).`)
        return 2
      }
      const checks = await runDoctor({ env: processEnv() })
      const { lines, code } = formatDoctor(checks)
      if (args.includes('--json')) out(JSON.stringify({ ok: code === 0, checks }, null, 2))
      else for (const line of lines) out(line)
      return code
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
