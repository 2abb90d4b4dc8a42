// `pnpm --filter @ringline/server bench`: prints figures, asserts nothing.
import { benchCalls } from './calls.bench'
import { benchEvents } from './events.bench'
import { benchFanout } from './fanout.bench'
import { benchHistory } from './history.bench'
import { benchTokens } from './tokens.bench'
import { throwawayPostgres } from './util'
import { benchWebhooks } from './webhooks.bench'

// PostgreSQL figures on BENCH_DATABASE_URL, else on a throwaway local cluster (Debian's postgresql-15) when there is one.
const pg = process.env.BENCH_DATABASE_URL ? null : await throwawayPostgres()
const postgresUrl = process.env.BENCH_DATABASE_URL ?? pg?.url
try {
  await benchTokens(postgresUrl)
  await benchWebhooks(postgresUrl)
  await benchEvents()
  await benchFanout()
  await benchCalls()
  await benchHistory(postgresUrl)
} finally {
  pg?.stop()
}
