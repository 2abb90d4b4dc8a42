import { ringlineProject } from '../../vitest.shared'
import { ALL_TESTS, INTEGRATION_ONLY } from './test/projects'

// Pure and PGlite tests: no PostgreSQL cluster, no sandbox.
export default ringlineProject({
  test: {
    sequence: { groupOrder: 0 },
    name: 'server-unit',
    environment: 'node',
    include: ALL_TESTS,
    exclude: INTEGRATION_ONLY,
    provide: { storeKinds: ['pglite'] },
  },
})
