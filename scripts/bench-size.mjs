// Bundle sizes of what users install: the BUILT dist/ of @ringline/core and @ringline/react, resolved as a host app
// resolves them (no `@ringline/source` condition), bundled with esbuild (production, minified, code splitting so
// lazily loaded chunks show separately). Peers are external. Exits non-zero when a goal is exceeded.
//
//   node scripts/bench-size.mjs                  print the table
//   node scripts/bench-size.mjs --write-readme   also write the figures into packages/react/README.md
//   node scripts/bench-size.mjs --check          fail when the README figures are out of date

import { execSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname
const args = new Set(process.argv.slice(2))
const peers = ['react', 'react-dom', 'react/jsx-runtime', 'livekit-client', '@twilio/voice-sdk']
const KB = 1024

// Goals of issue #17 (gzip, eager code only).
const goals = {
  Dialer: 10 * KB,
  IncomingCallOverlay: 8 * KB,
  'everything core+react (eager)': 30 * KB,
}
// Figures quoted in issue #17 for comparison (not installed in this workspace, so not measured here).
const quotedAnchors = []

const dists = ['packages/core/dist/index.js', 'packages/react/dist/index.js']
const missing = dists.filter((f) => !existsSync(`${root}${f}`))
if (missing.length) {
  console.log(`dist/ missing (${missing.join(', ')}): building the packages first`)
  execSync("pnpm -r --filter './packages/*' build", { cwd: root, stdio: 'inherit' })
}

const entryPlugin = (contents) => ({
  name: 'entry',
  setup(b) {
    b.onResolve({ filter: /^entry$/ }, () => ({ path: 'entry', namespace: 'entry' }))
    // Resolved from the example app, a consumer of both packages.
    b.onLoad({ filter: /.*/, namespace: 'entry' }, () => ({
      contents,
      loader: 'js',
      resolveDir: `${root}apps/example-next`,
    }))
  },
})

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length

/** Eager (statically imported) and lazy (reached only through import()) output of one entry. */
async function measure(contents) {
  const result = await build({
    entryPoints: ['entry'],
    plugins: [entryPlugin(contents)],
    bundle: true,
    splitting: true,
    outdir: '/virtual-out',
    minify: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: peers,
    logLevel: 'silent',
    treeShaking: true,
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  const files = new Map(result.outputFiles.map((f) => [f.path.replace(/^.*\/virtual-out\//, ''), f.contents]))
  const meta = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([k, v]) => [k.replace(/^.*virtual-out\//, ''), v]),
  )
  const outName = (p) => p.replace(/^.*virtual-out\//, '')
  const entry = Object.keys(meta).find((k) => meta[k].entryPoint === 'entry:entry')
  const eager = new Set()
  const walk = (name) => {
    if (eager.has(name)) return
    eager.add(name)
    for (const i of meta[name].imports)
      if (i.kind === 'import-statement' && !i.external) walk(outName(i.path))
  }
  walk(entry)
  const eagerBytes = Buffer.concat([...eager].map((n) => files.get(n)))
  const lazy = []
  const seen = new Set(eager)
  const walkLazy = (name, via) => {
    for (const i of meta[name].imports) {
      const target = outName(i.path)
      if (i.external || seen.has(target) || !meta[target]) continue
      seen.add(target)
      if (i.kind === 'dynamic-import' || via) {
        const inputs = Object.keys(meta[target].inputs)
        lazy.push({ name: target, bytes: files.get(target), inputs })
      }
      walkLazy(target, true)
    }
  }
  for (const n of eager) walkLazy(n, false)
  return { min: eagerBytes.length, gzip: gzip(eagerBytes), lazy }
}

const rows = [
  ['createCallClient', "export { createCallClient } from '@ringline/core'"],
  ['Dialer', "export { Dialer } from '@ringline/react'"],
  ['IncomingCallOverlay', "export { IncomingCallOverlay } from '@ringline/react'"],
  ['CallControls', "export { CallControls } from '@ringline/react'"],
  ['CallHistory', "export { CallHistory } from '@ringline/react'"],
  ['VoiceSettingsCard', "export { VoiceSettingsCard } from '@ringline/react'"],
  ['VoiceConfigurationCard', "export { VoiceConfigurationCard } from '@ringline/react'"],
  ['InternalCall', "export { InternalCall } from '@ringline/react'"],
  // The floor under "everything": what a calling app needs eagerly whatever loads lazily.
  [
    'call path (client+UI)',
    "export { createCallClient } from '@ringline/core'; export { RinglineProvider, Dialer, IncomingCallOverlay, CallControls } from '@ringline/react'",
  ],
  ['everything core+react (eager)', "export * from '@ringline/core'; export * from '@ringline/react'"],
]

const fmt = (n) => `${(n / KB).toFixed(1)} kB`
const lines = []
const failures = []
const out = (s = '') => {
  lines.push(s)
  console.log(s)
}

out('Bundle size of the built dist/ as a host app bundles it (esbuild, production, minified;')
out(`external: ${peers.join(', ')})`)
out()
out(`${'what'.padEnd(32)} ${'min'.padStart(9)} ${'gzip'.padStart(9)} ${'goal'.padStart(9)}`)
let all
for (const [label, contents] of rows) {
  const r = await measure(contents)
  if (label.startsWith('everything')) all = r
  const goal = goals[label]
  const over = goal !== undefined && r.gzip > goal
  if (over) failures.push(`${label}: ${fmt(r.gzip)} gzip > goal ${fmt(goal)}`)
  out(
    `${label.padEnd(32)} ${fmt(r.min).padStart(9)} ${fmt(r.gzip).padStart(9)} ${(goal ? `≤ ${fmt(goal)}` : '—').padStart(9)}${over ? '  OVER' : ''}`,
  )
}

out()
out('loaded lazily (import() on first use; not in the figures above)')
const describe = (inputs) => {
  // "react: CallHistoryBody, CallHistoryDetail" for our files (without dist/ and .js), package names for others.
  const names = new Map()
  for (const i of inputs) {
    const m = i.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.*)$/)
    const ours = i.match(/(?:packages\/(\w+)\/)?dist\/(.*)$/)
    if (m && !m[1].startsWith('@ringline')) names.set(m[1], [])
    else if (ours) {
      const pkg = ours[1] ?? '?'
      // Chunk names without their content hash, so the README section only changes when sizes do.
      const file = ours[2]
        .replace(/-[A-Z0-9]{8}\.js$/, '.js')
        .replace(/\.js$/, '')
        .replace(/^components\//, '')
      names.set(pkg, [...(names.get(pkg) ?? []), file])
    } else names.set(i, [])
  }
  return [...names].map(([k, files]) => (files.length ? `${k}: ${files.join(', ')}` : k)).join('; ')
}
for (const l of all.lazy) {
  out(
    `  ${describe(l.inputs).slice(0, 70).padEnd(70)} ${fmt(l.bytes.length).padStart(9)} ${fmt(gzip(l.bytes)).padStart(9)}`,
  )
}
// Opt-in entry: the Twilio Voice transport (its SDK, a peer, is itself loaded with import() on first use).
{
  const base = await measure("export { createCallClient } from '@ringline/core'")
  const withTwilio = await measure(
    "export { createCallClient } from '@ringline/core'; export { twilioVoiceTransport } from '@ringline/core/twilio'",
  )
  out(
    `  ${'twilioVoiceTransport (@ringline/core/twilio, opt-in, added size)'.padEnd(70)} ${fmt(withTwilio.min - base.min).padStart(9)} ${fmt(withTwilio.gzip - base.gzip).padStart(9)}`,
  )
}
const css = `${root}packages/react/dist/styles.css`
if (existsSync(css)) {
  const bytes = readFileSync(css)
  out()
  out(
    `CSS (separate file, not counted): @ringline/react/styles.css ${fmt(bytes.length)} raw, ${fmt(gzip(bytes))} gzip`,
  )
}
if (quotedAnchors.length) {
  out()
  for (const [label, value] of quotedAnchors) out(`anchor (quoted) ${label}: ${value}`)
} else {
  out()
  out(
    'anchors: none installed in this workspace (not added as dependencies); see issue #17 for the quoted figures',
  )
}

if (args.has('--write-readme') || args.has('--check')) {
  const readme = `${root}packages/react/README.md`
  const text = readFileSync(readme, 'utf8')
  const start = '<!-- size:start -->'
  const end = '<!-- size:end -->'
  const section = `${start}\n\nGenerated by \`node scripts/bench-size.mjs --write-readme\`, measured on the built packages:\n\n\`\`\`text\n${lines.join('\n')}\n\`\`\`\n\n${end}`
  let next
  if (text.includes(start) && text.includes(end)) {
    next = text.slice(0, text.indexOf(start)) + section + text.slice(text.indexOf(end) + end.length)
  } else {
    next = `${text.trimEnd()}\n\n## Size\n\n${section}\n`
  }
  if (args.has('--check')) {
    if (next !== text)
      failures.push('packages/react/README.md size section is out of date: run with --write-readme')
  } else if (next !== text) {
    writeFileSync(readme, next)
    console.log('\nwrote the size section of packages/react/README.md')
  }
}

if (failures.length) {
  console.error(`\n!!! BUNDLE SIZE GOAL EXCEEDED !!!\n${failures.map((f) => `  - ${f}`).join('\n')}`)
  process.exit(1)
}
