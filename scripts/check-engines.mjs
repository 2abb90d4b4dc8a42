// Checks that each published package's `engines.node` matches what its installed dependency tree declares: every
// package reached through `dependencies` and required `peerDependencies` (as this workspace resolves them) must
// accept the lowest Node our range allows and each version scripts/node-versions.mjs runs on. Exits 1 on a
// mismatch, naming the package and the path that pulls it in. `node scripts/check-engines.mjs`.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import semver from 'semver'
import { NODE_VERSIONS } from './node-versions.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * Engine needs deliberately not followed, each with why. A package listed here is still reported, as a note.
 * machina 7 (the state machine of livekit-client ≥ 2.23) declares Node ≥ 22.22, but livekit-client is browser code:
 * @ringline/core loads it lazily in the browser (never during SSR), and its peer range (^2.15.0) admits 2.15–2.22,
 * which do not depend on machina. The Next.js example builds and server-renders on Node 20 with 2.23 in CI.
 */
const BROWSER_ONLY = new Set(['machina'])

/** The folder of `name` as Node resolves it from `fromDir` (walking up node_modules folders), real path. */
function resolveDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate)
    if (dirname(dir) === dir) return undefined
  }
}

const readPkg = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))

function checkPackage(pkgDir) {
  const pkg = readPkg(pkgDir)
  const range = pkg.engines?.node
  const problems = []
  const notes = []
  if (!range) return { pkg, problems: [`${pkg.name} declares no engines.node`], notes }
  const floor = semver.minVersion(range)?.version
  for (const v of NODE_VERSIONS) {
    if (!semver.satisfies(v, range))
      problems.push(`${pkg.name}'s engines.node ${range} excludes Node ${v}, tested`)
  }
  const seen = new Set()
  const walk = (dir, path) => {
    const dep = readPkg(dir)
    const key = `${dep.name}@${dep.version}`
    if (seen.has(key)) return
    seen.add(key)
    const need = dep.engines?.node
    if (path.length > 0 && need && typeof need === 'string') {
      const refused = [floor, ...NODE_VERSIONS]
        .filter((v, i, all) => all.indexOf(v) === i)
        .filter((v) => !semver.satisfies(v, need, { loose: true }))
      if (refused.length > 0) {
        const line = `${key} needs Node ${need} (not ${refused.join(', ')}), via ${[pkg.name, ...path].join(' → ')}`
        if (BROWSER_ONLY.has(dep.name)) notes.push(line)
        else problems.push(line)
      }
    }
    const optionalPeers = dep.peerDependenciesMeta ?? {}
    const names = [
      ...Object.keys(dep.dependencies ?? {}),
      ...Object.keys(dep.peerDependencies ?? {}).filter((n) => !optionalPeers[n]?.optional),
    ]
    for (const name of names) {
      const child = resolveDir(name, dir)
      // An optional dependency for another platform is not installed: nothing to check.
      if (child) walk(child, [...path, `${name}@${readPkg(child).version}`])
    }
  }
  walk(realpathSync(pkgDir), [])
  return { pkg, problems, notes, count: seen.size - 1 }
}

let failed = 0
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', dir)
  if (!existsSync(join(pkgDir, 'package.json')) || readPkg(pkgDir).private) continue
  const { pkg, problems, notes, count } = checkPackage(pkgDir)
  for (const note of notes) console.log(`• ${note} (browser-only, see check-engines.mjs)`)
  if (problems.length > 0) {
    failed++
    for (const p of problems) console.error(`✗ ${p}`)
  } else {
    console.log(`✓ ${pkg.name}: engines.node ${pkg.engines.node} fits its ${count} installed dependencies`)
  }
}
if (failed > 0) {
  console.error(`[check-engines] ${failed} package(s) declare engines their dependencies do not allow`)
  process.exit(1)
}
