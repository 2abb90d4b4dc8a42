import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DoctorCheck, formatDoctor, runDoctor } from './doctor'
import { pgliteStore } from './sql/pgliteStore'
import { startS3Fake } from './testing/s3/s3Fake'
import { createTwilioSimulator } from './testing/twilioSimulator/createTwilioSimulator'

const sim = createTwilioSimulator({ accounts: [{ numbers: [{ phoneNumber: '+14155550100' }] }] })
const account = sim.account(0)
const key = account.keys[0] as { sid: string; secret: string }

const servers: Server[] = []
/** A local HTTP server answering every request with `status` and `body` of `type`; resolves with its origin. */
async function serve(status: number, type: string, body: string): Promise<string> {
  const server = createServer((_, res) => {
    res.writeHead(status, { 'content-type': type })
    res.end(body)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(() => sim.listen({ onUnhandledRequest: 'bypass' }))
afterAll(async () => {
  sim.close()
  for (const server of servers) await new Promise((resolve) => server.close(resolve))
})

const byName = (checks: DoctorCheck[], name: string) => checks.find((c) => c.name === name)

describe('ringline doctor', () => {
  it('names every missing setting and exits 1, without touching the network', async () => {
    const checks = await runDoctor({ env: {}, store: null })
    const failed = checks.filter((c) => c.status === 'fail').map((c) => c.name)
    expect(failed).toEqual([
      'LIVEKIT_URL',
      'LIVEKIT_API_KEY',
      'LIVEKIT_API_SECRET',
      'LIVEKIT_SIP_OUTBOUND_TRUNK_ID',
      'RINGLINE_CALLER_ID',
      'RINGLINE_SECRET_KEY',
    ])
    expect(byName(checks, 'livekit')).toBeUndefined()
    expect(byName(checks, 'store')?.status).toBe('info')
    expect(byName(checks, 'public-url')?.text).toContain('/api/ringline/webhooks/livekit')
    const { lines, code } = formatDoctor(checks)
    expect(code).toBe(1)
    expect(lines.at(-1)).toBe('6 thing(s) to fix.')
    expect(lines[0]).toBe('✗ Set LIVEKIT_URL (e.g. wss://your-project.livekit.cloud).')
  })

  it('says LiveKit did not answer when its URL leads nowhere, and never prints the secret', async () => {
    const secret = 'doctor-secret-that-must-not-be-printed'
    const checks = await runDoctor({
      env: { LIVEKIT_URL: 'http://127.0.0.1:9', LIVEKIT_API_KEY: 'APIdoc', LIVEKIT_API_SECRET: secret },
      store: null,
      timeoutMs: 3000,
    })
    expect(byName(checks, 'livekit')).toMatchObject({ status: 'fail' })
    expect(byName(checks, 'livekit')?.text).toMatch(/^LiveKit did not answer \(.+\): check LIVEKIT_URL/)
    expect(formatDoctor(checks).lines.join('\n')).not.toContain(secret)
  })

  it("reaches the public URL through Ringline's health route, and tells another app from Ringline", async () => {
    const ringline = await serve(503, 'application/json', '{"ok":false}')
    const good = await runDoctor({ env: { RINGLINE_PUBLIC_URL: `${ringline}/` }, store: null })
    expect(byName(good, 'public-url')).toMatchObject({ status: 'ok' })
    expect(byName(good, 'public-url')?.text).toContain(`${ringline}/api/ringline/webhooks/livekit`)

    const other = await serve(404, 'text/html', '<h1>Not found</h1>')
    const wrong = await runDoctor({ env: { RINGLINE_PUBLIC_URL: other }, store: null })
    expect(byName(wrong, 'public-url')).toMatchObject({ status: 'fail' })
    expect(byName(wrong, 'public-url')?.text).toContain('answered 404')

    const gone = await runDoctor({ env: { RINGLINE_PUBLIC_URL: 'http://127.0.0.1:9' }, store: null })
    expect(byName(gone, 'public-url')?.text).toContain('is not reachable')
  })

  it('checks the store: no schema, then migrated with no webhook yet, then the last webhook seen', async () => {
    // The CLI opens stores without migrating them (`ringline migrate` does that).
    const store = pgliteStore({ migrate: false })
    const fresh = await runDoctor({ env: {}, store })
    expect(byName(fresh, 'store')).toMatchObject({ status: 'fail' })
    expect(byName(fresh, 'store')?.text).toContain('ringline migrate')

    await store.migrate()
    const quiet = await runDoctor({ env: {}, store })
    expect(byName(quiet, 'store')?.status).toBe('ok')
    expect(byName(quiet, 'webhooks')).toMatchObject({ status: 'warn' })

    await store.query(
      "INSERT INTO ringline_webhook_events (id, event, received_at) VALUES ('EV_doc', 'room_started', $1)",
      [new Date('2026-01-01T10:00:00Z')],
    )
    const seen = await runDoctor({ env: {}, store, now: () => new Date('2026-01-01T10:05:00Z') })
    expect(byName(seen, 'webhooks')).toEqual({
      status: 'ok',
      name: 'webhooks',
      text: 'Last LiveKit webhook received 5 min ago',
    })
    // The webhook health per tenant, through the call record of the event's room.
    await store.query(
      "INSERT INTO ringline_calls (id, tenant_id, direction, status, room_name) VALUES ('c_doc', 'acme', 'internal', 'completed', 'int-acme-standup')",
    )
    await store.query(
      "INSERT INTO ringline_webhook_events (id, event, room_name, received_at) VALUES ('EV_doc2', 'participant_joined', 'int-acme-standup', '2026-01-01T10:03:00Z')",
    )
    const perTenant = await runDoctor({ env: {}, store, now: () => new Date('2026-01-01T10:05:00Z') })
    expect(perTenant.filter((c) => c.name === 'webhooks-tenant')).toEqual([
      {
        status: 'info',
        name: 'webhooks-tenant',
        text: 'Tenant acme: last LiveKit event participant_joined 2 min ago (room int-acme-standup)',
      },
    ])
    await store.close()
  })

  it('reports the TWILIO_* Twilio Voice fallback: absent, ignored (names only), complete, without Auth Token', async () => {
    const voice = async (env: Record<string, string>) =>
      byName(await runDoctor({ env, store: null }), 'twilio-voice-env')
    expect(await voice({})).toMatchObject({ status: 'info' })
    const app = `AP${'3'.repeat(32)}`
    const half = await voice({ TWILIO_TWIML_APP_SID: app })
    expect(half?.status).toBe('fail')
    expect(half?.text).toContain('TWILIO_ACCOUNT_SID is not set')
    const full = {
      TWILIO_ACCOUNT_SID: account.sid,
      TWILIO_API_KEY: key.sid,
      TWILIO_API_SECRET: key.secret,
      TWILIO_TWIML_APP_SID: app,
      TWILIO_AUTH_TOKEN: account.authToken,
    }
    const ok = await runDoctor({ env: full, store: null })
    expect(byName(ok, 'twilio-voice-env')).toEqual({
      status: 'ok',
      name: 'twilio-voice-env',
      text: `Twilio Voice from TWILIO_* (app ${app}) for every tenant without stored settings`,
    })
    // The seed's TWILIO_API_KEY / TWILIO_API_SECRET names are accepted by the credentials check too.
    expect(byName(ok, 'twilio')?.status).toBe('ok')
    const { TWILIO_AUTH_TOKEN: _, ...noToken } = full
    expect(await voice(noToken)).toMatchObject({ status: 'warn' })
    expect(JSON.stringify(ok)).not.toContain(key.secret)
    expect(JSON.stringify(ok)).not.toContain(account.authToken)
  })

  it('says which recording setting is missing', async () => {
    const partial = await runDoctor({ env: { RINGLINE_RECORDING_BUCKET: 'calls' }, store: null })
    expect(byName(partial, 'recording')).toMatchObject({ status: 'fail' })
    expect(byName(partial, 'recording')?.text).toBe(
      'RINGLINE_RECORDING_BUCKET is set but RINGLINE_RECORDING_ACCESS_KEY_ID, RINGLINE_RECORDING_SECRET_ACCESS_KEY, RINGLINE_RECORDING_REGION is not.',
    )
  })

  it('tries the recording bucket with a signed read (a SigV4-checking S3 fake), never printing the secret', async () => {
    const secret = 'doctor-s3-secret-that-must-not-be-printed'
    const s3 = await startS3Fake({ credentials: { AKDOCTOR: secret }, buckets: ['calls'] })
    try {
      const env = {
        RINGLINE_RECORDING_BUCKET: 'calls',
        RINGLINE_RECORDING_ENDPOINT: s3.endpoint,
        RINGLINE_RECORDING_ACCESS_KEY_ID: 'AKDOCTOR',
        RINGLINE_RECORDING_SECRET_ACCESS_KEY: secret,
      }
      const good = await runDoctor({ env, store: null })
      expect(byName(good, 'recording')).toEqual({
        status: 'ok',
        name: 'recording',
        text: `Recordings go to bucket calls at ${s3.endpoint}, which accepts the key pair`,
      })
      // The probe was a header-signed GET of a key under the default prefix, and the fake verified its signature.
      expect(s3.requests.at(-1)).toMatchObject({
        method: 'GET',
        bucket: 'calls',
        key: 'ringline/recordings/ringline-doctor-probe',
        auth: 'header',
        code: 'NoSuchKey',
      })

      const wrongSecret = 'w'.repeat(40)
      const refused = await runDoctor({
        env: { ...env, RINGLINE_RECORDING_SECRET_ACCESS_KEY: wrongSecret },
        store: null,
      })
      expect(byName(refused, 'recording')).toMatchObject({ status: 'fail' })
      expect(byName(refused, 'recording')?.text).toContain('the key pair is refused (SignatureDoesNotMatch)')

      const noBucket = await runDoctor({ env: { ...env, RINGLINE_RECORDING_BUCKET: 'gone' }, store: null })
      expect(byName(noBucket, 'recording')?.text).toBe(
        `The bucket gone at ${s3.endpoint} refused Ringline: the bucket does not exist. Check RINGLINE_RECORDING_*.`,
      )
      const printed = formatDoctor([...good, ...refused, ...noBucket]).lines.join('\n')
      expect(printed).not.toContain(secret)
      expect(printed).not.toContain(wrongSecret)
    } finally {
      await s3.close()
    }

    const unreachable = await runDoctor({
      env: {
        RINGLINE_RECORDING_BUCKET: 'calls',
        RINGLINE_RECORDING_ENDPOINT: 'http://127.0.0.1:9',
        RINGLINE_RECORDING_ACCESS_KEY_ID: 'id',
        RINGLINE_RECORDING_SECRET_ACCESS_KEY: 'secret',
      },
      store: null,
      timeoutMs: 3000,
    })
    expect(byName(unreachable, 'recording')).toMatchObject({ status: 'fail' })
    expect(byName(unreachable, 'recording')?.text).toMatch(
      /^The bucket calls at http:\/\/127\.0\.0\.1:9 is not reachable/,
    )
  })

  it('warns when the bucket knows the key pair but denies it a read (as S3 answers without s3:GetObject)', async () => {
    const bucket = await serve(
      403,
      'application/xml',
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
    )
    const checks = await runDoctor({
      env: {
        RINGLINE_RECORDING_BUCKET: 'calls',
        RINGLINE_RECORDING_ENDPOINT: bucket,
        RINGLINE_RECORDING_ACCESS_KEY_ID: 'AKWRITEONLY',
        RINGLINE_RECORDING_SECRET_ACCESS_KEY: 'secret',
      },
      store: null,
    })
    expect(byName(checks, 'recording')).toEqual({
      status: 'warn',
      name: 'recording',
      text: `The bucket calls at ${bucket} denied a read with AKWRITEONLY: egress needs s3:PutObject, playback s3:GetObject.`,
    })
  })

  it('tries the Twilio credentials against Twilio (simulated) and never prints the secret', async () => {
    const env = {
      TWILIO_ACCOUNT_SID: account.sid,
      TWILIO_API_KEY_SID: key.sid,
      TWILIO_API_KEY_SECRET: key.secret,
    }
    const good = await runDoctor({ env, store: null })
    expect(byName(good, 'twilio')).toMatchObject({ status: 'ok' })
    const wrongSecret = 'w'.repeat(32)
    const bad = await runDoctor({ env: { ...env, TWILIO_API_KEY_SECRET: wrongSecret }, store: null })
    expect(byName(bad, 'twilio')).toMatchObject({ status: 'fail' })
    expect(byName(bad, 'twilio')?.text).toContain('the key or secret is wrong')
    const partial = await runDoctor({ env: { TWILIO_ACCOUNT_SID: account.sid }, store: null })
    expect(byName(partial, 'twilio')?.text).toBe(
      'Set TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET as well (or none of them).',
    )
    const printed = formatDoctor([...good, ...bad]).lines.join('\n')
    expect(printed).not.toContain(key.secret)
    expect(printed).not.toContain(wrongSecret)
  })
})
