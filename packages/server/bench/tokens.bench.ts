import { AccessToken, TrackSource } from 'livekit-server-sdk'
import { createRingline } from '../src/ringline'
import { memoryStore } from '../src/sql/memoryStore'
import { opsPerSecond, report } from './util'

/** Token minting through Ringline's api (auth + DB row + token) vs a bare AccessToken.toJwt. */
export async function benchTokens(): Promise<void> {
  const apiKey = 'APIbench'
  const apiSecret = 'bench-secret-bench-secret-bench-secret-32'
  const ringline = createRingline({
    livekit: { url: 'http://127.0.0.1:9', apiKey, apiSecret },
    store: memoryStore(),
    authorize: () => null,
  })
  const principal = { userId: 'u1', tenantId: 'bench' }
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
  await ringline.api.createToken(principal, { room: 'room' })
  const api = await opsPerSecond(() => ringline.api.createToken(principal, { room: 'room' }))
  report('tokens: bare AccessToken.toJwt', `${bare.toFixed(0)} ops/s`)
  report(
    'tokens: ringline.api.createToken (join + row + token)',
    `${api.toFixed(0)} ops/s (${(api / bare).toFixed(2)}× bare)`,
  )
  await ringline.close()
}
