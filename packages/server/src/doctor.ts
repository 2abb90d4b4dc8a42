import { INBOUND_ROOM_EMPTY_TIMEOUT_SECONDS } from './calls/inbound'
import { type ResolvedConfig, resolveConfig } from './config'
import { type LivekitClients, livekitAccessor } from './livekit'
import { createTwilioRestClient } from './numbers/twilioClient'
import { type S3Location, signS3Request } from './recording/sigv4'
import { pgliteStore } from './sql/pgliteStore'
import { postgresStore } from './sql/postgresStore'
import type { RinglineStore } from './sql/types'
import { readInboundRoomMetadata } from './tokens'
import { twilioVoiceFromEnv } from './twilioVoice/envConfig'
import { lastWebhookByTenant } from './webhooks/webhookHealth'

/** One line of `ringline doctor`: passed, failed (counts as a problem), a warning or plain information. */
export interface DoctorCheck {
  status: 'ok' | 'fail' | 'warn' | 'info'
  /** What was checked, in a few words (stable, for scripts). */
  name: string
  /** What was found, or what to do about it. */
  text: string
}

/** What `runDoctor` reads: the environment it checks and the seams tests replace. */
export interface DoctorOptions {
  env: Record<string, string | undefined>
  /** The store to check; default from `DATABASE_URL` / `RINGLINE_DATA_DIR` (none when neither is set). */
  store?: RinglineStore | null
  /** For the public-URL and recording-bucket checks; default the global `fetch`. */
  fetch?: typeof fetch
  /** How long each network check may take, ms (default 5 000). */
  timeoutMs?: number
  now?: () => Date
}

/** The store `ringline migrate` and `ringline doctor` work on: DATABASE_URL (PostgreSQL) or RINGLINE_DATA_DIR (PGlite). */
export function cliStore(env: Record<string, string | undefined>): RinglineStore | null {
  if (env.DATABASE_URL) return postgresStore({ connectionString: env.DATABASE_URL, migrate: false })
  if (env.RINGLINE_DATA_DIR) return pgliteStore({ dataDir: env.RINGLINE_DATA_DIR, migrate: false })
  return null
}

/** The first line of an error, or its code: what a person can act on. */
export function describeError(error: unknown): string {
  const e = error as { code?: string | number; message?: string; cause?: { code?: string } }
  return String(e.cause?.code ?? e.code ?? e.message?.split('\n')[0] ?? 'unknown error')
}

function configFrom(env: Record<string, string | undefined>): ResolvedConfig {
  const v = (name: string) => (env[name]?.trim() ? env[name]?.trim() : undefined)
  return resolveConfig({
    authorize: () => null,
    livekit: { url: v('LIVEKIT_URL'), apiKey: v('LIVEKIT_API_KEY'), apiSecret: v('LIVEKIT_API_SECRET') },
    sip: { outboundTrunkId: v('LIVEKIT_SIP_OUTBOUND_TRUNK_ID'), callerId: v('RINGLINE_CALLER_ID') },
    secretKey: v('RINGLINE_SECRET_KEY'),
  })
}

function ago(then: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000))
  if (s < 120) return `${s} s ago`
  if (s < 7200) return `${Math.round(s / 60)} min ago`
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`
  return `${Math.round(s / 86_400)} days ago`
}

async function withTimeout<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

function settingsChecks(config: ResolvedConfig): DoctorCheck[] {
  const has = (ok: unknown, name: string, good: string, fix: string): DoctorCheck => ({
    status: ok ? 'ok' : 'fail',
    name,
    text: ok ? good : fix,
  })
  return [
    has(
      config.livekit.url,
      'LIVEKIT_URL',
      `LIVEKIT_URL is ${config.livekit.url}`,
      'Set LIVEKIT_URL (e.g. wss://your-project.livekit.cloud).',
    ),
    has(config.livekit.apiKey, 'LIVEKIT_API_KEY', 'LIVEKIT_API_KEY is set', 'Set LIVEKIT_API_KEY.'),
    has(
      config.livekit.apiSecret,
      'LIVEKIT_API_SECRET',
      'LIVEKIT_API_SECRET is set',
      'Set LIVEKIT_API_SECRET.',
    ),
    has(
      config.sip.outboundTrunkId,
      'LIVEKIT_SIP_OUTBOUND_TRUNK_ID',
      'LIVEKIT_SIP_OUTBOUND_TRUNK_ID is set',
      'Set LIVEKIT_SIP_OUTBOUND_TRUNK_ID or run `ringline sip setup` (needed for phone calls).',
    ),
    has(
      config.sip.callerId,
      'RINGLINE_CALLER_ID',
      `RINGLINE_CALLER_ID is ${config.sip.callerId}`,
      'Set RINGLINE_CALLER_ID to your E.164 number.',
    ),
    has(
      config.secretKey,
      'RINGLINE_SECRET_KEY',
      'RINGLINE_SECRET_KEY is set',
      'Set RINGLINE_SECRET_KEY (32 random bytes, base64) to store Twilio credentials.',
    ),
  ]
}

/** The tenant of an inbound trunk Ringline created (its metadata `{ ringline: { tenantId } }`), else undefined. */
function ringlineTenantOf(metadata: string | undefined): string | undefined {
  try {
    const tenant = (JSON.parse(metadata || '{}') as { ringline?: { tenantId?: unknown } }).ringline?.tenantId
    return typeof tenant === 'string' ? tenant : undefined
  } catch {
    return undefined
  }
}

/** LiveKit reachability and keys, the outbound trunk, inbound trunks (and whether they are open) and dispatch rules. */
async function livekitChecks(config: ResolvedConfig, timeoutMs: number): Promise<DoctorCheck[]> {
  if (!config.livekit.url || !config.livekit.apiKey || !config.livekit.apiSecret) return []
  const checks: DoctorCheck[] = []
  let lk: LivekitClients
  try {
    lk = livekitAccessor(config)()
    await withTimeout(timeoutMs, 'LiveKit', lk.room.listRooms(['ringline-doctor']))
    checks.push({ status: 'ok', name: 'livekit', text: 'LiveKit answers with these credentials' })
  } catch (error) {
    return [
      {
        status: 'fail',
        name: 'livekit',
        text: `LiveKit did not answer (${describeError(error)}): check LIVEKIT_URL and the key pair.`,
      },
    ]
  }
  try {
    if (config.sip.outboundTrunkId) {
      const id = config.sip.outboundTrunkId
      const trunks = await withTimeout(
        timeoutMs,
        'LiveKit SIP',
        lk.sip.listSipOutboundTrunk({ trunkIds: [id] }),
      )
      const found = trunks.some((t) => t?.sipTrunkId === id)
      checks.push({
        status: found ? 'ok' : 'fail',
        name: 'sip.outbound',
        text: found
          ? `The outbound trunk ${id} exists in LiveKit`
          : `LiveKit has no outbound trunk ${id}; run \`ringline sip setup\`.`,
      })
    }
    const inbound = await withTimeout(timeoutMs, 'LiveKit SIP', lk.sip.listSipInboundTrunk())
    const rules = await withTimeout(timeoutMs, 'LiveKit SIP', lk.sip.listSipDispatchRule())
    // Ringline's dispatch rules put each inbound call in its own `in-<tenant>_…` room.
    const ours = rules.filter((r) => {
      const rule = r.rule?.rule
      return rule?.case === 'dispatchRuleIndividual' && rule.value.roomPrefix.startsWith('in-')
    })
    if (inbound.length === 0) {
      checks.push({
        status: 'info',
        name: 'sip.inbound',
        text: 'No inbound trunk: phones cannot call in yet (connect a number: `ringline sip setup` or the settings UI).',
      })
    } else {
      checks.push({
        status: ours.length > 0 ? 'ok' : 'fail',
        name: 'sip.inbound',
        text:
          ours.length > 0
            ? `${inbound.length} inbound trunk(s); ${ours.length} dispatch rule(s) ring Ringline (in-… rooms)`
            : `${inbound.length} inbound trunk(s) but no dispatch rule sends calls to Ringline rooms (in-…): run \`ringline sip setup\`.`,
      })
      // Trunks Ringline connected (metadata `{ ringline: { tenantId } }`) each need a rule into in- rooms, or
      // LiveKit refuses their calls: a rule with no trunk ids covers every trunk.
      const unrouted = inbound.filter(
        (t) =>
          ringlineTenantOf(t.metadata) !== undefined &&
          !ours.some((r) => r.trunkIds.length === 0 || r.trunkIds.includes(t.sipTrunkId)),
      )
      if (unrouted.length > 0) {
        checks.push({
          status: 'warn',
          name: 'sip.inbound.unrouted',
          text: `${unrouted.length} of Ringline's inbound trunk(s) have no dispatch rule into Ringline rooms, so their calls are refused (${unrouted
            .map((t) => `${t.sipTrunkId} ${t.numbers.join(' ')}`)
            .join(', ')}): connect the number again (\`ringline.api.provisionNumber\` or the settings UI).`,
        })
      }
      // Rules Ringline made (attribute `ringline.tenant`) before rooms carried metadata ring on the caller's join.
      const late = ours.filter(
        (r) => r.attributes?.['ringline.tenant'] && !readInboundRoomMetadata(r.roomConfig?.metadata),
      )
      if (late.length > 0) {
        checks.push({
          status: 'info',
          name: 'sip.inbound.ring-on-join',
          text: `${late.length} of Ringline's dispatch rule(s) give their rooms no metadata (${late
            .map((r) => r.sipDispatchRuleId)
            .join(
              ', ',
            )}), so their calls ring on the caller's join, tens of ms after the room starts: connect the number again (\`ringline.api.provisionNumber\` or the settings UI).`,
        })
      }
      // Rules with the metadata but no empty timeout (made before it): a caller who hangs up while LiveKit SIP joins
      // leaves a call ringing for LiveKit's default five minutes.
      const lingering = ours.filter(
        (r) =>
          r.attributes?.['ringline.tenant'] &&
          readInboundRoomMetadata(r.roomConfig?.metadata) &&
          r.roomConfig?.emptyTimeout !== INBOUND_ROOM_EMPTY_TIMEOUT_SECONDS,
      )
      if (lingering.length > 0) {
        checks.push({
          status: 'info',
          name: 'sip.inbound.room-timeout',
          text: `${lingering.length} of Ringline's dispatch rule(s) do not close a room nobody joined after ${INBOUND_ROOM_EMPTY_TIMEOUT_SECONDS} s (${lingering
            .map((r) => r.sipDispatchRuleId)
            .join(
              ', ',
            )}), so a caller who hangs up while LiveKit SIP joins can leave the call ringing for up to 5 minutes: connect the number again (\`ringline.api.provisionNumber\` or the settings UI).`,
        })
      }
      const open = inbound.filter((t) => t.allowedAddresses.length === 0 && !t.authUsername)
      if (open.length > 0) {
        checks.push({
          status: 'warn',
          name: 'sip.inbound.open',
          text: `${open.length} inbound trunk(s) accept INVITEs from any address without credentials (${open
            .map((t) => t.sipTrunkId)
            .join(', ')}): set allowed addresses (your carrier's signalling ranges) or digest auth.`,
        })
      }
    }
  } catch (error) {
    checks.push({
      status: 'fail',
      name: 'sip',
      text: `LiveKit SIP did not answer (${describeError(error)}): is SIP enabled on this LiveKit project?`,
    })
  }
  return checks
}

/** The public URL LiveKit and Twilio post webhooks to, reached through Ringline's own health route. */
async function publicUrlChecks(
  config: ResolvedConfig,
  env: Record<string, string | undefined>,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<DoctorCheck[]> {
  const publicUrl = env.RINGLINE_PUBLIC_URL?.trim().replace(/\/+$/, '')
  const webhookPath = `${config.basePath}/webhooks/livekit`
  if (!publicUrl) {
    return [
      {
        status: 'info',
        name: 'public-url',
        text: `RINGLINE_PUBLIC_URL is not set: LiveKit's webhook must reach <your origin>${webhookPath}; set it to check.`,
      },
    ]
  }
  const url = `${publicUrl}${config.basePath}/health`
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' })
    // 503 is still Ringline answering (not ready yet); anything else than JSON is someone else.
    const json = (response.headers.get('content-type') ?? '').includes('application/json')
    const ok = json && (response.status === 200 || response.status === 503)
    return [
      {
        status: ok ? 'ok' : 'fail',
        name: 'public-url',
        text: ok
          ? `${url} answers: LiveKit's webhook URL is ${publicUrl}${webhookPath}`
          : `${url} answered ${response.status} without Ringline's health report: is Ringline mounted at ${config.basePath}?`,
      },
    ]
  } catch (error) {
    return [
      {
        status: 'fail',
        name: 'public-url',
        text: `${url} is not reachable (${describeError(error)}): LiveKit and Twilio cannot deliver webhooks there.`,
      },
    ]
  }
}

async function storeChecks(
  store: RinglineStore | null,
  now: Date,
  webhookPath: string,
): Promise<DoctorCheck[]> {
  if (!store) {
    return [
      {
        status: 'info',
        name: 'store',
        text: 'No DATABASE_URL or RINGLINE_DATA_DIR: the server keeps its data in memory (lost on restart).',
      },
    ]
  }
  try {
    await store.query('SELECT 1')
    const { rows } = await store.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'ringline_schema_migrations'",
    )
    if (!(Number(rows[0]?.n) > 0)) {
      return [
        {
          status: 'fail',
          name: 'store',
          text: 'The store has no Ringline schema yet: run `ringline migrate`.',
        },
      ]
    }
    const checks: DoctorCheck[] = [
      { status: 'ok', name: 'store', text: 'The store is reachable and migrated' },
    ]
    const last = await store.query<{ at: Date | string | null }>(
      "SELECT max(received_at) AS at FROM ringline_webhook_events WHERE source = 'livekit'",
    )
    const at = last.rows[0]?.at
    checks.push(
      at
        ? { status: 'ok', name: 'webhooks', text: `Last LiveKit webhook received ${ago(new Date(at), now)}` }
        : {
            status: 'warn',
            name: 'webhooks',
            text: `No LiveKit webhook received yet: point LiveKit's webhook at <your origin>${webhookPath}.`,
          },
    )
    // Per tenant (the rooms' call records name it): which tenants' calls LiveKit has reported on lately.
    if (at) {
      const tenants = await lastWebhookByTenant(store, { limit: 10 })
      for (const t of tenants) {
        checks.push({
          status: 'info',
          name: 'webhooks-tenant',
          text: `Tenant ${t.tenantId}: last LiveKit event ${t.lastEvent} ${t.lastEventAt ? ago(new Date(t.lastEventAt), now) : ''} (room ${t.lastRoom})`,
        })
      }
    }
    return checks
  } catch (error) {
    return [
      {
        status: 'fail',
        name: 'store',
        text: `The store is not reachable (${describeError(error)}): check DATABASE_URL.`,
      },
    ]
  }
}

/**
 * The recording bucket: settings complete, then a signed GET of a key that does not exist. S3 names the outcome in
 * its error body: `NoSuchKey` (bucket and credentials good), `NoSuchBucket`, a refused signature or key, or
 * `AccessDenied` (the key pair is known but may not read this bucket).
 */
async function recordingChecks(
  env: Record<string, string | undefined>,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<DoctorCheck[]> {
  const v = (name: string) => env[name]?.trim() || undefined
  const bucket = v('RINGLINE_RECORDING_BUCKET')
  if (!bucket) {
    return [{ status: 'info', name: 'recording', text: 'No RINGLINE_RECORDING_BUCKET: recording is off.' }]
  }
  const endpoint = v('RINGLINE_RECORDING_ENDPOINT')
  const region = v('RINGLINE_RECORDING_REGION') ?? (endpoint ? 'us-east-1' : undefined)
  const accessKeyId = v('RINGLINE_RECORDING_ACCESS_KEY_ID')
  const secretAccessKey = v('RINGLINE_RECORDING_SECRET_ACCESS_KEY')
  const missing = [
    !accessKeyId && 'RINGLINE_RECORDING_ACCESS_KEY_ID',
    !secretAccessKey && 'RINGLINE_RECORDING_SECRET_ACCESS_KEY',
    !region && 'RINGLINE_RECORDING_REGION',
  ].filter(Boolean)
  if (!accessKeyId || !secretAccessKey || !region) {
    return [
      {
        status: 'fail',
        name: 'recording',
        text: `RINGLINE_RECORDING_BUCKET is set but ${missing.join(', ')} is not.`,
      },
    ]
  }
  const pathStyle = v('RINGLINE_RECORDING_FORCE_PATH_STYLE')
  const location: S3Location = {
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: pathStyle ? pathStyle === 'true' : endpoint !== undefined,
  }
  const key = `${v('RINGLINE_RECORDING_KEY_PREFIX') ?? 'ringline/recordings/'}ringline-doctor-probe`
  const where = `bucket ${bucket}${endpoint ? ` at ${endpoint}` : ` (${region})`}`
  try {
    const signed = signS3Request(location, { method: 'GET', key })
    const response = await fetchImpl(signed.url, {
      headers: signed.headers,
      signal: AbortSignal.timeout(timeoutMs),
    })
    const body = response.ok ? '' : await response.text()
    const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1]
    if (response.ok || code === 'NoSuchKey') {
      return [
        { status: 'ok', name: 'recording', text: `Recordings go to ${where}, which accepts the key pair` },
      ]
    }
    if (code === 'AccessDenied') {
      return [
        {
          status: 'warn',
          name: 'recording',
          text: `The ${where} denied a read with ${accessKeyId}: egress needs s3:PutObject, playback s3:GetObject.`,
        },
      ]
    }
    const why =
      code === 'NoSuchBucket'
        ? 'the bucket does not exist'
        : code === 'SignatureDoesNotMatch' || code === 'InvalidAccessKeyId'
          ? `the key pair is refused (${code})`
          : `${response.status}${code ? ` ${code}` : ''}`
    return [
      {
        status: 'fail',
        name: 'recording',
        text: `The ${where} refused Ringline: ${why}. Check RINGLINE_RECORDING_*.`,
      },
    ]
  } catch (error) {
    return [
      {
        status: 'fail',
        name: 'recording',
        text: `The ${where} is not reachable (${describeError(error)}).`,
      },
    ]
  }
}

/** Twilio credentials from the environment, tried against Twilio (a read of one number). */
async function twilioChecks(
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<DoctorCheck[]> {
  const sid = env.TWILIO_ACCOUNT_SID
  // The Twilio Voice fallback's names (TWILIO_API_KEY / TWILIO_API_SECRET, seed 004) are the same key.
  const keySid = env.TWILIO_API_KEY_SID ?? env.TWILIO_API_KEY
  const secret = env.TWILIO_API_KEY_SECRET ?? env.TWILIO_API_SECRET
  if (!sid && !keySid && !secret) {
    return [
      {
        status: 'info',
        name: 'twilio',
        text: 'No TWILIO_* credentials in the environment (tenants may store their own).',
      },
    ]
  }
  if (!sid || !keySid || !secret) {
    const missing = [
      !sid && 'TWILIO_ACCOUNT_SID',
      !keySid && 'TWILIO_API_KEY_SID',
      !secret && 'TWILIO_API_KEY_SECRET',
    ].filter(Boolean)
    return [{ status: 'fail', name: 'twilio', text: `Set ${missing.join(', ')} as well (or none of them).` }]
  }
  try {
    const client = createTwilioRestClient({ accountSid: sid, apiKeySid: keySid, apiKeySecret: secret })
    await withTimeout(timeoutMs, 'Twilio', client.incomingPhoneNumbers.list({ limit: 1 }))
    return [{ status: 'ok', name: 'twilio', text: `Twilio accepts the API key ${keySid} for ${sid}` }]
  } catch (error) {
    const e = error as { status?: number; code?: number; message?: string }
    const why = e.status === 401 || e.code === 20003 ? 'the key or secret is wrong' : describeError(error)
    return [
      {
        status: 'fail',
        name: 'twilio',
        text: `Twilio refused the credentials (${why}): check TWILIO_* values.`,
      },
    ]
  }
}

/** Whether the `TWILIO_*` Twilio Voice fallback is complete (names the problems, never a value). */
function twilioVoiceEnvChecks(env: Record<string, string | undefined>): DoctorCheck[] {
  const problems: string[] = []
  const warnings: string[] = []
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message: string, fields?: Record<string, unknown>) => {
      const listed = fields?.problems
      if (Array.isArray(listed)) problems.push(...listed.map(String))
      else warnings.push(message.replace(/^ringline: /, ''))
    },
    error: () => undefined,
  }
  const read = (name: string) => (env[name]?.trim() ? env[name]?.trim() : undefined)
  const found = twilioVoiceFromEnv(logger, read)
  if (!found && problems.length === 0) {
    return [
      {
        status: 'info',
        name: 'twilio-voice-env',
        text: 'No TWILIO_TWIML_APP_SID: Twilio Voice uses each tenant’s stored settings only.',
      },
    ]
  }
  if (!found) {
    return [
      {
        status: 'fail',
        name: 'twilio-voice-env',
        text: `Twilio Voice fallback ignored: ${problems.join('; ')}.`,
      },
    ]
  }
  const scope = found.tenantId ? `tenant ${found.tenantId}` : 'every tenant without stored settings'
  return [
    {
      status: found.authToken ? 'ok' : 'warn',
      name: 'twilio-voice-env',
      text: found.authToken
        ? `Twilio Voice from TWILIO_* (app ${found.twimlAppSid}) for ${scope}`
        : `Twilio Voice from TWILIO_* for ${scope}, but ${warnings[0] ?? 'TWILIO_AUTH_TOKEN is not set'}`,
    },
  ]
}

/**
 * Checks every setting and connection `ringline doctor` lists: LiveKit and its keys, SIP trunks and dispatch rules,
 * the public webhook URL, the store and the last webhook seen, the recording bucket settings and Twilio credentials.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorCheck[]> {
  const { env } = options
  const timeoutMs = options.timeoutMs ?? 5000
  const config = configFrom(env)
  const store = options.store === undefined ? cliStore(env) : options.store
  const ownStore = options.store === undefined
  try {
    const [livekit, publicUrl, stored, recording, twilio] = await Promise.all([
      livekitChecks(config, timeoutMs),
      publicUrlChecks(config, env, options.fetch ?? fetch, timeoutMs),
      storeChecks(store, (options.now ?? (() => new Date()))(), `${config.basePath}/webhooks/livekit`),
      recordingChecks(env, options.fetch ?? fetch, timeoutMs),
      twilioChecks(env, timeoutMs),
    ])
    return [
      ...settingsChecks(config),
      ...livekit,
      ...publicUrl,
      ...stored,
      ...recording,
      ...twilio,
      ...twilioVoiceEnvChecks(env),
    ]
  } finally {
    if (ownStore) await store?.close()
  }
}

const MARKS: Record<DoctorCheck['status'], string> = { ok: '✓', fail: '✗', warn: '!', info: '•' }

/** The checks as `ringline doctor` prints them, and its exit code (1 when anything failed). */
export function formatDoctor(checks: DoctorCheck[]): { lines: string[]; code: number } {
  const failed = checks.filter((c) => c.status === 'fail').length
  return {
    lines: [
      ...checks.map((c) => `${MARKS[c.status]} ${c.text}`),
      failed === 0 ? 'All good.' : `${failed} thing(s) to fix.`,
    ],
    code: failed === 0 ? 0 : 1,
  }
}
