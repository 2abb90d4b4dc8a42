import { ringlineProject } from '../../vitest.shared'

export default ringlineProject({
  test: {
    sequence: { groupOrder: 0 },
    name: 'react',
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['./test/setup.ts'],
  },
})
