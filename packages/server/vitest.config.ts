import { defineConfig } from 'vitest/config'

// `vitest run` in this package runs both server projects; the workspace root lists them itself.
export default defineConfig({
  test: { projects: ['./vitest.unit.config.ts', './vitest.integration.config.ts'] },
})
