import { ringlineProject } from '../../vitest.shared'

export default ringlineProject({
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    // One browser and one app per file; files run one at a time so calls don't race for the sandbox phone.
    fileParallelism: false,
  },
})
