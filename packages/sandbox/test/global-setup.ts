export { default } from '../src/vitest'
