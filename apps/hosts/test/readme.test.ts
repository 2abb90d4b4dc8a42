import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const script = fileURLToPath(new URL('../scripts/sync-readme-hosts.mjs', import.meta.url))

it('the Hosts snippets of packages/server/README.md are the tested host files', () => {
  // --check exits 1 (execFileSync throws, with the script's message) when a snippet differs from its file.
  const out = execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8' })
  expect(out).toContain('host snippets match')
})
