import { randomUUID } from 'node:crypto'
import { ServerError } from 'livekit-server-sdk'
import { HttpError } from '../http/errors'
import { Redactor } from '../redact'
import type { Logger } from '../types'
import type { AgentDispatchApi, AgentDispatchRecord, AgentDispatchStore, AgentDispatchTrigger } from './types'

/** Dependencies of `dispatchAgent`. */
export interface DispatchAgentDeps {
  client: AgentDispatchApi
  store: AgentDispatchStore
  /** Agent names that may be dispatched; default any. */
  allowedAgents?: readonly string[]
  /** Seconds after which a `pending` row nobody finished is checked against LiveKit and taken over (default 30). */
  staleAfterSeconds?: number
  /** Retry a dispatch that failed before (default true: someone asked again, or LiveKit redelivered the webhook). */
  retryFailed?: boolean
  logger?: Logger
  now?: () => Date
}

/** What to dispatch. */
export interface DispatchAgentInput {
  callId: string
  roomName: string
  agentName: string
  /** Job metadata handed to the agent (a string, often JSON). */
  metadata?: string
  trigger?: AgentDispatchTrigger
}

/** The dispatch row, and whether this request is the one that asked LiveKit. */
export interface DispatchAgentResult {
  dispatch: AgentDispatchRecord
  created: boolean
}

const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

// livekit-server's 401 text echoes the request token: never store or return it.
const redactor = new Redactor()

function describe(error: unknown): string {
  if (error instanceof ServerError) return redactor.text(`${error.code ?? error.status}: ${error.message}`)
  return redactor.text(error instanceof Error ? error.message : String(error))
}

/**
 * Dispatches a LiveKit agent to a call's room exactly once per call and agent name: the unique
 * `(call_id, agent_name)` row is claimed before LiveKit is called, so replayed webhooks and concurrent requests
 * all get the same dispatch. A failed dispatch may be retried (one retrier wins); a `pending` row left by a crashed
 * process is reconciled with `listDispatch` before anything is created again.
 * @example await dispatchAgent({ client: new AgentDispatchClient(url, key, secret), store }, { callId, roomName, agentName: 'receptionist' })
 */
export async function dispatchAgent(
  deps: DispatchAgentDeps,
  input: DispatchAgentInput,
): Promise<DispatchAgentResult> {
  const { client, store } = deps
  if (!AGENT_NAME.test(input.agentName)) {
    throw new HttpError('INVALID_REQUEST', 'agentName must be 1–128 letters, digits, ".", "_", ":" or "-".', {
      field: 'agentName',
    })
  }
  if (deps.allowedAgents && !deps.allowedAgents.includes(input.agentName)) {
    throw new HttpError('FORBIDDEN', `Agent "${input.agentName}" may not be dispatched here.`, {
      field: 'agentName',
    })
  }
  const now = deps.now ?? (() => new Date())
  const staleMs = (deps.staleAfterSeconds ?? 30) * 1000

  const { record, won } = await store.claim({
    id: randomUUID(),
    callId: input.callId,
    agentName: input.agentName,
    roomName: input.roomName,
    metadata: input.metadata ?? null,
    trigger: input.trigger ?? 'api',
  })
  if (won) return { dispatch: await create(record), created: true }

  if (record.state === 'dispatched') return { dispatch: record, created: false }
  if (record.state === 'failed') {
    if (deps.retryFailed === false) return { dispatch: record, created: false }
    const retry = await store.reclaim(record.id, { state: 'failed', updatedAt: record.updatedAt })
    return retry ? { dispatch: await create(retry), created: true } : { dispatch: record, created: false }
  }
  // pending: another request is asking LiveKit right now, unless it died long ago.
  if (now().getTime() - new Date(record.updatedAt).getTime() < staleMs)
    return { dispatch: record, created: false }
  const mine = await store.reclaim(record.id, { state: 'pending', updatedAt: record.updatedAt })
  if (!mine) return { dispatch: record, created: false }
  const existing = await findExisting(record.roomName ?? input.roomName, input.agentName)
  if (existing) return { dispatch: await store.markDispatched(mine.id, existing), created: false }
  return { dispatch: await create(mine), created: true }

  async function findExisting(roomName: string, agentName: string): Promise<string | null> {
    try {
      const dispatches = await client.listDispatch(roomName)
      return dispatches.find((d) => d.agentName === agentName)?.id ?? null
    } catch (error) {
      deps.logger?.warn('agents: listDispatch failed during reconcile', { roomName, error: describe(error) })
      return null
    }
  }

  async function create(claimed: AgentDispatchRecord): Promise<AgentDispatchRecord> {
    try {
      const dispatch = await client.createDispatch(claimed.roomName ?? input.roomName, claimed.agentName, {
        ...(claimed.metadata ? { metadata: claimed.metadata } : {}),
      })
      const saved = await store.markDispatched(claimed.id, dispatch.id)
      deps.logger?.info('agents: dispatched', {
        callId: claimed.callId,
        agentName: claimed.agentName,
        dispatchId: dispatch.id,
      })
      return saved
    } catch (error) {
      const message = describe(error)
      await store.markFailed(claimed.id, message)
      deps.logger?.warn('agents: dispatch failed', {
        callId: claimed.callId,
        agentName: claimed.agentName,
        error: message,
      })
      if (error instanceof ServerError) {
        throw new HttpError(
          'UPSTREAM_ERROR',
          `LiveKit refused to dispatch agent "${claimed.agentName}": ${message}`,
          {
            cause: error,
            details: { livekitCode: error.code ?? null, livekitStatus: error.status },
          },
        )
      }
      throw new HttpError('LIVEKIT_UNAVAILABLE', 'LiveKit could not be reached to dispatch the agent.', {
        cause: error,
      })
    }
  }
}
