// Copies the tested host apps (hosts/*.mjs, and every .mjs/.js/.jsx/.html file of hosts/next/ and hosts/express-vite/) into packages/server/README.md, between
// marker comments named by the file's path under hosts/:
//   <!-- host:express.mjs --> … <!-- /host:express.mjs -->
//   <!-- host:next/next.config.mjs --> … <!-- /host:next/next.config.mjs -->
// `node scripts/sync-readme-hosts.mjs` rewrites the README; `--check` only compares and exits 1 when they differ
// (what test/readme.test.ts runs).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const hostsDir = fileURLToPath(new URL('../hosts/', import.meta.url))
const readmePath = fileURLToPath(new URL('../../../packages/server/README.md', import.meta.url))

/** Every host file, as its path under hosts/ (files of sub-folders too), sorted. */
export function hostFiles() {
  return readdirSync(hostsDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(m?jsx?|html)$/.test(e.name))
    .map((e) => relative(hostsDir, join(e.parentPath, e.name)))
    .sort()
}

/** The README with every host's block replaced by the host file as it is; throws when a marker is missing. */
export function syncedReadme(readme) {
  let out = readme
  for (const name of hostFiles()) {
    const source = readFileSync(join(hostsDir, name), 'utf8')
    const start = `<!-- host:${name} -->`
    const end = `<!-- /host:${name} -->`
    const from = out.indexOf(start)
    const to = out.indexOf(end)
    if (from === -1 || to < from) throw new Error(`packages/server/README.md has no ${start} … ${end} block`)
    const fence = name.endsWith('.html') ? 'html' : name.endsWith('.jsx') ? 'jsx' : 'js'
    out = `${out.slice(0, from + start.length)}\n\n\`\`\`${fence}\n${source.trimEnd()}\n\`\`\`\n\n${out.slice(to)}`
  }
  return out
}

const readme = readFileSync(readmePath, 'utf8')
const expected = syncedReadme(readme)
if (process.argv.includes('--check')) {
  if (expected !== readme) {
    console.error(
      'packages/server/README.md: the host snippets differ from apps/hosts/hosts/; run `pnpm --filter @ringline/hosts-check sync-readme`',
    )
    process.exit(1)
  }
  console.log('packages/server/README.md: host snippets match apps/hosts/hosts/')
} else if (expected !== readme) {
  writeFileSync(readmePath, expected)
  console.log('packages/server/README.md: host snippets updated')
} else {
  console.log('packages/server/README.md: host snippets already up to date')
}
