// The sandbox's vitest setup (real livekit-server, livekit-sip, Redis and the sipp phone).
// Imported from source: global setups load outside vitest's resolver, so the @ringline/source condition does not apply.
export { default } from '../../../packages/sandbox/src/vitest'
