import { ringlineProject } from '../../vitest.shared'

export default ringlineProject({
  test: {
    name: 'server',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/postgresSetup.ts'],
  },
})
