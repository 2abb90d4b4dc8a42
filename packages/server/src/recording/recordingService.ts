import { AudioMixing } from '@livekit/protocol'
import type { RecordingInfo } from '@ringline/core/protocol'
import {
  type EgressInfo,
  EgressStatus,
  EncodedFileOutput,
  EncodedFileType,
  S3Upload,
  ServerError,
  type WebhookEvent,
} from 'livekit-server-sdk'
import { HttpError } from '../http/errors'
import { Redactor, redactingLogger } from '../redact'
import type { Logger } from '../types'
import { mayRecordOnDemand, resolveRecordingPolicy, shouldRecordOnAnswer } from './recordingPolicy'
import { presignS3Url } from './sigv4'
import type {
  RecordingCall,
  RecordingPlayback,
  RecordingServiceDeps,
  RecordingState,
  RecordingStatus,
} from './types'

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

const FILE_TYPES = {
  ogg: { type: EncodedFileType.OGG, ext: 'ogg', contentType: 'audio/ogg' },
  mp3: { type: EncodedFileType.MP3, ext: 'mp3', contentType: 'audio/mpeg' },
  mp4: { type: EncodedFileType.MP4, ext: 'm4a', contentType: 'audio/mp4' },
} as const

const MIXING = {
  default: AudioMixing.DEFAULT_MIXING,
  'dual-channel-agent': AudioMixing.DUAL_CHANNEL_AGENT,
  'dual-channel-alternate': AudioMixing.DUAL_CHANNEL_ALTERNATE,
} as const

const RANK: Record<RecordingStatus, number> = { starting: 0, active: 1, stopping: 2, completed: 3, failed: 3 }
const OPEN: readonly RecordingStatus[] = ['starting', 'active', 'stopping']

/** Maps LiveKit's `EgressStatus` to a recording status (`LIMIT_REACHED` still leaves a usable file). */
export function recordingStatusOf(status: EgressStatus): RecordingStatus {
  switch (status) {
    case EgressStatus.EGRESS_STARTING:
      return 'starting'
    case EgressStatus.EGRESS_ACTIVE:
      return 'active'
    case EgressStatus.EGRESS_ENDING:
      return 'stopping'
    case EgressStatus.EGRESS_COMPLETE:
    case EgressStatus.EGRESS_LIMIT_REACHED:
      return 'completed'
    default:
      return 'failed'
  }
}

function nsToIso(ns: bigint): string | null {
  return ns > 0n ? new Date(Number(ns / 1_000_000n)).toISOString() : null
}

/**
 * The recording state after applying one `EgressInfo` (from a start/stop answer or a webhook), or `null` when it
 * changes nothing: another egress, a replay, or an update older than what is stored (states never go backwards).
 */
export function applyEgressInfo(
  current: RecordingState,
  info: EgressInfo,
  redact: (s: string) => string = (s) => s,
): RecordingState | null {
  if (current.egressId !== null && current.egressId !== info.egressId) return null
  const status = recordingStatusOf(info.status)
  const terminal = RANK[current.status] === 3
  if (terminal || RANK[status] < RANK[current.status]) {
    // Only the id may still be learnt from an older message.
    return current.egressId === null ? { ...current, egressId: info.egressId } : null
  }
  const file = info.fileResults[0]
  const next: RecordingState = {
    ...current,
    status,
    egressId: info.egressId,
    startedAt: nsToIso(info.startedAt) ?? current.startedAt,
    endedAt: nsToIso(info.endedAt) ?? current.endedAt,
    egressUpdatedAt: nsToIso(info.updatedAt) ?? current.egressUpdatedAt,
    objectKey: file?.filename ? file.filename : current.objectKey,
    durationSeconds:
      file && file.duration > 0n ? Number(file.duration / 1_000_000n) / 1000 : current.durationSeconds,
    sizeBytes: file && file.size > 0n ? Number(file.size) : current.sizeBytes,
    error: status === 'failed' ? redact(info.error || 'Recording failed') : current.error,
  }
  return JSON.stringify(next) === JSON.stringify(current) ? null : next
}

function safeSegment(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 128) || '_'
}

/** Result of `start`: the recording and whether this request created it (false: one was already running). */
export interface StartRecordingResult {
  recording: RecordingState
  created: boolean
}

/** Result of `handleWebhook`. */
export interface RecordingWebhookResult {
  /** False for events that are not egress events or whose egress belongs to no call we know. */
  handled: boolean
  callId?: string
  tenantId?: string
  recording?: RecordingState
  /** True when this event changed the stored state (false for replays). */
  changed?: boolean
}

/** The recording service: start/stop audio-only room composite egress, track it from webhooks, sign playback. */
export interface RecordingService {
  /** Starts recording a connected call on request (`POST /calls/:id/recording`); idempotent while one runs. */
  start(input: { callId: string; tenantId?: string; requestedBy: string }): Promise<StartRecordingResult>
  /** Stops the running recording (`DELETE /calls/:id/recording`); the file is final at `egress_ended`. */
  stop(input: { callId: string; tenantId?: string }): Promise<RecordingState>
  /** Starts recording when the call's policy is `on-answer`. Never throws: failures are logged and stored. */
  onCallAnswered(input: { callId: string }): Promise<RecordingState | null>
  /** Applies an `egress_started` / `egress_updated` / `egress_ended` webhook event (already verified). */
  handleWebhook(event: WebhookEvent): Promise<RecordingWebhookResult>
  /** A presigned, expiring GET URL of a finished recording. */
  playbackUrl(input: { callId: string; tenantId?: string; expiresIn?: number }): Promise<RecordingPlayback>
  /** The recording state of a call (null when never recorded). */
  get(input: { callId: string; tenantId?: string }): Promise<RecordingState | null>
}

/**
 * Builds the recording service on an `EgressClient`, a `RecordingStore` and an S3-compatible bucket.
 * @example createRecordingService({ egress: new EgressClient(url, key, secret), store: sqlRecordingStore(db), storage })
 */
export function createRecordingService(deps: RecordingServiceDeps): RecordingService {
  const { egress, store, storage } = deps
  const now = deps.now ?? (() => new Date())
  const file = FILE_TYPES[deps.fileType ?? 'ogg']
  const ttl = Math.min(Math.max(Math.floor(deps.playbackTtlSeconds ?? 300), 1), 604_800)
  const staleMs = (deps.staleClaimSeconds ?? 60) * 1000
  const redactor = new Redactor([storage.secretAccessKey, storage.sessionToken])
  const logger = redactingLogger(deps.logger ?? silentLogger, redactor)

  async function loadCall(callId: string, tenantId: string | undefined): Promise<RecordingCall> {
    const call = await store.getCall(callId)
    if (!call || (tenantId !== undefined && call.tenantId !== tenantId)) {
      throw new HttpError('CALL_NOT_FOUND', `Call ${callId} was not found.`)
    }
    return call
  }

  function egressError(error: unknown, action: string): HttpError {
    if (error instanceof HttpError) return error
    if (error instanceof ServerError) {
      const message = redactor.text(error.message)
      if (/egress not connected|no response from servers|not enabled/i.test(message)) {
        return new HttpError(
          'NOT_CONFIGURED',
          `LiveKit could not ${action} the recording because no egress service is connected (self-hosted LiveKit needs livekit/egress with Redis): ${message}`,
          { cause: error },
        )
      }
      return new HttpError('UPSTREAM_ERROR', `LiveKit refused to ${action} the recording: ${message}`, {
        cause: error,
        details: { livekitCode: error.code ?? null, livekitStatus: error.status },
      })
    }
    return new HttpError('LIVEKIT_UNAVAILABLE', `LiveKit could not be reached to ${action} the recording.`, {
      cause: error,
    })
  }

  /** Read → transform → compare-and-set on the objectKey + status + egressId we read; retried on a lost race. */
  async function update(
    callId: string,
    transform: (call: RecordingCall, current: RecordingState) => RecordingState | null,
  ): Promise<{ call: RecordingCall; recording: RecordingState; changed: boolean } | null> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const call = await store.getCall(callId)
      if (!call?.recording) return null
      const current = call.recording
      const next = transform(call, current)
      if (next === null) return { call, recording: current, changed: false }
      const done = next.status === 'completed'
      const saved = await store.saveRecording(
        callId,
        {
          recording: next,
          ...(next.egressId ? { egressId: next.egressId } : {}),
          ...(done ? { recordingUrl: next.objectKey } : {}),
        },
        { objectKey: current.objectKey, status: current.status, egressId: current.egressId },
      )
      if (saved) return { call, recording: next, changed: true }
    }
    throw new HttpError('STORE_UNAVAILABLE', 'The recording state kept changing; try again.')
  }

  async function startEgress(call: RecordingCall, requestedBy: string): Promise<StartRecordingResult> {
    if (call.recording && OPEN.includes(call.recording.status))
      return { recording: call.recording, created: false }
    const at = now()
    const objectKey = `${storage.keyPrefix ?? ''}${safeSegment(call.tenantId)}/${safeSegment(call.id)}/${at
      .toISOString()
      .replace(/[-:.]/g, '')}.${file.ext}`
    const claim: RecordingState = {
      status: 'starting',
      egressId: null,
      objectKey,
      requestedBy,
      requestedAt: at.toISOString(),
      startedAt: null,
      endedAt: null,
      durationSeconds: null,
      sizeBytes: null,
      error: null,
      egressUpdatedAt: null,
    }
    const won = await store.claimStart(call.id, claim, new Date(at.getTime() - staleMs).toISOString())
    if (!won) {
      const again = await store.getCall(call.id)
      if (again?.recording && OPEN.includes(again.recording.status))
        return { recording: again.recording, created: false }
      throw new HttpError('CALL_NOT_ACTIVE', 'The call ended before the recording could start.')
    }
    let info: EgressInfo
    try {
      info = await egress.startRoomCompositeEgress(
        call.roomName,
        {
          file: new EncodedFileOutput({
            fileType: file.type,
            filepath: objectKey,
            output: {
              case: 's3',
              value: new S3Upload({
                accessKey: storage.accessKeyId,
                secret: storage.secretAccessKey,
                sessionToken: storage.sessionToken ?? '',
                region: storage.region,
                bucket: storage.bucket,
                endpoint: storage.endpoint ?? '',
                forcePathStyle: storage.forcePathStyle ?? storage.endpoint !== undefined,
              }),
            },
          }),
        },
        { audioOnly: true, audioMixing: MIXING[deps.audioMixing ?? 'default'] },
      )
    } catch (error) {
      const failure = egressError(error, 'start')
      await update(call.id, (_c, current) =>
        current.objectKey === objectKey && current.status === 'starting'
          ? { ...current, status: 'failed', error: failure.message, endedAt: now().toISOString() }
          : null,
      )
      logger.warn('recording: start failed', { callId: call.id, code: failure.code, error: failure.message })
      throw failure
    }
    const saved = await update(call.id, (_c, current) =>
      current.objectKey === objectKey ? applyEgressInfo(current, info, (s) => redactor.text(s)) : null,
    )
    logger.info('recording: started', { callId: call.id, egressId: info.egressId })
    return { recording: saved?.recording ?? { ...claim, egressId: info.egressId }, created: true }
  }

  return {
    async start({ callId, tenantId, requestedBy }) {
      const call = await loadCall(callId, tenantId)
      if (call.endedAt !== null || call.status !== 'in-progress') {
        throw new HttpError('CALL_NOT_ACTIVE', 'Only a connected call can be recorded.')
      }
      const policy = await resolveRecordingPolicy(call, deps.policy)
      if (!mayRecordOnDemand(policy)) {
        throw new HttpError('FORBIDDEN', 'Recording is turned off for this call (policy "never").')
      }
      return startEgress(call, requestedBy)
    },

    async stop({ callId, tenantId }) {
      const call = await loadCall(callId, tenantId)
      const current = call.recording
      if (!current || !OPEN.includes(current.status)) {
        throw new HttpError('NOT_FOUND', 'No recording is in progress on this call.')
      }
      if (current.status === 'stopping') return current
      if (!current.egressId) {
        throw new HttpError(
          'CALL_NOT_ACTIVE',
          'The recording is still starting; stop it again in a moment.',
          {
            headers: { 'Retry-After': '1' },
          },
        )
      }
      const egressId = current.egressId
      let info: EgressInfo | null = null
      try {
        info = await egress.stopEgress(egressId)
      } catch (error) {
        // An egress that already finished cannot be stopped: its egress_ended webhook is on the way.
        if (!(error instanceof ServerError && error.code === 'failed_precondition'))
          throw egressError(error, 'stop')
      }
      const saved = await update(callId, (_c, latest) => {
        if (latest.egressId !== egressId) return null
        if (info) return applyEgressInfo(latest, info, (s) => redactor.text(s))
        return RANK[latest.status] < RANK.stopping ? { ...latest, status: 'stopping' } : null
      })
      return saved?.recording ?? current
    },

    async onCallAnswered({ callId }) {
      try {
        const call = await store.getCall(callId)
        if (!call || call.endedAt !== null) return null
        const policy = await resolveRecordingPolicy(call, deps.policy)
        if (!shouldRecordOnAnswer(policy)) return null
        return (await startEgress(call, 'policy')).recording
      } catch (error) {
        logger.error('recording: automatic start failed', { callId, error })
        return null
      }
    },

    async handleWebhook(event) {
      const info = event.egressInfo
      if (!info || !event.event.startsWith('egress_')) return { handled: false }
      const call = await store.findCallForEgress(info.egressId, info.roomName || undefined)
      if (!call?.recording) return { handled: false }
      const result = await update(call.id, (_c, current) =>
        applyEgressInfo(current, info, (s) => redactor.text(s)),
      )
      if (!result) return { handled: false }
      if (result.changed) {
        const level = result.recording.status === 'failed' ? 'warn' : 'info'
        logger[level](`recording: ${event.event}`, {
          callId: call.id,
          egressId: info.egressId,
          status: result.recording.status,
          ...(result.recording.error ? { error: result.recording.error } : {}),
        })
      }
      return {
        handled: true,
        callId: call.id,
        tenantId: call.tenantId,
        recording: result.recording,
        changed: result.changed,
      }
    },

    async playbackUrl({ callId, tenantId, expiresIn }) {
      const call = await loadCall(callId, tenantId)
      const key =
        call.recordingUrl ?? (call.recording?.status === 'completed' ? call.recording.objectKey : null)
      if (!key) throw new HttpError('NOT_FOUND', 'This call has no finished recording.')
      const seconds = Math.min(Math.max(Math.floor(expiresIn ?? ttl), 1), ttl)
      const at = now()
      const contentType = key.endsWith('.mp3')
        ? 'audio/mpeg'
        : key.endsWith('.m4a') || key.endsWith('.mp4')
          ? 'audio/mp4'
          : 'audio/ogg'
      return {
        url: presignS3Url(storage, key, {
          expiresIn: seconds,
          now: at,
          query: { 'response-content-type': contentType },
        }),
        expiresAt: new Date(at.getTime() + seconds * 1000).toISOString(),
        contentType,
      }
    },

    async get({ callId, tenantId }) {
      return (await loadCall(callId, tenantId)).recording
    },
  }
}

/** The wire form of a recording (`RecordingInfo` of `@ringline/core/protocol`): no object key, egress id or requester. */
export function toRecordingInfo(state: RecordingState): RecordingInfo {
  return {
    status: state.status,
    startedAt: state.startedAt,
    endedAt: state.endedAt,
    durationSeconds: state.durationSeconds,
    sizeBytes: state.sizeBytes,
    error: state.error,
  }
}
