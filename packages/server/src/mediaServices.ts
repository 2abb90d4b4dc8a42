import type { AgentDispatchInfo } from '@ringline/core/protocol'
import { EgressClient } from 'livekit-server-sdk'
import { agentPolicyFromRouting } from './agents/agentPolicy'
import { type AgentScheduler, createAgentScheduler } from './agents/agentScheduler'
import { type DispatchAgentInput, type DispatchAgentResult, dispatchAgent } from './agents/dispatchAgent'
import { sqlAgentDispatchStore } from './agents/sqlAgentDispatchStore'
import type { AgentDispatchRecord, AgentRoutingPolicy, AgentsOptions } from './agents/types'
import { getCallById } from './calls/callRepository'
import type { ResolvedConfig } from './config'
import { HttpError } from './http/errors'
import type { LivekitClients } from './livekit'
import { getNumberConnection } from './numbers/numberRepository'
import { recordingPolicyFromRouting, resolveRecordingStorage } from './recording/recordingPolicy'
import { createRecordingService, type RecordingService } from './recording/recordingService'
import { sqlRecordingStore } from './recording/sqlRecordingStore'
import type { RecordingCall, RecordingOptions } from './recording/types'
import type { Redactor } from './redact'
import { roomKindRecording } from './rooms/roomKinds'
import type { RinglineStore } from './sql/types'
import { sqlTranscriptStore } from './transcripts/sqlTranscriptStore'
import {
  createTranscriptionService,
  type TranscriptionService,
  type TranscriptsOptions,
} from './transcripts/transcriptionService'
import type { Logger } from './types'

/** Recording, agents and transcripts as `createRingline` wires them. */
export interface MediaServices {
  /** The recording service, or `null` while no bucket is configured. */
  recording(): RecordingService | null
  /** The recording service, or `NOT_CONFIGURED` naming the `RINGLINE_RECORDING_*` variables still missing. */
  requireRecording(): RecordingService
  /** Dispatches an agent once per call and agent name (`POST /calls/:id/agent`, routing policies). */
  dispatchAgent(input: DispatchAgentInput): Promise<DispatchAgentResult>
  /** The agents dispatched to a call. */
  listAgentDispatches(callId: string): Promise<AgentDispatchRecord[]>
  /** Runs number routing policies (`agent-first`, `agent-on-no-answer`). */
  scheduler: AgentScheduler
  transcripts: TranscriptionService
  /** Stops timers and leaves rooms. */
  close(): Promise<void>
}

/** What `createMedia` needs from the server context. */
export interface MediaDeps {
  config: ResolvedConfig
  store: RinglineStore
  logger: Logger
  redactor: Redactor
  livekit(): LivekitClients
  recording?: RecordingOptions
  agents?: AgentsOptions
  transcripts?: TranscriptsOptions
}

/** The wire form of a dispatch row (`AgentDispatchInfo` of `@ringline/core/protocol`). */
export function toAgentDispatchInfo(record: AgentDispatchRecord): AgentDispatchInfo {
  return {
    agentName: record.agentName,
    state: record.state,
    dispatchId: record.dispatchId,
    error: record.error,
    createdAt: record.createdAt,
  }
}

async function numberRouting(store: RinglineStore, callId: string): Promise<unknown> {
  const call = await getCallById(store, callId)
  const number = call?.internals.number ?? (call?.direction === 'outbound' ? call.fromNumber : call?.toNumber)
  if (typeof number !== 'string' || number === '') return undefined
  return (await getNumberConnection(store, number))?.routingPolicy
}

/** Builds the media services; LiveKit clients and the egress client are created on first use. */
export function createMedia(deps: MediaDeps): MediaServices {
  const { store, logger, redactor } = deps
  const storage = resolveRecordingStorage(deps.recording)
  if (storage.storage) {
    redactor.addSecret(storage.storage.secretAccessKey)
    redactor.addSecret(storage.storage.sessionToken)
  }
  const agentStore = sqlAgentDispatchStore(store)
  let recording: RecordingService | undefined

  function getRecording(): RecordingService | null {
    if (!storage.storage) return null
    if (recording) return recording
    const lk = deps.livekit()
    const configured = deps.recording?.policy
    recording = createRecordingService({
      egress: new EgressClient(lk.url, lk.apiKey, lk.apiSecret),
      store: sqlRecordingStore(store),
      storage: storage.storage,
      // A number's own setting (`routing_policy.recording`), then a room kind's, win over the configured policy.
      policy: async (call: RecordingCall) => {
        const own = recordingPolicyFromRouting(await numberRouting(store, call.id))
        if (own) return own
        // A browser room's kind (`rooms.kinds.<kind>.recording`) comes next.
        if (call.direction === 'internal') {
          const stored = await getCallById(store, call.id)
          const byKind = stored ? roomKindRecording(deps, stored) : undefined
          if (byKind) return byKind
        }
        return typeof configured === 'function' ? configured(call) : (configured ?? 'on-demand')
      },
      ...(deps.recording?.fileType ? { fileType: deps.recording.fileType } : {}),
      ...(deps.recording?.audioMixing ? { audioMixing: deps.recording.audioMixing } : {}),
      ...(deps.recording?.playbackTtlSeconds
        ? { playbackTtlSeconds: deps.recording.playbackTtlSeconds }
        : {}),
      logger,
    })
    return recording
  }

  async function dispatch(input: DispatchAgentInput): Promise<DispatchAgentResult> {
    const lk = deps.livekit()
    return dispatchAgent(
      {
        client: lk.agents,
        store: agentStore,
        // The allow-list guards the HTTP route; routing policies are set by the host app itself.
        ...((input.trigger ?? 'api') === 'api' && deps.agents?.allowedAgents
          ? { allowedAgents: deps.agents.allowedAgents }
          : {}),
        ...(deps.agents?.staleAfterSeconds ? { staleAfterSeconds: deps.agents.staleAfterSeconds } : {}),
        logger,
      },
      input,
    )
  }

  const scheduler = createAgentScheduler({
    async getCall(callId) {
      const call = await getCallById(store, callId)
      if (!call) return null
      return {
        callId: call.id,
        roomName: call.roomName,
        direction: call.direction,
        status: call.status,
        startedAt: call.startedAt,
        answeredAt: call.answeredAt,
        endedAt: call.endedAt,
      }
    },
    async getPolicy(call): Promise<AgentRoutingPolicy> {
      return (
        agentPolicyFromRouting(await numberRouting(store, call.callId)) ??
        deps.agents?.defaultPolicy ?? { mode: 'none' }
      )
    },
    dispatch: (input) => dispatch(input),
    logger,
  })

  // LiveKit settings are read when a collector starts, so a server without them still boots.
  const livekitSettings = {
    get url() {
      return deps.livekit().url
    },
    get apiKey() {
      return deps.livekit().apiKey
    },
    get apiSecret() {
      return deps.livekit().apiSecret
    },
  }
  const transcripts = createTranscriptionService({
    livekit: livekitSettings,
    store: sqlTranscriptStore(store),
    ...(deps.transcripts ? { options: deps.transcripts } : {}),
    logger,
  })

  return {
    recording: getRecording,
    requireRecording() {
      const service = getRecording()
      if (!service) {
        throw new HttpError(
          'NOT_CONFIGURED',
          `Recording is not configured: set ${storage.missing.join(', ')} (or pass \`recording.storage\` to createRingline).`,
        )
      }
      return service
    },
    dispatchAgent: dispatch,
    listAgentDispatches: (callId) => agentStore.listForCall(callId),
    scheduler,
    transcripts,
    async close() {
      scheduler.stop()
      await transcripts.close()
    },
  }
}
