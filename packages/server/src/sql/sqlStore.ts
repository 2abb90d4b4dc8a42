import { retryingOnce } from '../retryingOnce'
import { runMigrations } from './migrate'
import type { RinglineStore, SqlDriver, Transaction } from './types'

/** Wraps a driver into a store whose first query runs the migrations (once, retried after a failure). */
export function createSqlStore(driver: SqlDriver, options: { migrate?: boolean } = {}): RinglineStore {
  const migrate = retryingOnce(() => runMigrations(driver))
  const autoMigrate = options.migrate !== false
  const before = async (): Promise<void> => {
    if (autoMigrate) await migrate()
  }
  return {
    kind: driver.kind,
    migrate,
    async query(sql, params) {
      await before()
      return driver.query(sql, params)
    },
    async exec(sql) {
      await before()
      return driver.exec(sql)
    },
    async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
      await before()
      return driver.transaction(fn)
    },
    ...(driver.listen ? { listen: driver.listen.bind(driver) } : {}),
    ...(driver.notify ? { notify: driver.notify.bind(driver) } : {}),
    close: () => driver.close(),
  }
}
