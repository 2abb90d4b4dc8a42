import { defineConfig } from 'tsup'
import { unbundled } from '../../tsup.unbundled'

export default defineConfig({
  ...unbundled({
    index: 'src/index.ts',
    'protocol/index': 'src/protocol/index.ts',
    'twilio/index': 'src/twilio/index.ts',
    'testing/index': 'src/testing/index.ts',
  }),
  // livekit-client and @twilio/voice-sdk are peer dependencies, loaded with import() on first call.
  external: ['livekit-client', '@twilio/voice-sdk'],
})
