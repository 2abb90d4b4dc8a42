import { defineConfig } from 'vitest/config'
import { fastCheckSeed } from './vitest.shared'

console.log(
  `[ringline] fast-check seed ${fastCheckSeed} (${process.env.CI ? 'fixed under CI' : 'random'}; replay with FC_SEED=${fastCheckSeed})`,
)

// One run for the whole workspace: every package and app is a project with its own config. Projects run in
// groups (`sequence.groupOrder`): unit tests first (0, server-unit among them), then the sandbox (1), the server on
// PostgreSQL and the sandbox (2, server-integration) and
// the browser end-to-end tests (3), then the packed packages in host apps (4, apps/hosts), so real calls never race
// each other for the one sandbox phone.
export default defineConfig({
  test: {
    reporters: ['default', './scripts/vitestTimingReporter.ts'],
    projects: [
      'packages/*/vitest.config.ts',
      // The server's vitest.config.ts only groups its two projects; they are listed here instead.
      '!packages/server/vitest.config.ts',
      'packages/server/vitest.unit.config.ts',
      'packages/server/vitest.integration.config.ts',
      'apps/*/vitest.config.ts',
    ],
  },
})
