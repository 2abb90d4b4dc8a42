// Shared tsup setup of the browser packages: one output file per source module (dist/ mirrors src/), each importing
// its neighbours by their built name. A host's bundler then splits and tree-shakes at our module boundaries: a page
// using one component carries only the modules it reaches, and code reached only through import() (the LiveKit
// session, phone metadata, consult, the sound engine) stays out of the first load even in esbuild, whose chunks are
// whole files.
import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import type { Options } from 'tsup'

/** Source files of a package that become dist/ modules (tests, type tests and declarations excluded). */
export const moduleEntries = [
  'src/**/*.ts',
  'src/**/*.tsx',
  '!src/**/*.test.ts',
  '!src/**/*.test.tsx',
  '!src/**/*.test-d.ts',
  '!src/**/*.d.ts',
]

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '/index.ts', '/index.tsx']

/** Rewrites each relative import to the sibling output file (`./x` → `./x.js` or `./x.cjs`) and keeps it external. */
const siblingModules = {
  name: 'ringline-sibling-modules',
  setup(build: {
    initialOptions: { format?: string }
    onResolve: (o: { filter: RegExp }, cb: (a: ResolveArgs) => ResolveResult) => void
  }) {
    const outExtension = build.initialOptions.format === 'cjs' ? '.cjs' : '.js'
    build.onResolve({ filter: /^\.\.?(\/|$)/ }, (args) => {
      if (args.kind === 'entry-point') return undefined
      const base = resolve(args.resolveDir, args.path)
      const found = SOURCE_EXTENSIONS.map((ext) => base + ext).find((p) => existsSync(p))
      if (!found) return undefined
      let path = relative(args.resolveDir, found).replace(/\.tsx?$/, outExtension)
      if (!path.startsWith('.')) path = `./${path}`
      return { path, external: true }
    })
  },
}
interface ResolveArgs {
  path: string
  resolveDir: string
  kind: string
}
type ResolveResult = { path: string; external: true } | undefined

/** tsup options for an unbundled ESM + CJS build whose declarations are rolled up for `dtsEntries` only. */
export function unbundled(dtsEntries: Record<string, string>): Options {
  return {
    entry: moduleEntries,
    format: ['esm', 'cjs'],
    dts: { entry: dtsEntries },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    bundle: true,
    splitting: false,
    treeshake: false,
    esbuildPlugins: [siblingModules],
  }
}
