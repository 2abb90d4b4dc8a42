// @vitest-environment node
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
// @ts-expect-error -- a plain .mjs build script without declarations
import { lightDarkFallback, lightDarkVariables } from '../scripts/build-styles.mjs'

type Var = { name: string; light: string; dark: string }
const css = readFileSync(new URL('./styles.css', import.meta.url), 'utf8')

/** The declarations of the first rule in `block` whose selector starts with `selector`. */
function declarations(block: string, selector: string): Map<string, string> {
  const start = block.indexOf(`${selector}`)
  const body = block.slice(block.indexOf('{', start) + 1, block.indexOf('}', start))
  return new Map(
    body
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map(
        (d) => [d.slice(0, d.indexOf(':')).trim(), d.slice(d.indexOf(':') + 1).trim()] as [string, string],
      ),
  )
}

describe('styles.css light-dark() fallback', () => {
  const vars = lightDarkVariables(css) as Var[]

  it('finds every light-dark() variable, including colours with commas inside', () => {
    const written = css.match(/--[\w-]+\s*:\s*light-dark\(/g) ?? []
    expect(vars.length).toBe(written.length)
    expect(vars.length).toBeGreaterThan(10)
    const shadow = vars.find((v) => v.name === '--rl-shadow-color')
    expect(shadow).toEqual({
      name: '--rl-shadow-color',
      light: 'rgb(15 17 28 / 0.18)',
      dark: 'rgb(0 0 0 / 0.5)',
    })
  })

  it('declares the light value by default and the dark one for the OS setting and [data-theme="dark"]', () => {
    const fallback = lightDarkFallback(css) as string
    expect(fallback).toContain('@supports not (color: light-dark(#000, #fff))')
    const light = declarations(fallback, ':root,')
    const osDark = declarations(fallback, ':root:not([data-theme="light"])')
    const forcedDark = declarations(fallback, '  [data-theme="dark"]')
    for (const v of vars) {
      expect(light.get(v.name), v.name).toBe(v.light)
      expect(osDark.get(v.name), v.name).toBe(v.dark)
      expect(forcedDark.get(v.name), v.name).toBe(v.dark)
    }
    // Only the @supports condition names light-dark(); no fallback value uses it.
    expect(fallback.slice(fallback.indexOf('{'))).not.toContain('light-dark(')
  })

  it('rejects a light-dark() with one argument', () => {
    expect(() => lightDarkFallback(':root { --rl-x: light-dark(#fff); }')).toThrow(/two arguments/)
  })
})
