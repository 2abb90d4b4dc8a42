// `pnpm sandbox up` as the READMEs show it (`>> .env`, `eval`): stdout carries only KEY=value lines, every banner goes
// to stderr (pnpm's own script banner included: `sandbox` is a bin of tools/dev-commands, not a script). Run against
// the run's sandbox (`up` attaches to a running stack).
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { info } from './helpers'

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
// The run's sandbox, whatever offset and folder it was started with; no inherited INIT_CWD to redirect the state dir.
const env = { ...process.env, RINGLINE_SANDBOX_DIR: info.stateDir, INIT_CWD: repoRoot }

/** stdout parsed as a .env file; throws naming the first line that is not KEY=value. */
function parseEnvLines(stdout: string): Record<string, string> {
  const lines = stdout.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1)
  const out: Record<string, string> = {}
  for (const line of lines) {
    const m = /^([A-Z][A-Z0-9_]*)=(\S*)$/.exec(line)
    if (!m) throw new Error(`stdout line is not KEY=value: ${JSON.stringify(line)}\n--- stdout:\n${stdout}`)
    out[m[1]!] = m[2]!
  }
  return out
}

describe('ringline-sandbox up on stdout', () => {
  test('`pnpm sandbox up` prints only the KEY=value lines of the sandbox, banners on stderr', () => {
    const run = spawnSync('pnpm', ['sandbox', 'up'], { cwd: repoRoot, env, encoding: 'utf8' })
    expect(run.status, run.stderr).toBe(0)
    expect(parseEnvLines(run.stdout)).toEqual(info.env)
    // The attach banner went to stderr, not among the lines.
    expect(run.stderr).toContain('[ringline-sandbox] attached to the running sandbox')
  })

  test('a fresh `up` (starting a stack, not attaching) keeps its progress off stdout too', () => {
    // A stack of its own on other ports (400 above the run's offset; lifecycle.test.ts uses 300), stopped after.
    const stateDir = mkdtempSync(join(tmpdir(), 'ringline-sandbox-cli-'))
    const offset = 400 + Number(process.env.RINGLINE_SANDBOX_PORT_OFFSET || 0)
    const own = { ...process.env, INIT_CWD: repoRoot, RINGLINE_SANDBOX_DIR: '' }
    try {
      const run = spawnSync(
        'pnpm',
        ['sandbox', 'up', '--state-dir', stateDir, '--port-offset', String(offset)],
        {
          cwd: repoRoot,
          env: own,
          encoding: 'utf8',
          timeout: 240_000,
        },
      )
      expect(run.status, run.stderr).toBe(0)
      const lines = parseEnvLines(run.stdout)
      expect(lines.LIVEKIT_URL).toBe(`ws://127.0.0.1:${7880 + offset}`)
      expect(Object.keys(lines)).toEqual(Object.keys(info.env))
      expect(run.stderr).not.toContain('attached')
    } finally {
      spawnSync('pnpm', ['sandbox', 'down', '--state-dir', stateDir], {
        cwd: repoRoot,
        env: own,
        timeout: 60_000,
      })
      rmSync(stateDir, { recursive: true, force: true })
    }
  }, 300_000)

  test('`eval "$(pnpm sandbox up)"` sets the variables in a shell', () => {
    const out = execFileSync(
      'bash',
      ['-c', 'eval "$(pnpm sandbox up)" && printf "%s\\n%s\\n" "$LIVEKIT_URL" "$RINGLINE_CALLER_ID"'],
      { cwd: repoRoot, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    )
    expect(out).toBe(`${info.env.LIVEKIT_URL}\n${info.env.RINGLINE_CALLER_ID}\n`)
  })
})

test("the README's command list is the CLI's --help", () => {
  const help = execFileSync('pnpm', ['sandbox', '--help'], { cwd: repoRoot, env, encoding: 'utf8' })
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const block = /<!-- usage -->\n```text\n([\s\S]*?)\n```\n<!-- \/usage -->/.exec(readme)?.[1]
  expect(block, 'README.md has a <!-- usage --> block').toBeDefined()
  expect(block).toBe(help.trimEnd())
  expect(block).toContain('call NUMBER [--hangup-after MS] [--dtmf DIGITS]')
})
