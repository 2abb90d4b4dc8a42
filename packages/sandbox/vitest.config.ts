import { ringlineProject } from '../../vitest.shared'

export default ringlineProject({
  test: {
    sequence: { groupOrder: 1 },
    name: 'sandbox',
    environment: 'node',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Starts (or attaches to) the sandbox once for every test file; see src/vitest.ts.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    // Real processes and real-time media: give slow, shared CI machines room.
    hookTimeout: 300_000,
  },
})
