import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    protocol: 'src/protocol/index.ts',
    twilio: 'src/twilio/index.ts',
    testing: 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: true,
  treeshake: true,
  // livekit-client and @twilio/voice-sdk are peer dependencies, loaded with import() on first call.
  external: ['livekit-client', '@twilio/voice-sdk'],
})
