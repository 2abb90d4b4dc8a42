import { ringlineProject } from '../../vitest.shared'

export default ringlineProject({
  test: { name: 'core', environment: 'node', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
})
