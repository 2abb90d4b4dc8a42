import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli.ts',
    vitest: 'src/vitest.ts',
    // The hub runs as its own process; the sandbox spawns dist/hub-main.(c)js next to itself.
    'hub-main': 'src/hub-main.ts',
    // The local S3 (s3rver) likewise: dist/s3-main.(c)js.
    's3-main': 'src/s3-main.ts',
  },
  format: ['esm', 'cjs'],
  dts: {
    entry: { index: 'src/index.ts', vitest: 'src/vitest.ts' },
    // vitest only has an exports map, which the default node10 resolution of the dts build cannot read.
    compilerOptions: { moduleResolution: 'bundler', module: 'esnext' },
  },
  sourcemap: true,
  clean: true,
  platform: 'node',
  target: 'es2022',
  splitting: true,
  treeshake: true,
  shims: true,
  external: ['vitest', 'vitest/node', 's3rver'],
})
