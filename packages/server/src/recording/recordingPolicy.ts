import { env } from '../config'
import type {
  RecordingCall,
  RecordingOptions,
  RecordingPolicy,
  RecordingPolicyResolver,
  RecordingStorageConfig,
} from './types'

const POLICIES: readonly RecordingPolicy[] = ['never', 'on-answer', 'on-demand']

/** True for `never`, `on-answer` and `on-demand`. */
export function isRecordingPolicy(value: unknown): value is RecordingPolicy {
  return typeof value === 'string' && (POLICIES as readonly string[]).includes(value)
}

/**
 * The recording policy stored on a number's routing policy (`ringline_number_connections.routing_policy`),
 * e.g. `{ "policy": "ring-all", "recording": "on-answer" }`; `undefined` when it names none.
 */
export function recordingPolicyFromRouting(routingPolicy: unknown): RecordingPolicy | undefined {
  if (routingPolicy === null || typeof routingPolicy !== 'object') return undefined
  const value = (routingPolicy as { recording?: unknown }).recording
  return isRecordingPolicy(value) ? value : undefined
}

/** The policy of one call: the number's own setting first, then the configured resolver, then `on-demand`. */
export async function resolveRecordingPolicy(
  call: RecordingCall,
  resolver: RecordingPolicyResolver | undefined,
  numberPolicy?: RecordingPolicy,
): Promise<RecordingPolicy> {
  if (numberPolicy) return numberPolicy
  const policy = typeof resolver === 'function' ? await resolver(call) : resolver
  if (policy === undefined) return 'on-demand'
  if (!isRecordingPolicy(policy)) throw new TypeError(`Unknown recording policy "${String(policy)}"`)
  return policy
}

/** Whether a call that was just answered should start recording by itself. */
export function shouldRecordOnAnswer(policy: RecordingPolicy): boolean {
  return policy === 'on-answer'
}

/** Whether someone may start recording this call by hand (`on-answer` calls may be restarted after a stop). */
export function mayRecordOnDemand(policy: RecordingPolicy): boolean {
  return policy !== 'never'
}

/**
 * The bucket settings after `RINGLINE_RECORDING_*` fallbacks (`_BUCKET`, `_REGION`, `_ENDPOINT`, `_KEY_PREFIX`,
 * `_FORCE_PATH_STYLE`, `_ACCESS_KEY_ID`, `_SECRET_ACCESS_KEY`), or `null` with the names still missing.
 */
export function resolveRecordingStorage(
  options: RecordingOptions | undefined,
): { storage: RecordingStorageConfig; missing: [] } | { storage: null; missing: string[] } {
  const s = options?.storage ?? {}
  const bucket = s.bucket ?? env('RINGLINE_RECORDING_BUCKET')
  const region = s.region ?? env('RINGLINE_RECORDING_REGION') ?? (s.endpoint ? 'us-east-1' : undefined)
  const accessKeyId = s.accessKeyId ?? env('RINGLINE_RECORDING_ACCESS_KEY_ID')
  const secretAccessKey = s.secretAccessKey ?? env('RINGLINE_RECORDING_SECRET_ACCESS_KEY')
  const endpoint = s.endpoint ?? env('RINGLINE_RECORDING_ENDPOINT')
  const forcePathStyleEnv = env('RINGLINE_RECORDING_FORCE_PATH_STYLE')
  const missing = [
    !bucket && 'RINGLINE_RECORDING_BUCKET',
    !region && 'RINGLINE_RECORDING_REGION',
    !accessKeyId && 'RINGLINE_RECORDING_ACCESS_KEY_ID',
    !secretAccessKey && 'RINGLINE_RECORDING_SECRET_ACCESS_KEY',
  ].filter((m): m is string => typeof m === 'string')
  if (!bucket || !region || !accessKeyId || !secretAccessKey) return { storage: null, missing }
  return {
    storage: {
      bucket,
      region,
      accessKeyId,
      secretAccessKey,
      ...(endpoint ? { endpoint } : {}),
      ...(s.sessionToken ? { sessionToken: s.sessionToken } : {}),
      keyPrefix: s.keyPrefix ?? env('RINGLINE_RECORDING_KEY_PREFIX') ?? 'ringline/recordings/',
      forcePathStyle:
        s.forcePathStyle ?? (forcePathStyleEnv ? forcePathStyleEnv === 'true' : endpoint !== undefined),
    },
    missing: [],
  }
}
