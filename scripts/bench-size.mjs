// Prints bundle sizes (minified + gzip, peers excluded) of the React widgets a host app would ship.
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = new URL('..', import.meta.url).pathname
const peers = ['react', 'react-dom', 'react/jsx-runtime', 'livekit-client', '@twilio/voice-sdk']

async function size(label, contents) {
  const result = await build({
    // Resolved from the example app, a consumer of both packages, on their source.
    stdin: { contents, resolveDir: `${root}apps/example-next`, loader: 'ts' },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['@ringline/source'],
    external: peers,
    logLevel: 'silent',
    treeShaking: true,
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  const code = result.outputFiles[0].contents
  const gz = gzipSync(code, { level: 9 }).length
  console.log(
    `${label.padEnd(34)} ${(code.length / 1024).toFixed(1).padStart(7)} kB min ${(gz / 1024).toFixed(1).padStart(6)} kB gzip`,
  )
}

console.log('bundle size (peers excluded: react, react-dom, livekit-client)')
await size('@ringline/core (createCallClient)', "export { createCallClient } from '@ringline/core'")
await size('@ringline/react Dialer alone', "export { Dialer } from '@ringline/react'")
await size(
  '@ringline/core + @ringline/react',
  "export * from '@ringline/core'; export * from '@ringline/react'",
)
