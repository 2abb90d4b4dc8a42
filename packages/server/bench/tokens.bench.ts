import { AccessToken, TrackSource } from 'livekit-server-sdk'
import { createRingline } from '../src/ringline'
import { memoryStore } from '../src/sql/memoryStore'
import { postgresStore } from '../src/sql/postgresStore'
import type { RinglineStore } from '../src/sql/types'
import { mintRoomToken } from '../src/tokens'
import { opsPerSecond, report, reportSequentialAndConcurrent } from './util'

const apiKey = 'APIbench'
const apiSecret = 'bench-secret-bench-secret-bench-secret-32'

/** The token route's own cost (join: room row, participant row, then the token) on one store. */
async function routeCost(label: string, store: RinglineStore): Promise<void> {
  const ringline = createRingline({
    livekit: { url: 'http://127.0.0.1:9', apiKey, apiSecret },
    store,
    authorize: () => null,
  })
  const principal = { userId: 'u1', tenantId: 'bench' }
  await ringline.api.createToken(principal, { room: 'room' })
  const one = () => ringline.api.createToken(principal, { room: 'room' })
  // In flight: many users opening the app at once.
  await reportSequentialAndConcurrent(
    `tokens: api.createToken on ${label} (join + rows + token)`,
    'ops/s',
    one,
  )
  await ringline.close()
}

/** Token minting inside Ringline (the mint alone) vs a bare AccessToken.toJwt; the route's own cost apart, per store. */
export async function benchTokens(postgresUrl: string | undefined): Promise<void> {
  const bare = await opsPerSecond(async () => {
    const at = new AccessToken(apiKey, apiSecret, { identity: 'bench:u1', ttl: 3600 })
    at.addGrant({
      roomJoin: true,
      room: 'int-bench-room',
      canPublish: true,
      canSubscribe: true,
      canPublishData: true,
      canPublishSources: [TrackSource.MICROPHONE],
    })
    await at.toJwt()
  })
  const mint = await opsPerSecond(() =>
    mintRoomToken({
      apiKey,
      apiSecret,
      serverUrl: 'ws://127.0.0.1:9',
      roomName: 'int-bench-room',
      identity: 'bench:u1',
      ttl: 3600,
    }),
  )
  report('tokens: bare AccessToken.toJwt', `${bare.toFixed(0)} ops/s`)
  report(
    "tokens: mintRoomToken (Ringline's mint alone)",
    `${mint.toFixed(0)} ops/s (${(mint / bare).toFixed(2)}× bare)`,
  )
  await routeCost('PGlite', memoryStore())
  if (postgresUrl) await routeCost('PostgreSQL', postgresStore({ connectionString: postgresUrl }))
  else report('tokens: PostgreSQL', 'skipped (set BENCH_DATABASE_URL or install postgresql-15)')
}
