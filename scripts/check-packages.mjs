// Runs publint and attw over every published package; exits non-zero on any problem.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const failures = []
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', dir)
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))
  if (pkg.private) continue
  const run = (label, cmd, args) => {
    try {
      const out = execFileSync(cmd, args, {
        cwd: pkgDir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      console.log(`✓ ${label} ${pkg.name}\n${out.trim() ? `${out.trim()}\n` : ''}`)
    } catch (error) {
      failures.push(`${label} ${pkg.name}`)
      console.error(`✗ ${label} ${pkg.name}\n${error.stdout ?? ''}${error.stderr ?? ''}`)
    }
  }
  run('publint', 'pnpm', ['exec', 'publint', '--strict', '--pack', 'pnpm'])
  // A bin that points into dist/ is missing on a fresh clone, and `pnpm install` warns for each package linking it:
  // bins must be committed files (small shims that load dist/).
  for (const [name, target] of Object.entries(
    typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {}),
  )) {
    try {
      execFileSync('git', ['ls-files', '--error-unmatch', target], { cwd: pkgDir, stdio: 'ignore' })
      console.log(`✓ bin ${name} of ${pkg.name} is the committed file ${target}`)
    } catch {
      failures.push(`bin ${name} of ${pkg.name}`)
      console.error(
        `✗ bin ${name} of ${pkg.name}: ${target} is not a committed file (a fresh install cannot link it)`,
      )
    }
  }
  // attw checks what npm would ship: pack, check the tarball, remove it.
  const tarball = execFileSync('pnpm', ['pack', '--pack-destination', '/tmp'], {
    cwd: pkgDir,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()
  const css = Object.keys(pkg.exports ?? {}).filter((key) => key.endsWith('.css'))
  const exclude = css.length ? ['--exclude-entrypoints', ...css] : []
  run('attw', 'pnpm', [
    'exec',
    'attw',
    tarball,
    '--profile',
    'node16',
    '--format',
    'table-flipped',
    ...exclude,
  ])
  rmSync(tarball, { force: true })
}
if (failures.length) {
  console.error(`\npackage checks failed: ${failures.join(', ')}`)
  process.exit(1)
}
console.log('all packages pass publint and attw')
