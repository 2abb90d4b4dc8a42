import { ringlineProject } from '../../vitest.shared'

export default ringlineProject({
  test: {
    // After the browser end-to-end tests (3): these calls use the same sandbox phone.
    sequence: { groupOrder: 4 },
    name: 'hosts',
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // The sandbox (real LiveKit, SIP, phone); the hosts are separate node processes started by the test.
    globalSetup: ['./test/sandboxSetup.ts'],
    // Packing and one npm install happen in beforeAll (hookTimeout); each host's call gets two minutes.
    testTimeout: 120_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
})
