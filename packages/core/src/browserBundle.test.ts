// The browser path ships no schema library and no full phone-number metadata: the server validates with zod, the
// browser only guards response shapes (protocol/guards.ts), and the full metadata loads lazily on first use. One
// value import of a zod-backed protocol module (say, a constant from protocol/calls.ts) pulls all of zod into every
// page; this catches it from the source, in a second, where `pnpm bench` would only print a bigger figure.
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

/** core's source entry, wherever vitest runs from (the package or the workspace root). */
const ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url))

const EXTERNAL = ['livekit-client', '@twilio/voice-sdk', 'react', 'react-dom']

async function eagerInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    external: EXTERNAL,
    splitting: true,
    outdir: 'out',
    logLevel: 'silent',
  })
  // Only what the entry's own chunk pulls in eagerly: inputs of outputs reachable by static imports.
  const outputs = result.metafile.outputs
  const entryOut = Object.keys(outputs).find((o) => outputs[o]?.entryPoint)
  const seen = new Set<string>()
  const walk = (name: string) => {
    if (seen.has(name)) return
    seen.add(name)
    for (const imp of outputs[name]?.imports ?? []) if (imp.kind === 'import-statement') walk(imp.path)
  }
  if (entryOut) walk(entryOut)
  return [...seen].flatMap((o) => Object.keys(outputs[o]?.inputs ?? {}))
}

describe('the browser bundle of @ringline/core', () => {
  it('pulls in neither zod nor full phone-number metadata eagerly', async () => {
    const inputs = await eagerInputs(ENTRY)
    expect(inputs.length).toBeGreaterThan(20)
    expect(inputs.filter((i) => /node_modules\/(\.pnpm\/)?zod/.test(i))).toEqual([])
    expect(inputs.filter((i) => /libphonenumber-js.*(metadata\.max|\/max\/)/.test(i))).toEqual([])
    expect(inputs.filter((i) => /protocol\/(calls|rooms|twilio|twilioVoice|media)\.ts$/.test(i))).toEqual([])
  })
})
