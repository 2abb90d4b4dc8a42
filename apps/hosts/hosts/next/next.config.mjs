// Load @ringline/server from node_modules at run time instead of bundling it: its optional drivers (`pg`,
// `@livekit/rtc-node`) are imported only when used, and PGlite reads its WASM files from its own folder.
export default { serverExternalPackages: ['@ringline/server'] }
