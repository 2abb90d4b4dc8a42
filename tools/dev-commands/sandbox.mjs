#!/usr/bin/env node
// `pnpm sandbox <command>` in the monorepo: the sandbox CLI from source (packages/sandbox/src/cli.ts, through tsx).
// A bin rather than a root package.json script, because pnpm prints a script's banner on stdout, which would land
// among `up`'s KEY=value lines (`pnpm sandbox up >> .env`, `eval "$(pnpm sandbox up)"`); for an unknown command
// pnpm runs the workspace root's bin of that name, without a banner. The state dir is the directory you type it in.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const cli = fileURLToPath(new URL('../../packages/sandbox/src/cli.ts', import.meta.url))
const child = spawn(`${root}node_modules/.bin/tsx`, [cli, ...process.argv.slice(2)], { stdio: 'inherit' })
// Ctrl-C reaches the CLI too (same process group): it cancels a `call` and exits; wait for it.
process.on('SIGINT', () => undefined)
process.on('SIGTERM', () => child.kill('SIGTERM'))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
