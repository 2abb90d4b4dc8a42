import type {
  CallDetail,
  CallParticipant,
  CallRecord,
  CallStats,
  CallStatus,
  ListCallsQuery,
  ListCallsResponse,
  NumberConnection,
  TwilioIntegration,
  TwilioNumber,
  TwilioVoiceStatus,
} from '@ringline/core/protocol'
import type { RinglineApi } from '../types'

/** An error shaped like core's `RinglineError`: a stable `code` and an HTTP status. */
export class FakeApiError extends Error {
  override readonly name = 'RinglineError'
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

/** Options of {@link createFakeApi}. */
export interface FakeApiOptions {
  /** Call records, newest first. */
  calls?: CallRecord[]
  /** Transcripts by call id. */
  transcripts?: Record<string, NonNullable<CallDetail['transcript']>>
  /** Recorded participants by call id (`GET /calls/:id`); default none. */
  participants?: Record<string, CallParticipant[]>
  /** Numbers of the fake Twilio account. */
  numbers?: TwilioNumber[]
  /** Stored Twilio integration; null means no credentials yet. */
  integration?: TwilioIntegration | null
  /** Make an operation fail: key is the method name (`listCalls`, `verifyCredentials`, `connectNumber`, ...). */
  failures?: Partial<Record<string, { code: string; message: string; status?: number }>>
  /** Artificial latency per request in ms. Default 0. */
  latencyMs?: number
  /** Number status after connect: `connected` (default), `partial` or `drift`. */
  connectResult?: NumberConnection['status']
  /** Twilio Voice settings: `true` for auto-configured ones, a status to serve as is; default not configured. */
  voice?: boolean | Partial<TwilioVoiceStatus>
  /** The Auth Token `twilioVoice.autoConfigure` accepts (any other fails with `AUTH_INVALID`); default any. */
  voiceAuthToken?: string
}

/** The Account SID, TwiML app and webhooks of the fake Twilio Voice settings. */
export const FAKE_VOICE_STATUS: TwilioVoiceStatus = {
  configured: true,
  hasTwimlApp: true,
  setupMethod: 'auto',
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  apiKeySid: 'SK0123456789abcdef0123456789abcdef',
  twimlAppSid: 'AP0123456789abcdef0123456789abcdef',
  callerId: '+14155550100',
  webhooks: {
    voiceUrl: 'https://app.example.com/api/ringline/webhooks/twilio/voice?tenant=demo',
    statusCallbackUrl: 'https://app.example.com/api/ringline/webhooks/twilio/status?tenant=demo',
    fallbackUrl: 'https://app.example.com/api/ringline/webhooks/twilio/fallback?tenant=demo',
  },
  updatedAt: '2026-11-20T10:00:00.000Z',
}
const NO_VOICE: TwilioVoiceStatus = {
  configured: false,
  hasTwimlApp: false,
  setupMethod: null,
  accountSid: null,
  apiKeySid: null,
  twimlAppSid: null,
  callerId: null,
  webhooks: FAKE_VOICE_STATUS.webhooks,
  updatedAt: null,
}

/** A stateful in-memory `RinglineApi`: pagination, filters, stats and the Twilio onboarding flow. */
export interface FakeApi extends RinglineApi {
  /** The records it serves (mutable). */
  readonly calls: CallRecord[]
  /** Every method called, in order. */
  readonly log: string[]
}

const FINAL: CallStatus[] = ['completed', 'busy', 'no-answer', 'canceled', 'failed', 'declined', 'missed']

function statsOf(calls: CallRecord[]): CallStats {
  const byStatus: Record<string, number> = {}
  const byDirection: Record<string, number> = {}
  let answered = 0
  let durationTotal = 0
  let durationCount = 0
  for (const c of calls) {
    byStatus[c.status] = (byStatus[c.status] ?? 0) + 1
    byDirection[c.direction] = (byDirection[c.direction] ?? 0) + 1
    if (c.answeredAt) answered++
    if (c.durationSeconds != null) {
      durationTotal += c.durationSeconds
      durationCount++
    }
  }
  const finals = calls.filter((c) => FINAL.includes(c.status)).length
  return {
    total: calls.length,
    byStatus,
    byDirection,
    answerRate: finals ? answered / finals : null,
    averageDurationSeconds: durationCount ? Math.round(durationTotal / durationCount) : null,
    totalDurationSeconds: durationTotal,
  }
}

/** Creates an in-memory API for tests and stories (also the model behind the Storybook MSW handlers). */
export function createFakeApi(options: FakeApiOptions = {}): FakeApi {
  const calls = options.calls ?? []
  const log: string[] = []
  let integration = options.integration ?? null
  let numbers = options.numbers ?? []
  const connections: Record<string, NumberConnection> = {}
  let voice: TwilioVoiceStatus =
    options.voice === true ? FAKE_VOICE_STATUS : options.voice ? { ...NO_VOICE, ...options.voice } : NO_VOICE

  const step = async (method: string) => {
    log.push(method)
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs))
    const failure = options.failures?.[method]
    if (failure) throw new FakeApiError(failure.code, failure.message, failure.status)
  }
  const requireIntegration = () => {
    if (!integration) throw new FakeApiError('NOT_CONFIGURED', 'Connect your Twilio account first.', 409)
  }
  const connectionOf = (n: TwilioNumber, status: NumberConnection['status']): NumberConnection => ({
    phoneNumberSid: n.sid,
    e164: n.e164,
    status,
    trunkSid: status === 'disconnected' ? null : 'TK00000000000000000000000000000001',
    sipTarget: status === 'disconnected' ? null : 'sip:127.0.0.1:5060',
    steps:
      status === 'disconnected'
        ? []
        : [
            { step: 'trunk', status: 'created', sid: 'TK00000000000000000000000000000001' },
            { step: 'origination-url', status: 'created', sid: 'OU0001' },
            { step: 'phone-number', status: 'created', sid: n.sid },
            { step: 'credential-list', status: 'created', sid: 'CL0001' },
            { step: 'livekit-inbound-trunk', status: 'created', sid: 'ST_in' },
            { step: 'livekit-dispatch-rule', status: 'created', sid: 'SDR_1' },
            { step: 'livekit-outbound-trunk', status: 'reused', sid: 'ST_out' },
          ],
    drift: status === 'drift' ? ['Origination URL on Twilio points elsewhere'] : [],
    progress: status === 'connected' ? 100 : status === 'disconnected' ? 0 : 75,
    connectionId: status === 'disconnected' ? null : `nc_${n.sid}`,
    routing: status === 'disconnected' ? null : { policy: 'ring-all' },
  })

  const filter = (query: ListCallsQuery) =>
    calls.filter((c) => {
      if (query.direction && c.direction !== query.direction) return false
      if (query.status && c.status !== query.status) return false
      if (query.roomKind && c.roomKind !== query.roomKind) return false
      if (query.q) {
        const needle = query.q.replace(/[^\d+]/g, '')
        if (needle && !`${c.fromNumber ?? ''}${c.toNumber ?? ''}`.includes(needle)) return false
      }
      return true
    })

  return {
    calls,
    log,
    async listCalls(query = {}): Promise<ListCallsResponse> {
      await step('listCalls')
      const matching = filter(query)
      const start = query.cursor ? Number(query.cursor) : 0
      const limit = query.limit ?? 50
      const page = matching.slice(start, start + limit)
      const next = start + limit < matching.length ? String(start + limit) : null
      const withStats = query.stats === '1' || query.stats === 'true'
      return { calls: page, nextCursor: next, ...(withStats ? { stats: statsOf(matching) } : {}) }
    },
    async getCall(id): Promise<CallDetail> {
      await step('getCall')
      const call = calls.find((c) => c.id === id)
      if (!call) throw new FakeApiError('CALL_NOT_FOUND', 'No such call.', 404)
      const transcript = options.transcripts?.[id]
      return { call, participants: options.participants?.[id] ?? [], ...(transcript ? { transcript } : {}) }
    },
    async endRoom() {
      await step('endRoom')
    },
    twilio: {
      async verifyCredentials(body) {
        await step('verifyCredentials')
        return {
          accountSid: body.accountSid,
          apiKeySid: body.apiKeySid,
          apiKeySecretMasked: `••••${body.apiKeySecret.slice(-4)}`,
          status: 'verified',
          updatedAt: new Date(0).toISOString(),
        } satisfies TwilioIntegration
      },
      async saveCredentials(body) {
        await step('saveCredentials')
        integration = {
          accountSid: body.accountSid,
          apiKeySid: body.apiKeySid,
          apiKeySecretMasked: `••••${body.apiKeySecret.slice(-4)}`,
          status: 'saved',
          updatedAt: new Date(0).toISOString(),
        }
        return integration
      },
      async getCredentials() {
        await step('getCredentials')
        return { integration }
      },
      async deleteCredentials() {
        await step('deleteCredentials')
        integration = null
      },
      async listNumbers() {
        await step('listNumbers')
        requireIntegration()
        return numbers
      },
      async connectNumber(sid) {
        await step('connectNumber')
        requireIntegration()
        const n = numbers.find((x) => x.sid === sid)
        if (!n) throw new FakeApiError('NUMBER_NOT_FOUND', 'This number is not in the Twilio account.', 404)
        const status = options.connectResult ?? 'connected'
        connections[sid] = connectionOf(n, status)
        numbers = numbers.map((x) => (x.sid === sid ? { ...x, connected: status === 'connected' } : x))
        return connections[sid]
      },
      async disconnectNumber(sid) {
        await step('disconnectNumber')
        const n = numbers.find((x) => x.sid === sid)
        if (!n) throw new FakeApiError('NUMBER_NOT_FOUND', 'This number is not in the Twilio account.', 404)
        connections[sid] = connectionOf(n, 'disconnected')
        numbers = numbers.map((x) => (x.sid === sid ? { ...x, connected: false, trunkSid: null } : x))
        return connections[sid]
      },
      async numberStatus(sid) {
        await step('numberStatus')
        const n = numbers.find((x) => x.sid === sid)
        if (!n) throw new FakeApiError('NUMBER_NOT_FOUND', 'This number is not in the Twilio account.', 404)
        return connections[sid] ?? connectionOf(n, n.connected ? 'connected' : 'disconnected')
      },
    },
    twilioVoice: {
      async status() {
        await step('voiceStatus')
        return voice
      },
      async autoConfigure(body) {
        await step('voiceAutoConfigure')
        if (options.voiceAuthToken !== undefined && body.authToken !== options.voiceAuthToken)
          throw new FakeApiError('AUTH_INVALID', 'Twilio refused the credentials (20003).', 400)
        voice = { ...FAKE_VOICE_STATUS, accountSid: body.accountSid }
        return voice
      },
      async remove() {
        await step('voiceRemove')
        const deleted = voice.configured
        voice = NO_VOICE
        return { deleted }
      },
      async token() {
        await step('voiceToken')
        if (!voice.configured)
          throw new FakeApiError('NOT_CONFIGURED', 'Twilio Voice is not configured for this workspace.', 503)
        return {
          transport: 'twilio',
          token: 'eyJhbGciOiJIUzI1NiJ9.fake.token',
          identity: 'demo_3Aada',
          ttl: 3600,
          expiresAt: new Date(3_600_000).toISOString(),
        }
      },
    },
  }
}

/** Deterministic call records for demos and load tests: `count` calls, newest first. */
export function generateFakeCalls(
  count: number,
  options: { seed?: number; start?: number } = {},
): CallRecord[] {
  let seed = options.seed ?? 42
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed / 2_147_483_648
  }
  const statuses: CallStatus[] = [
    'completed',
    'completed',
    'completed',
    'missed',
    'busy',
    'no-answer',
    'declined',
    'failed',
  ]
  const users = ['ada', 'grace', 'linus', 'margaret']
  const start = options.start ?? Date.UTC(2026, 10, 20, 18, 0, 0)
  const out: CallRecord[] = []
  for (let i = 0; i < count; i++) {
    const r = random()
    const direction = r < 0.45 ? 'inbound' : r < 0.9 ? 'outbound' : 'internal'
    const status = statuses[Math.floor(random() * statuses.length)]!
    const answered = status === 'completed'
    const startedAt = new Date(start - i * 37 * 60_000).toISOString()
    const duration = answered ? Math.floor(random() * 900) + 5 : null
    const other = `+1415555${String(1000 + Math.floor(random() * 8999)).slice(-4)}`
    const ours = '+14155550100'
    out.push({
      id: `call_${String(i + 1).padStart(5, '0')}`,
      tenantId: 'demo',
      direction,
      status: direction === 'internal' && !answered ? 'completed' : status,
      roomName:
        direction === 'internal'
          ? `int-demo-standup-${i}`
          : `${direction === 'inbound' ? 'in' : 'out'}-demo_${i}`,
      fromNumber: direction === 'internal' ? null : direction === 'inbound' ? other : ours,
      toNumber: direction === 'internal' ? null : direction === 'inbound' ? ours : other,
      contactId: null,
      createdBy: direction === 'inbound' ? null : users[i % users.length]!,
      answeredBy: answered && direction === 'inbound' ? users[(i + 1) % users.length]! : null,
      sipCallId: null,
      startedAt,
      answeredAt: answered ? startedAt : null,
      endedAt: startedAt,
      durationSeconds: direction === 'internal' ? (duration ?? 60) : duration,
      endReason:
        answered || direction === 'internal'
          ? 'completed'
          : status === 'failed'
            ? 'failed'
            : (status as 'missed'),
      recordingUrl: answered && i % 3 === 0 ? `/recordings/${i}.mp3` : null,
      metadata: null,
    })
  }
  return out
}
