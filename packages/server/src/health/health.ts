import type { RinglineContext } from '../context'
import { VERSION } from '../version'

/** The `GET /health` report: which settings are present and whether LiveKit and the store answer — never a secret. */
export interface HealthReport {
  ok: boolean
  version: string
  config: {
    livekit: boolean
    outboundTrunk: boolean
    callerId: boolean
    secretKey: boolean
    missing: string[]
  }
  livekit: { reachable: boolean; latencyMs?: number; error?: string }
  store: { reachable: boolean; kind: string; latencyMs?: number; error?: string }
}

async function timed<T>(fn: () => Promise<T>, timeoutMs: number): Promise<{ latencyMs: number }> {
  const started = performance.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([
    fn(),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    }),
  ]).finally(() => clearTimeout(timer))
  return { latencyMs: Math.round(performance.now() - started) }
}

function describe(error: unknown): string {
  const e = error as { code?: string; status?: number; message?: string; cause?: { code?: string } }
  return e.cause?.code ?? e.code ?? (e.status ? `HTTP ${e.status}` : 'unreachable')
}

/** Checks configuration, LiveKit and the store. */
export async function health(
  ctx: RinglineContext,
  options: { timeoutMs?: number } = {},
): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 3000
  const c = ctx.config
  const missing = [
    !c.livekit.url && 'LIVEKIT_URL',
    !c.livekit.apiKey && 'LIVEKIT_API_KEY',
    !c.livekit.apiSecret && 'LIVEKIT_API_SECRET',
    !c.sip.outboundTrunkId && 'LIVEKIT_SIP_OUTBOUND_TRUNK_ID',
    !c.sip.callerId && 'RINGLINE_CALLER_ID',
    !c.secretKey && 'RINGLINE_SECRET_KEY',
  ].filter((x): x is string => typeof x === 'string')
  const livekitConfigured = Boolean(c.livekit.url && c.livekit.apiKey && c.livekit.apiSecret)
  const [livekit, store] = await Promise.all([
    livekitConfigured
      ? timed(() => ctx.livekit().room.listRooms(['ringline-health']), timeoutMs).then(
          (r) => ({ reachable: true, ...r }),
          (error: unknown) => ({ reachable: false, error: describe(error) }),
        )
      : Promise.resolve({ reachable: false, error: 'not configured' }),
    timed(() => ctx.store.query('SELECT 1'), timeoutMs).then(
      (r) => ({ reachable: true, kind: ctx.store.kind, ...r }),
      (error: unknown) => ({ reachable: false, kind: ctx.store.kind, error: describe(error) }),
    ),
  ])
  return {
    ok: livekitConfigured && livekit.reachable && store.reachable,
    version: VERSION,
    config: {
      livekit: livekitConfigured,
      outboundTrunk: Boolean(c.sip.outboundTrunkId),
      callerId: Boolean(c.sip.callerId),
      secretKey: Boolean(c.secretKey),
      missing,
    },
    livekit,
    store,
  }
}
