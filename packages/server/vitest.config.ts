import { ringlineProject } from '../../vitest.shared'

export default ringlineProject({
  test: {
    sequence: { groupOrder: 2 },
    name: 'server',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A throwaway PostgreSQL for the store suite, and the sandbox (real LiveKit + SIP + phone) for test/integration.
    globalSetup: ['test/postgresSetup.ts', 'test/sandboxSetup.ts'],
  },
})
