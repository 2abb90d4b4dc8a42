// Twilio routes on two server instances sharing one PostgreSQL database: the onboarding locks hold across them.
import { describe, expect, it } from 'vitest'
import { sqlTwilioOnboardingStore } from '../src/numbers/sqlTwilioOnboardingStore'
import { postgresStore } from '../src/sql/postgresStore'
import type { RinglineStore } from '../src/sql/types'
import { createRecordingLivekitProvisioner } from '../src/testing'
import { freshDatabaseUrl } from './helpers'
import {
  answers,
  call,
  creds,
  expectNoSecrets,
  expectOneSetup,
  pn,
  server,
  sim,
  useTwilioSimulator,
} from './twilioRoutesFixture'

useTwilioSimulator()

describe('twilio routes: two server instances on one PostgreSQL database', () => {
  it('10 concurrent connects split over both instances set up one trunk, one URL, one attachment', async () => {
    answers.length = 0
    const url = await freshDatabaseUrl()
    const storeA = postgresStore({ connectionString: url })
    const storeB = postgresStore({ connectionString: url })
    await storeA.migrate()
    const livekit = createRecordingLivekitProvisioner()
    const a = server(storeA, { livekit })
    const b = server(storeB, { livekit })
    try {
      expect((await call(a.ringline, 'PUT', '/twilio/credentials', { body: creds })).status).toBe(200)
      sim.fault('*', { delayMs: 15, times: Number.POSITIVE_INFINITY })
      const sid = pn('+14155550100')
      const sid3 = pn('+14155550103')
      const results = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) =>
          call(i % 2 ? a.ringline : b.ringline, 'POST', `/twilio/numbers/${sid}/connect`, { body: {} }),
        ),
        call(b.ringline, 'POST', `/twilio/numbers/${sid3}/connect`, { body: {} }),
      ])
      expect(results.map((x) => x.status)).toEqual(Array(11).fill(200))
      expectOneSetup(['+14155550100', '+14155550103'])
      expect(
        sim.requests.filter((q) => q.routeId === 'trunkPhoneNumbers.create' && q.status < 300),
      ).toHaveLength(2)
      expect(
        livekit.state.calls.filter((c) => c.method === 'provisionInbound' && c.e164 === '+14155550100')
          .length,
      ).toBe(10)
      expect(livekit.state.inbound.size).toBe(2)
      const status = await call(b.ringline, 'GET', `/twilio/numbers/${sid}/status`)
      expect(status.body).toMatchObject({ status: 'connected', drift: [] })
      await expectNoSecrets([storeA], [a.ringline, b.ringline])
    } finally {
      await a.ringline.close()
      await b.ringline.close()
    }
  })

  it('control: without locks the same race duplicates Twilio resources (so the test above can fail)', async () => {
    const url = await freshDatabaseUrl()
    const storeA = postgresStore({ connectionString: url })
    const storeB = postgresStore({ connectionString: url })
    const unlocked = (st: RinglineStore) => ({
      ...sqlTwilioOnboardingStore(st),
      withLock: <T>(_key: string, fn: () => Promise<T>) => fn(),
    })
    const a = server(storeA, { store: unlocked(storeA) })
    const b = server(storeB, { store: unlocked(storeB) })
    try {
      expect((await call(a.ringline, 'PUT', '/twilio/credentials', { body: creds })).status).toBe(200)
      // Deterministic, not timing-dependent: every trunk creation is held until two connects have both decided
      // to create one (what the locks prevent). Released after 10 s regardless, so a run that never races fails.
      let release!: () => void
      const barrier = new Promise<void>((r) => {
        release = r
      })
      const creates = sim.fault('trunks.create', { until: barrier, times: Number.POSITIVE_INFINITY })
      const started = Date.now()
      const watch = setInterval(() => {
        if (creates.hits >= 2 || Date.now() - started > 10_000) release()
      }, 5)
      const sid = pn('+14155550100')
      try {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            call(i % 2 ? a.ringline : b.ringline, 'POST', `/twilio/numbers/${sid}/connect`, { body: {} }),
          ),
        )
      } finally {
        clearInterval(watch)
      }
      expect(creates.hits).toBeGreaterThanOrEqual(2)
      const created = (route: string) =>
        sim.requests.filter((q) => q.routeId === route && q.status < 300).length
      expect(created('trunks.create') + created('originationUrls.create')).toBeGreaterThan(2)
    } finally {
      await a.ringline.close()
      await b.ringline.close()
    }
  })
})
