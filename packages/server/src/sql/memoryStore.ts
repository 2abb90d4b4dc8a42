import { pgliteDriver } from './pgliteStore'
import { createSqlStore } from './sqlStore'
import type { RinglineStore } from './types'

/** A throwaway store for tests and demos: an in-memory PGlite, so it runs the very same SQL as production. */
export function memoryStore(): RinglineStore {
  return createSqlStore(pgliteDriver('memory'))
}
