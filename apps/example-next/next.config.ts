import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NextConfig } from 'next'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '../..')
// Turbopack resolves alias targets relative to the app folder.
const src = (path: string) => `../../packages/${path}`

// The example runs on the packages' source (no prior build), like vitest and Storybook do through the
// `@ringline/source` export condition; Turbopack takes that mapping as aliases.
const sourceAliases: Record<string, string> = {
  '@ringline/core/protocol': src('core/src/protocol/index.ts'),
  '@ringline/core/twilio': src('core/src/twilio/index.ts'),
  '@ringline/core/testing': src('core/src/testing/index.ts'),
  '@ringline/core': src('core/src/index.ts'),
  '@ringline/react/styles.css': src('react/src/styles.css'),
  '@ringline/react': src('react/src/index.ts'),
  '@ringline/server/next': src('server/src/adapters/next.ts'),
  '@ringline/server/testing': src('server/src/testing/index.ts'),
  '@ringline/server': src('server/src/index.ts'),
  '@ringline/sandbox': src('sandbox/src/index.ts'),
}

const config: NextConfig = {
  reactStrictMode: true,
  turbopack: { root: repo, resolveAlias: sourceAliases },
  transpilePackages: ['@ringline/core', '@ringline/react', '@ringline/server'],
  // Native and WASM modules stay in node_modules on the server.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', 'twilio', '@livekit/rtc-node'],
}

export default config
