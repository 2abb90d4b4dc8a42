import { ringlineProject } from '../../vitest.shared'

export default ringlineProject({
  test: {
    sequence: { groupOrder: 0 },
    name: 'core',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
})
