// Copies one file, creating the target folder (used to ship the React stylesheet).
import { copyFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

const [from, to] = process.argv.slice(2)
if (!from || !to) throw new Error('usage: copy.mjs <from> <to>')
mkdirSync(dirname(to), { recursive: true })
copyFileSync(from, to)
