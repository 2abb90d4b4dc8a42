import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    'locales/de': 'src/locales/de.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: true,
  // esbuild alone keeps the 'use client' banner (rollup's treeshake pass drops module directives).
  treeshake: false,
  external: ['react', 'react-dom', 'livekit-client', '@ringline/core'],
  // Components are client components for React Server Components frameworks.
  banner: { js: "'use client'" },
})
