export { VERSION } from '@ringline/core'
