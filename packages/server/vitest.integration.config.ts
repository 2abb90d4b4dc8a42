import { ringlineProject } from '../../vitest.shared'
import { INTEGRATION_ONLY, STORE_SUITES } from './test/projects'

// The store suites on PostgreSQL, multi-instance tests, and the tests on the sandbox (real LiveKit + SIP + phone).
export default ringlineProject({
  test: {
    sequence: { groupOrder: 2 },
    name: 'server-integration',
    environment: 'node',
    include: [...INTEGRATION_ONLY, ...STORE_SUITES],
    provide: { storeKinds: ['postgres'] },
    // A throwaway PostgreSQL for the store suite, and the sandbox (real LiveKit + SIP + phone) for test/integration.
    globalSetup: ['test/postgresSetup.ts', 'test/sandboxSetup.ts'],
  },
})
