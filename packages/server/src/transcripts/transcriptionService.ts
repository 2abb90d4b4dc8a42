import type { TranscriptSegment } from '@ringline/core/protocol'
import type { Logger } from '../types'
import type { TranscriptStore } from './sqlTranscriptStore'
import {
  startTranscriptCollector,
  type TranscriptCollector,
  type TranscriptCollectorOptions,
} from './transcriptCollector'

/** `transcripts` option of `createRingline`. */
export interface TranscriptsOptions {
  /** Join connected calls with a hidden participant and store their final transcription segments. Default false. */
  store?: boolean
  /** Identity of the hidden participant (default `ringline-transcripts`). */
  identity?: string
}

/** Dependencies of `createTranscriptionService`. */
export interface TranscriptionServiceDeps {
  livekit: { url: string; apiKey: string; apiSecret: string }
  store: TranscriptStore
  options?: TranscriptsOptions
  /** Live segments (interim included), e.g. to fan out on `/events`. */
  onSegment?: (callId: string, segment: TranscriptSegment) => void
  logger?: Logger
  /** Collector factory (tests). */
  startCollector?: (options: TranscriptCollectorOptions) => Promise<TranscriptCollector>
}

/** Starts and stops transcript collectors as calls connect and end. */
export interface TranscriptionService {
  /** Whether transcripts are stored at all (`transcripts.store`). */
  readonly enabled: boolean
  /** Joins the call's room if enabled and not already there (idempotent; call it on answer / `participant_joined`). */
  onCallConnected(call: { callId: string; roomName: string }): Promise<void>
  /** Leaves the call's room (call it on `room_finished` / call end). */
  onCallEnded(callId: string): Promise<void>
  /** Final segments of a call in speaking order (`GET /calls/:id` `transcript`). */
  list(callId: string): Promise<TranscriptSegment[]>
  /** Call ids with a collector in this process. */
  active(): string[]
  /** Leaves every room (server shutdown). */
  close(): Promise<void>
}

/**
 * The transcript side of `createRingline`: one hidden collector per connected call in this process. Several server
 * instances may each join; segments are de-duplicated by id in the store.
 */
export function createTranscriptionService(deps: TranscriptionServiceDeps): TranscriptionService {
  const enabled = deps.options?.store === true
  const start = deps.startCollector ?? startTranscriptCollector
  const collectors = new Map<string, Promise<TranscriptCollector | null>>()

  return {
    enabled,
    async onCallConnected({ callId, roomName }) {
      if (!enabled || collectors.has(callId)) return
      const starting = start({
        livekit: deps.livekit,
        callId,
        roomName,
        store: deps.store,
        ...(deps.options?.identity ? { identity: deps.options.identity } : {}),
        ...(deps.onSegment
          ? { onSegment: (segment: TranscriptSegment) => deps.onSegment?.(callId, segment) }
          : {}),
        onClosed: () => collectors.delete(callId),
        ...(deps.logger ? { logger: deps.logger } : {}),
      }).catch((error: unknown) => {
        collectors.delete(callId)
        deps.logger?.error('transcripts: could not join the call room', { callId, roomName, error })
        return null
      })
      collectors.set(callId, starting)
      await starting
    },
    async onCallEnded(callId) {
      const collector = await collectors.get(callId)
      collectors.delete(callId)
      await collector?.stop()
    },
    list: (callId) => deps.store.listSegments(callId),
    active: () => [...collectors.keys()],
    async close() {
      const all = await Promise.all([...collectors.values()])
      collectors.clear()
      await Promise.all(all.map((c) => c?.stop()))
    },
  }
}
