import { defineConfig } from 'tsup'
import { unbundled } from '../../tsup.unbundled'

export default defineConfig({
  ...unbundled({
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'locales/de': 'src/locales/de.ts',
  }),
  external: ['react', 'react-dom', 'livekit-client', '@ringline/core'],
  // Components are client components for React Server Components frameworks.
  banner: { js: "'use client'" },
})
