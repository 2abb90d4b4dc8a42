// `pnpm --filter @ringline/server bench`: prints figures, asserts nothing.
import { benchCalls } from './calls.bench'
import { benchEvents } from './events.bench'
import { benchHistory } from './history.bench'
import { benchTokens } from './tokens.bench'
import { benchWebhooks } from './webhooks.bench'

await benchTokens()
await benchWebhooks(process.env.BENCH_DATABASE_URL)
await benchEvents()
await benchCalls()
await benchHistory(process.env.BENCH_DATABASE_URL)
