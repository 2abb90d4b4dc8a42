import { AccessToken, TrackSource } from 'livekit-server-sdk'
import { createRingline } from '../src/ringline'
import { memoryStore } from '../src/sql/memoryStore'
import { postgresStore } from '../src/sql/postgresStore'
import type { RinglineStore } from '../src/sql/types'
import { mintRoomToken } from '../src/tokens'
import { opsPerSecond, report, reportSequentialAndConcurrent } from './util'

const apiKey = 'APIbench'
const apiSecret = 'bench-secret-bench-secret-bench-secret-32'

/**
 * The token route's own cost on one store: `api.createToken` (join: room row, participant row, then the token), and
 * `POST /token` through the request handler as a browser sends it (origin check, `authorize`, revocation, body).
 */
async function routeCost(label: string, store: RinglineStore): Promise<void> {
  const principal = { userId: 'u1', tenantId: 'bench' }
  const ringline = createRingline({
    livekit: { url: 'http://127.0.0.1:9', apiKey, apiSecret },
    store,
    authorize: (request) => (request.headers.get('x-bench-user') ? principal : null),
  })
  await ringline.api.createToken(principal, { room: 'room' })
  const one = () => ringline.api.createToken(principal, { room: 'room' })
  // In flight: many users opening the app at once.
  await reportSequentialAndConcurrent(
    `tokens: api.createToken on ${label} (join + rows + token)`,
    'ops/s',
    one,
  )
  const body = JSON.stringify({ room: 'room' })
  const viaRoute = async () => {
    const res = await ringline.handler(
      new Request('http://bench.local/api/ringline/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://bench.local', 'x-bench-user': '1' },
        body,
      }),
    )
    if (res.status !== 200) throw new Error(`POST /token answered ${res.status}: ${await res.text()}`)
    await res.arrayBuffer()
  }
  await reportSequentialAndConcurrent(
    `tokens: POST /token on ${label} (router + the above)`,
    'req/s',
    viaRoute,
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
