// Which test files need PostgreSQL or the sandbox (server-integration) and which run without either (server-unit).

/** Suites that run once per store kind (`STORE_KINDS`): PGlite in server-unit, PostgreSQL in server-integration. */
export const STORE_SUITES = [
  'test/store.test.ts',
  'test/history.test.ts',
  'test/twilio.routes.test.ts',
  'test/cli.test.ts',
  'test/webhookBatching.test.ts',
  'test/participantFacts.test.ts',
]

/** Suites that need the sandbox's livekit-server / livekit-sip or the test PostgreSQL cluster. */
export const INTEGRATION_ONLY = [
  'test/integration/**/*.test.ts',
  'test/**/*.postgres.test.ts',
  'test/reconcile.test.ts',
  'src/agents/dispatchAgent.test.ts',
  'src/recording/recordingService.test.ts',
  'src/transcripts/transcriptCollector.test.ts',
]

/** Every test file of the package. */
export const ALL_TESTS = ['src/**/*.test.ts', 'test/**/*.test.ts']
