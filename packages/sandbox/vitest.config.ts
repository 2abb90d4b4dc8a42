import { ringlineProject } from '../../vitest.shared'

export default ringlineProject({
  test: { name: 'sandbox', environment: 'node', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
})
