import { ringlineProject } from '../../vitest.shared'

export default ringlineProject({
  test: {
    sequence: { groupOrder: 3 },
    name: 'e2e',
    environment: 'node',
    include: ['e2e/**/*.e2e.test.ts'],
    // The example app on the real sandbox (LiveKit, SIP, phone), driven in Debian Chromium.
    globalSetup: ['./e2e/sandboxSetup.ts'],
    testTimeout: 120_000,
    // One app per file; files run one at a time so calls don't race for the sandbox phone.
    fileParallelism: false,
  },
})
