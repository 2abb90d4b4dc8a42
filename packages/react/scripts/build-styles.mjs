// Writes dist/styles.css: src/styles.css plus a fallback for browsers without CSS light-dark() (Safari < 17.5,
// Chrome < 123, Firefox < 120). There every `--rl-*: light-dark(L, D)` declaration is invalid, so the fallback
// declares L and D again as plain values: light by default, dark for the OS dark setting and [data-theme="dark"].
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Splits `light-dark(a, b)`'s argument list at its top-level comma (colours may hold commas inside parens). */
function splitArgs(args) {
  let depth = 0
  for (let i = 0; i < args.length; i++) {
    const c = args[i]
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ',' && depth === 0) return [args.slice(0, i).trim(), args.slice(i + 1).trim()]
  }
  throw new Error(`light-dark() needs two arguments: ${args}`)
}

/** Every custom property written as `--name: light-dark(light, dark);`, in source order. */
export function lightDarkVariables(css) {
  const vars = []
  const re = /(--[\w-]+)\s*:\s*light-dark\(/g
  for (let m = re.exec(css); m; m = re.exec(css)) {
    let depth = 1
    let i = re.lastIndex
    for (; i < css.length && depth > 0; i++) {
      if (css[i] === '(') depth++
      else if (css[i] === ')') depth--
    }
    const [light, dark] = splitArgs(css.slice(re.lastIndex, i - 1))
    vars.push({ name: m[1], light, dark })
    re.lastIndex = i
  }
  return vars
}

/** The `@supports not (color: light-dark(...))` block for `css`. */
export function lightDarkFallback(css) {
  const vars = lightDarkVariables(css)
  if (vars.length === 0) return ''
  const decl = (pick, indent) => vars.map((v) => `${indent}${v.name}: ${v[pick]};`).join('\n')
  return `
/* Generated at build: the same colours for browsers without light-dark(). */
@supports not (color: light-dark(#000, #fff)) {
  :root,
  [data-theme="light"] {
${decl('light', '    ')}
  }
  @media (prefers-color-scheme: dark) {
    :root:not([data-theme="light"]) {
${decl('dark', '      ')}
    }
  }
  [data-theme="dark"] {
${decl('dark', '    ')}
  }
}
`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [from = 'src/styles.css', to = 'dist/styles.css'] = process.argv.slice(2)
  const css = readFileSync(from, 'utf8')
  mkdirSync(dirname(to), { recursive: true })
  writeFileSync(to, css + lightDarkFallback(css))
}
